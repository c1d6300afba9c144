package ui

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
)

// The in-process tests of exec, env and show --reveal: the program is sh,
// started by exec as a child whose output comes back through the masker
// into the test's buffers (the binary's own streams are tested end to end
// in the root package).

// execEnv is a test machine with one saved credential per connector,
// added (and so tested) against its emulator.
type execEnv struct {
	*testEnv
	ems    map[string]connectortest.Emulator
	values map[string]connectors.Values // by connector ID
}

func newExecEnv(t *testing.T, ids ...string) *execEnv {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the exec tests run sh")
	}
	e := &execEnv{testEnv: newTestEnv(t), ems: map[string]connectortest.Emulator{}, values: map[string]connectors.Values{}}
	e.env["PATH"] = os.Getenv("PATH")
	for _, id := range ids {
		c, _ := connectors.Lookup(id)
		em := connectortest.New(id)
		t.Cleanup(em.Close)
		e.ems[id], e.values[id] = em, em.Values()
		args, stdin := addArgs(c, "x-"+id, e.values[id])
		if r := e.run(stdin, args...); r.code != 0 {
			t.Fatalf("add %s: exit %d: %s", id, r.code, r.err)
		}
	}
	return e
}

// runIO is run with streams changed by mod first.
func (e *testEnv) runIO(mod func(*IOStreams), stdin string, args ...string) result {
	e.t.Helper()
	ios, out, errOut := testIO(stdin)
	mod(ios)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code := Main(ctx, e.factory(ios), args)
	return result{out: out.String(), err: errOut.String(), code: code}
}

// token returns the access token credwiz token prints for name.
func (e *execEnv) token(name string) string {
	e.t.Helper()
	r := e.run("", "token", name)
	if r.code != 0 {
		e.t.Fatalf("token %s: exit %d: %s", name, r.code, r.err)
	}
	return strings.TrimSpace(r.out)
}

// TestExecVariables: the program gets each connector's variables, its
// token masked in what it prints on stdout and stderr; no long-lived
// secret unless --with-secrets.
func TestExecVariables(t *testing.T) {
	e := newExecEnv(t, "demandbase", "salesforce", "drift")
	dbTok, sfTok := e.token("x-demandbase"), e.token("x-salesforce")
	script := `printf 'db=%s\n' "$DEMANDBASE_ACCESS_TOKEN"; printf 'sf=%s\n' "$SALESFORCE_ACCESS_TOKEN" >&2
printf 'url=%s\nsfurl=%s\nexp=%s\nacct=%s\n' "$DEMANDBASE_BASE_URL" "$SALESFORCE_INSTANCE_URL" "$DEMANDBASE_TOKEN_EXPIRES_AT" "$DRIFT_ACCOUNT"
printf 'drift_exp=%s\nsecret=%s\n' "${DRIFT_TOKEN_EXPIRES_AT-unset}" "${DEMANDBASE_CLIENT_SECRET-unset}"`
	r := e.run("", "exec", "x-demandbase", "x-salesforce", "x-drift", "--", "sh", "-c", script)
	if r.code != 0 {
		t.Fatalf("exec: exit %d: %s", r.code, r.err)
	}
	for _, want := range []string{
		"db=<credwiz:x-demandbase:access_token>\n",
		"url=" + e.ems["demandbase"].URL() + "\n",
		"sfurl=" + e.ems["salesforce"].URL() + "\n",
		"acct=Drift org",
		"drift_exp=unset\n", "secret=unset\n",
	} {
		if !strings.Contains(r.out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.out)
		}
	}
	if !strings.Contains(r.err, "sf=<credwiz:x-salesforce:access_token>\n") {
		t.Errorf("stderr lacks the masked Salesforce token:\n%s", r.err)
	}
	exp := between(r.out, "exp=", "\n")
	if at, err := time.Parse(time.RFC3339, exp); err != nil || at.Before(time.Now()) {
		t.Errorf("DEMANDBASE_TOKEN_EXPIRES_AT = %q; want a future RFC 3339 time", exp)
	}
	for _, s := range []string{dbTok, sfTok, e.values["drift"]["api_key"], e.values["demandbase"]["client_secret"]} {
		if strings.Contains(r.out+r.err, s) {
			t.Errorf("a token or secret reached the output unmasked:\n%s\n%s", r.out, r.err)
		}
	}

	// --with-secrets adds the secret fields, masked under their keys.
	r = e.run("", "exec", "x-demandbase", "--with-secrets", "--", "sh", "-c", `printf '%s' "$DEMANDBASE_CLIENT_SECRET"`)
	if r.code != 0 || r.out != "<credwiz:x-demandbase:client_secret>" {
		t.Errorf("--with-secrets: exit %d, stdout %q; want the masked client secret", r.code, r.out)
	}

	// --no-masking passes the output through untouched.
	r = e.run("", "exec", "x-demandbase", "--no-masking", "--", "sh", "-c", `printf '%s' "$DEMANDBASE_ACCESS_TOKEN"`)
	if r.code != 0 || r.out != dbTok {
		t.Errorf("--no-masking: exit %d, stdout %q; want the token itself", r.code, r.out)
	}
}

// between returns the text of s after from up to to.
func between(s, from, to string) string {
	_, rest, _ := strings.Cut(s, from)
	v, _, _ := strings.Cut(rest, to)
	return v
}

// TestExecExitCodes: the program's exit code is credwiz's; a command that
// cannot be run is 127 or 126, as in a shell; command-line mistakes are
// usage errors and start nothing.
func TestExecExitCodes(t *testing.T) {
	e := newExecEnv(t, "drift")
	dir := t.TempDir()
	notExec := filepath.Join(dir, "not-executable")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	marker := filepath.Join(dir, "started")
	touch := []string{"sh", "-c", "touch " + marker}
	tests := []struct {
		name string
		args []string
		code int
		err  string // in stderr
	}{
		{"exit 0", []string{"x-drift", "--", "sh", "-c", "exit 0"}, 0, ""},
		{"exit 1", []string{"x-drift", "--", "sh", "-c", "exit 1"}, 1, ""},
		{"exit 42", []string{"x-drift", "--", "sh", "-c", "exit 42"}, 42, ""},
		{"exit 130", []string{"x-drift", "--", "sh", "-c", "exit 130"}, 130, ""},
		{"killed by SIGTERM", []string{"x-drift", "--", "sh", "-c", "kill -TERM $$"}, 143, "killed by signal 15"},
		{"not found", []string{"x-drift", "--", "no-such-command-x"}, 127, "no-such-command-x: command not found"},
		{"not executable", []string{"x-drift", "--", notExec}, 126, "cannot run it"},
		{"no dash", append([]string{"x-drift"}, touch...), 2, "put -- before the command"},
		{"no dash, no flags", []string{"x-drift", "true"}, 2, "put -- between"},
		{"no command", []string{"x-drift", "--"}, 2, "name the command"},
		{"no name", append([]string{"--"}, touch...), 2, "name at least one credential"},
		{"unknown name", append([]string{"nope", "--"}, touch...), 1, `no credential named "nope"`},
		{"named twice", append([]string{"x-drift", "x-drift", "--"}, touch...), 2, "named twice"},
		{"bad prefix", append([]string{"x-drift", "--prefix", "x-drift=1X", "--"}, touch...), 2, "a prefix is letters"},
		{"prefix of another", append([]string{"x-drift", "--prefix", "other=X", "--"}, touch...), 2, "not among x-drift"},
		{"prefix without =", append([]string{"x-drift", "--prefix", "x-drift", "--"}, touch...), 2, "is not NAME=PREFIX"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.run("", append([]string{"exec"}, tt.args...)...)
			if r.code != tt.code {
				t.Errorf("exit %d; want %d\nstderr: %s", r.code, tt.code, r.err)
			}
			if tt.err == "" && r.err != "" || !strings.Contains(r.err, tt.err) {
				t.Errorf("stderr %q; want %q", r.err, tt.err)
			}
			if _, err := os.Stat(marker); err == nil {
				t.Errorf("the command ran")
			}
		})
	}
}

// TestExecSameConnector: two credentials of one connector need --prefix:
// without it a usage error names the clash; with it each gets its own.
func TestExecSameConnector(t *testing.T) {
	e := newExecEnv(t, "drift")
	c := driftConnector(t)
	em2 := connectortest.New("drift")
	t.Cleanup(em2.Close)
	args, stdin := addArgs(c, "y-drift", em2.Values())
	if r := e.run(stdin, args...); r.code != 0 {
		t.Fatalf("add: %s", r.err)
	}
	r := e.run("", "exec", "x-drift", "y-drift", "--", "sh", "-c", "exit 0")
	if r.code != 2 || !strings.Contains(r.err, "x-drift and y-drift would both set DRIFT_ACCESS_TOKEN") || !strings.Contains(r.err, "--prefix y-drift=Y_DRIFT") {
		t.Errorf("exit %d, stderr %q; want a usage error naming the clash and a --prefix", r.code, r.err)
	}
	r = e.run("", "exec", "x-drift", "y-drift", "--prefix", "y-drift=OTHER", "--no-masking", "--",
		"sh", "-c", `printf '%s %s %s %s' "$DRIFT_ACCESS_TOKEN" "$OTHER_ACCESS_TOKEN" "$DRIFT_BASE_URL" "$OTHER_BASE_URL"`)
	want := strings.Join([]string{e.values["drift"]["api_key"], em2.Values()["api_key"], e.ems["drift"].URL(), em2.URL()}, " ")
	if r.code != 0 || r.out != want {
		t.Errorf("with --prefix: exit %d, stdout %q; want %q (stderr %s)", r.code, r.out, want, r.err)
	}
}

// TestExecTokenFailure: a token that cannot be had fails exec before the
// program starts, with test's classified message.
func TestExecTokenFailure(t *testing.T) {
	e := newExecEnv(t, "clazar")
	e.ems["clazar"].(*connectortest.Clazar).SetSecret("rotated-" + strings.Repeat("z", 20))
	marker := filepath.Join(t.TempDir(), "started")
	r := e.run("", "exec", "x-clazar", "--", "sh", "-c", "touch "+marker)
	if r.code != 1 || !strings.Contains(r.err, "Clazar rejected the credentials") || !strings.Contains(r.err, "credwiz reauth x-clazar") {
		t.Errorf("exit %d, stderr %q; want exit 1 with the rejected-credentials advice", r.code, r.err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Errorf("the program started although no token could be had")
	}
	if strings.Contains(r.err, e.values["clazar"]["client_secret"]) {
		t.Errorf("the error quotes the secret")
	}
}

// TestExecTokenCache: exec reuses the cached token and caches a new one,
// so that two runs make one exchange.
func TestExecTokenCache(t *testing.T) {
	e := newExecEnv(t, "demandbase")
	em := e.ems["demandbase"]
	twice := func(what string) {
		t.Helper()
		before := em.TokensIssued()
		for range 2 {
			if r := e.run("", "exec", "x-demandbase", "--", "sh", "-c", "exit 0"); r.code != 0 {
				t.Fatalf("exec: %s", r.err)
			}
		}
		if got := em.TokensIssued() - before; got != 1 {
			t.Errorf("%s: two runs made %d token exchanges; want 1 (then the cached token)", what, got)
		}
	}
	twice("first runs")
	if err := e.tokens.Delete("x-demandbase"); err != nil {
		t.Fatal(err)
	}
	twice("after the cache was emptied")
}

// TestExecEnvironment: credwiz's store-unlocking variables never reach the
// program; its other variables do, and the program's own win over any
// of the same name.
func TestExecEnvironment(t *testing.T) {
	e := newExecEnv(t, "drift")
	e.env["CREDWIZ_PASSPHRASE"] = "pp-should-not-pass"
	e.env["CREDWIZ_SECRET_API_KEY"] = "sk-should-not-pass"
	e.env["CREDWIZ_IDENTITY_FILE"] = "/id-should-not-pass"
	e.env["KEEP_ME"] = "kept"
	e.env["DRIFT_ACCESS_TOKEN"] = "stale"
	r := e.run("", "exec", "x-drift", "--no-masking", "--", "env")
	if r.code != 0 {
		t.Fatalf("exec env: %s", r.err)
	}
	if strings.Contains(r.out, "should-not-pass") || !strings.Contains(r.out, "KEEP_ME=kept\n") ||
		strings.Contains(r.out, "=stale") || strings.Count(r.out, "DRIFT_ACCESS_TOKEN=") != 1 {
		t.Errorf("the program's environment:\n%s", r.out)
	}
}

// TestExecAccount: PREFIX_ACCOUNT is the account of a passing test of the
// current values; absent after a change that was not tested.
func TestExecAccount(t *testing.T) {
	e := newExecEnv(t, "drift")
	get := func() string {
		r := e.run("", "exec", "x-drift", "--", "sh", "-c", `printf '%s' "${DRIFT_ACCOUNT-unset}"`)
		if r.code != 0 {
			t.Fatalf("exec: %s", r.err)
		}
		return r.out
	}
	if got := get(); !strings.HasPrefix(got, "Drift org") {
		t.Errorf("DRIFT_ACCOUNT = %q after a passing test", got)
	}
	if r := e.run("", "edit", "x-drift", "--field", "base_url="+strings.Replace(e.ems["drift"].URL(), "127.0.0.1", "localhost", 1), "--no-test"); r.code != 0 {
		t.Fatalf("edit: %s", r.err)
	}
	if got := get(); got != "unset" {
		t.Errorf("DRIFT_ACCOUNT = %q after an untested change; want it absent", got)
	}
}

// TestEnvCommand: env prints the variables in each format, refuses a
// terminal unless --reveal, and on a terminal makes vendor text safe.
func TestEnvCommand(t *testing.T) {
	e := newExecEnv(t, "drift", "salesforce")
	key := e.values["drift"]["api_key"]
	r := e.run("", "env", "x-drift", "--format", "json")
	var m map[string]string
	if err := json.Unmarshal([]byte(r.out), &m); r.code != 0 || err != nil {
		t.Fatalf("env --format json: exit %d, %v: %s %s", r.code, err, r.out, r.err)
	}
	if m["DRIFT_ACCESS_TOKEN"] != key || m["DRIFT_BASE_URL"] != e.ems["drift"].URL() || len(m) != 3 {
		t.Errorf("env json = %v", m)
	}
	r = e.run("", "env", "x-drift", "x-salesforce")
	if r.code != 0 || !strings.Contains(r.out, "export DRIFT_ACCESS_TOKEN='"+key+"'\n") || !strings.Contains(r.out, "export SALESFORCE_INSTANCE_URL=") {
		t.Errorf("env: exit %d:\n%s%s", r.code, r.out, r.err)
	}
	r = e.run("", "env", "x-drift", "--format", "dotenv", "--prefix", "x-drift=D")
	if r.code != 0 || !strings.HasPrefix(r.out, "D_ACCESS_TOKEN='"+key+"'\n") {
		t.Errorf("env dotenv: exit %d:\n%s%s", r.code, r.out, r.err)
	}
	r = e.run("", "env", "x-drift", "--format", "yaml")
	if r.code != 2 || !strings.Contains(r.err, "use shell, dotenv or json") {
		t.Errorf("--format yaml: exit %d: %s", r.code, r.err)
	}
	tty := func(s *IOStreams) { s.OutTTY = true }
	r = e.runIO(tty, "", "env", "x-drift")
	if r.code != 2 || r.out != "" || !strings.Contains(r.err, "--reveal") {
		t.Errorf("env to a terminal: exit %d, stdout %q, stderr %q; want a usage error naming --reveal", r.code, r.out, r.err)
	}
	r = e.runIO(tty, "", "env", "x-drift", "--reveal")
	if r.code != 0 || !strings.Contains(r.out, key) {
		t.Errorf("env --reveal to a terminal: exit %d: %s %s", r.code, r.out, r.err)
	}
}

// TestShowReveal: show --reveal KEY prints one secret; a key that is not a
// secret field is a usage error listing the secret keys; on a terminal it
// asks first (and cannot with --no-input).
func TestShowReveal(t *testing.T) {
	e := newExecEnv(t, "salesforce")
	pw := e.values["salesforce"]["password"]
	r := e.run("", "show", "x-salesforce", "--reveal", "password")
	if r.code != 0 || r.out != pw+"\n" {
		t.Errorf("--reveal password: exit %d, stdout %q", r.code, r.out)
	}
	for _, tt := range []struct{ key, want string }{
		{"pasword", `"pasword" is not a secret field of Salesforce; did you mean password?`},
		{"username", "username is not a secret field"},
	} {
		r = e.run("", "show", "x-salesforce", "--reveal", tt.key)
		if r.code != 2 || r.out != "" || !strings.Contains(r.err, tt.want) || !strings.Contains(r.err, "consumer_secret, password, security_token") {
			t.Errorf("--reveal %s: exit %d, stderr %q; want a usage error %q listing the secret keys", tt.key, r.code, r.err, tt.want)
		}
	}
	if r = e.run("", "show", "x-salesforce", "--reveal"); r.code != 2 || r.out != "" {
		t.Errorf("--reveal without KEY: exit %d, stdout %q", r.code, r.out)
	}
	if r = e.run("", "show", "x-salesforce", "--reveal", "password", "--json"); r.code != 2 || r.out != "" {
		t.Errorf("--reveal with --json: exit %d, stdout %q", r.code, r.out)
	}

	// At a terminal: a confirmation first.
	runTTY := func(s *script, args ...string) result {
		ios, out, errOut := testIO("")
		ios.InTTY, ios.ErrTTY, ios.OutTTY = true, true, true
		f := e.factory(ios)
		f.Prompter = s
		code := Main(context.Background(), f, args)
		return result{out: out.String(), err: errOut.String(), code: code}
	}
	r = runTTY(newScript(t, answer{page: "reveal", set: map[string]string{"reveal": "no"}}), "show", "x-salesforce", "--reveal", "password")
	if r.code != 130 || r.out != "" {
		t.Errorf("declined: exit %d, stdout %q; want 130 and nothing printed", r.code, r.out)
	}
	r = runTTY(newScript(t, answer{page: "reveal", set: map[string]string{"reveal": "yes"}, check: func(t *testing.T, p *Page) {
		if !strings.Contains(p.Questions[0].Title, "Password") || shown(p, "reveal") != "no" {
			t.Errorf("the question %q (default %s) should name the field and default to no", p.Questions[0].Title, shown(p, "reveal"))
		}
	}}), "show", "x-salesforce", "--reveal", "password")
	if r.code != 0 || r.out != pw+"\n" {
		t.Errorf("confirmed: exit %d, stdout %q", r.code, r.out)
	}
	r = runTTY(newScript(t), "--no-input", "show", "x-salesforce", "--reveal", "password")
	if r.code != 2 || r.out != "" {
		t.Errorf("--no-input at a terminal: exit %d, stdout %q; want a usage error", r.code, r.out)
	}
}

// TestShowRevealTerminalSafe: a secret holding an escape sequence is shown
// made safe on a terminal, exactly elsewhere.
func TestShowRevealTerminalSafe(t *testing.T) {
	e := newExecEnv(t, "drift")
	cred, err := e.index().Get("x-drift")
	if err != nil {
		t.Fatal(err)
	}
	it, _ := e.secrets.Get("x-drift")
	it.Values["api_key"] = "key\x1b]0;pwned\x07-0123456789"
	if err := e.secrets.Set("x-drift", it); err != nil {
		t.Fatal(err)
	}
	_ = cred
	r := e.run("", "show", "x-drift", "--reveal", "api_key")
	if r.out != it.Values["api_key"]+"\n" {
		t.Errorf("to a pipe: %q; want the exact value", r.out)
	}
	ios, out, errOut := testIO("")
	ios.InTTY, ios.ErrTTY, ios.OutTTY = true, true, true
	f := e.factory(ios)
	f.Prompter = newScript(t, answer{page: "reveal", set: map[string]string{"reveal": "yes"}})
	if code := Main(context.Background(), f, []string{"show", "x-drift", "--reveal", "api_key"}); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.ContainsAny(out.String(), "\x1b\x07") || !strings.Contains(errOut.String(), "shown as symbols") {
		t.Errorf("to a terminal: stdout %q, stderr %q; want the escape made visible and a warning", out, errOut)
	}
}

// TestExecHelpSaysWhatItDoesNotLimit: exec's help does not promise that
// the program cannot read other secrets: it says the program runs as the
// user, what that reaches, and to lock the file store first.
func TestExecHelpSaysWhatItDoesNotLimit(t *testing.T) {
	e := newTestEnv(t)
	r := e.run("", "exec", "--help")
	help := strings.Join(strings.Fields(r.out), " ")
	for _, want := range []string{"not what the program can reach", "runs as you", "credwiz unlock keeps it open", "after credwiz lock"} {
		if !strings.Contains(help, want) {
			t.Errorf("exec --help lacks %q:\n%s", want, r.out)
		}
	}
	if strings.Contains(help, "not the means to read") {
		t.Errorf("exec --help still promises the program cannot read other secrets")
	}
}

// TestREADMESaysWhatExecDoesNotLimit: the README's exec section says the
// same, and the file store's section says to lock before an untrusted
// program.
func TestREADMESaysWhatExecDoesNotLimit(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := strings.Join(strings.Fields(string(b)), " ")
	for _, want := range []string{"exec limits what it hands over, not what the program can reach", "run `credwiz lock` before it", "`credwiz lock` forgets it (do so before running a program you do not trust"} {
		if !strings.Contains(readme, want) {
			t.Errorf("README lacks %q", want)
		}
	}
	if strings.Contains(readme, "not the means to read every other secret") {
		t.Errorf("README still promises exec's program cannot read every other secret")
	}
}
