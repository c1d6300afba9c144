package ui

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/credwiz/credwiz/connectors/connectortest"
	"github.com/credwiz/credwiz/internal/kernelkeyring"
	"github.com/credwiz/credwiz/store"
)

// fileEnv is a config dir whose secrets are in the encrypted file store
// (a low scrypt work factor), with one Drift credential "d" saved under
// passphrase "right".
type fileEnv struct {
	*testEnv
	key string
}

func newFileEnv(t *testing.T) *fileEnv {
	t.Helper()
	return newFileEnvAt(t, "")
}

// newFileEnvAt is newFileEnv with the config dir at dir ("": a temporary
// one).
func newFileEnvAt(t *testing.T, dir string) *fileEnv {
	t.Helper()
	t.Setenv("CREDWIZ_PASSPHRASE", "")
	os.Unsetenv("CREDWIZ_PASSPHRASE")
	t.Setenv("CREDWIZ_IDENTITY_FILE", "")
	os.Unsetenv("CREDWIZ_IDENTITY_FILE")
	e := &fileEnv{testEnv: newTestEnv(t), key: "drift-key-0123456789abcdef"}
	if dir != "" {
		e.dir, e.env["CREDWIZ_CONFIG_DIR"] = dir, dir
	}
	st, err := store.Open(store.Options{Dir: e.dir, Kind: store.KindFile, WorkFactor: 10,
		Passphrase: func(store.PassphraseRequest) (string, error) { return "right", nil }})
	if err != nil {
		t.Fatal(err)
	}
	c := store.Credential{Name: "d", Connector: "drift", Fields: map[string]string{"base_url": "http://127.0.0.1:9"}}
	if _, err := st.Add(context.Background(), c, map[string]string{"api_key": e.key}, store.AddOptions{}); err != nil {
		t.Fatal(err)
	}
	return e
}

// run runs credwiz args at a terminal (stdin and stderr terminals) whose
// questions the script answers, on the real file store.
func (e *fileEnv) run(s Prompter, stdin string, tty bool, args ...string) (code int, out, errOut string) {
	ios, o, eo := testIO(stdin)
	ios.InTTY, ios.ErrTTY = tty, tty
	f := e.factory(ios)
	f.OpenStore = func(o store.Options) (*store.Store, error) { o.WorkFactor = 10; return store.Open(o) }
	f.StoreKind = "file"
	f.Prompter = s
	code = Main(context.Background(), f, args)
	return code, o.String(), eo.String()
}

// TestFilePassphraseRetriedOnAPage: at a terminal, a wrong passphrase is
// said at once, on the page asked again (with the tries left), and the
// right one then reads the secret.
func TestFilePassphraseRetriedOnAPage(t *testing.T) {
	e := newFileEnv(t)
	s := newScript(t,
		answer{page: "passphrase", set: map[string]string{"passphrase": "wrong"}, check: func(t *testing.T, p *Page) {
			if len(p.Questions) != 1 || p.Questions[0].Kind != KindSecret || !strings.Contains(p.Questions[0].Help, "credwiz unlock") {
				t.Errorf("first page: %+v", p.Questions)
			}
		}},
		answer{page: "passphrase", set: map[string]string{"passphrase": "right"}, check: func(t *testing.T, p *Page) {
			// The line above says "Wrong passphrase"; the title does not repeat it.
			if strings.Contains(p.Questions[0].Title, "Wrong passphrase") || !strings.Contains(p.Questions[0].Title, "2 tries left") {
				t.Errorf("second page's title: %q", p.Questions[0].Title)
			}
		}},
	)
	code, out, errOut := e.run(s, "", true, "token", "d")
	if code != 0 || strings.TrimSpace(out) != e.key {
		t.Fatalf("exit %d, stdout %q, stderr %s", code, out, errOut)
	}
	if !strings.Contains(errOut, "Wrong passphrase: it does not open") {
		t.Errorf("stderr: %s", errOut)
	}
}

// TestFilePassphraseThreeTries: three wrong passphrases end the command
// (exit 1) saying so; Esc on the page cancels (130; show goes on without
// the secrets).
func TestFilePassphraseThreeTries(t *testing.T) {
	e := newFileEnv(t)
	wrong := answer{page: "passphrase", set: map[string]string{"passphrase": "wrong"}}
	code, _, errOut := e.run(newScript(t, wrong, wrong, wrong), "", true, "token", "d")
	if code != 1 || !strings.Contains(errOut, "3 tries") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	code, _, errOut = e.run(newScript(t, answer{page: "passphrase", err: ErrBack}), "", true, "show", "d")
	if code != 0 || !strings.Contains(errOut, "cancelled") {
		// show warns and shows the rest
		t.Fatalf("Esc on show's passphrase: exit %d: %s", code, errOut)
	}
	code, _, _ = e.run(newScript(t, answer{page: "passphrase", err: ErrBack}), "", true, "token", "d")
	if code != 130 {
		t.Fatalf("Esc on token's passphrase: exit %d", code)
	}
	// test: Esc or Ctrl-C on the page cancels the command, as Ctrl-C
	// while it tests does (it was exit 1, with nothing said for Ctrl-C).
	for _, err := range []error{ErrBack, ErrCancelled} {
		code, _, errOut = e.run(newScript(t, answer{page: "passphrase", err: err}), "", true, "test", "d")
		if code != 130 || !strings.Contains(errOut, "Cancelled.") || strings.Contains(errOut, "doctor") {
			t.Errorf("%v on test's passphrase: exit %d: %s", err, code, errOut)
		}
	}
}

// TestFileWritesAskNothing: with the store created, add, edit and rm ask
// no question at a terminal and need no passphrase.
func TestFileWritesAskNothing(t *testing.T) {
	e := newFileEnv(t)
	for _, args := range [][]string{
		{"add", "drift", "--name", "e", "--field", "base_url=http://127.0.0.1:9", "--secrets-stdin", "--no-test"},
		{"edit", "e", "--description", "changed"},
		{"edit", "e", "--name", "f"},
		{"rm", "f", "--yes"},
	} {
		code, _, errOut := e.run(newScript(t), "api_key=other-key-0123456789\n", false, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
	}
}

// TestFileCommandsReadStdin: unlock, passphrase and recipients read the
// passphrase from one line of stdin when stdin is not a terminal.
func TestFileCommandsReadStdin(t *testing.T) {
	e := newFileEnv(t)
	if code, _, errOut := e.run(nil, "wrong\n", false, "passphrase"); code != 1 || !strings.Contains(errOut, "read from stdin does not open") || strings.Contains(errOut, "Type it again") {
		t.Fatalf("passphrase with a wrong line: exit %d: %s", code, errOut)
	}
	if code, _, errOut := e.run(nil, "right\nnewer-pass\n", false, "passphrase"); code != 0 {
		t.Fatalf("passphrase: exit %d: %s", code, errOut)
	}
	code, out, errOut := e.run(nil, "", false, "recipients", "list", "--json")
	var rs []recipientJSON
	if code != 0 || json.Unmarshal([]byte(out), &rs) != nil || len(rs) != 1 || !rs[0].Own || !strings.HasPrefix(rs[0].Key, "age1") {
		t.Fatalf("recipients list --json: exit %d: %s %s", code, out, errOut)
	}
	mate := "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"
	if code, _, errOut := e.run(nil, "newer-pass\n", false, "recipients", "add", mate); code != 0 || !strings.Contains(errOut, "Encrypted 1 item anew") {
		t.Fatalf("recipients add: exit %d: %s", code, errOut)
	}
	if code, out, _ := e.run(nil, "", false, "recipients", "list"); code != 0 || !strings.Contains(out, mate) {
		t.Fatalf("recipients list: %s", out)
	}
	if code, _, errOut := e.run(nil, "", false, "recipients", "add", "ssh-dss AAAA"); code != 2 || !strings.Contains(errOut, "cannot be age recipients") {
		t.Fatalf("a DSA key: exit %d: %s", code, errOut)
	}
	if code, _, errOut := e.run(nil, "newer-pass\n", false, "recipients", "rm", mate); code != 0 || !strings.Contains(errOut, "rotate the secrets") {
		t.Fatalf("recipients rm: exit %d: %s", code, errOut)
	}
	if err := kernelkeyring.Available(); err != nil {
		t.Skipf("KERNEL KEYRING TESTS SKIPPED: %v", err)
	}
	if code, _, errOut := e.run(nil, "newer-pass\n", false, "unlock", "--for", "1m"); code != 0 || !strings.Contains(errOut, "Unlocked the encrypted file store") {
		t.Fatalf("unlock: exit %d: %s", code, errOut)
	}
	t.Cleanup(func() { e.run(nil, "", false, "lock") })
	if code, out, errOut := e.run(nil, "", false, "token", "d"); code != 0 || strings.TrimSpace(out) != e.key {
		t.Fatalf("token after unlock: exit %d: %s %s", code, out, errOut)
	}
	code, out, _ = e.run(nil, "", false, "doctor", "--json")
	var d struct {
		File *fileStoreReport `json:"file_store"`
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil || d.File == nil || !d.File.Unlocked || d.File.State != "ready" || d.File.Recipients != 1 {
		t.Fatalf("doctor --json: exit %d: %s", code, out)
	}
	if code, _, errOut := e.run(nil, "", false, "lock"); code != 0 || !strings.Contains(errOut, "Locked") {
		t.Fatalf("lock: exit %d: %s", code, errOut)
	}
}

// TestFallbackNoticeOnce: when auto chose the file store because no
// keychain answered, the first write says so in one line; the second
// (the store recorded) does not. The opener stands in for a probe that
// found no session bus (the process's D-Bus connection, once made by
// another test, would answer); the binary's test probes for real.
func TestFallbackNoticeOnce(t *testing.T) {
	t.Setenv("CREDWIZ_PASSPHRASE", "pw")
	e := newTestEnv(t)
	open := func(o store.Options) (*store.Store, error) {
		o.WorkFactor = 10
		if kind, err := store.NewIndex(o.Dir).Kind(); err != nil || kind != "" || o.Kind != store.KindAuto {
			return store.Open(o)
		}
		o.Kind = store.KindFile
		st, err := store.Open(o)
		if err == nil {
			st.Reason = "auto: no keychain answered"
			st.Fallback = &store.UnavailableError{Op: "keychain read", Reason: store.ReasonNoBus, Detail: "DBUS_SESSION_BUS_ADDRESS is unset"}
		}
		return st, err
	}
	run := func(name string) string {
		ios, _, errOut := testIO("api_key=k-0123456789abcdef\n")
		f := e.factory(ios)
		f.OpenStore = open
		if code := Main(context.Background(), f, []string{"add", "drift", "--name", name, "--field", "base_url=http://127.0.0.1:9", "--secrets-stdin", "--no-test"}); code != 0 {
			t.Fatalf("add %s: exit %d: %s", name, code, errOut)
		}
		return errOut.String()
	}
	first := run("a")
	if strings.Count(first, "No OS keychain answered (no D-Bus session bus") != 1 || !strings.Contains(first, "credwiz migrate --to keychain") {
		t.Fatalf("first write: %s", first)
	}
	if second := run("b"); strings.Contains(second, "No OS keychain answered") {
		t.Fatalf("second write: %s", second)
	}
}

// TestRecipientsLockedNoTerminal: recipients add/rm/sync on a locked store
// with stdin not a terminal and empty fail on the passphrase (rm of a
// key that is no recipient, before it) and say
// nothing else: no "Nothing to change" before the error, and the key is
// not added.
func TestRecipientsLockedNoTerminal(t *testing.T) {
	e := newFileEnv(t)
	mate := "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"
	for _, args := range [][]string{{"recipients", "add", mate}, {"recipients", "rm", mate}, {"recipients", "sync"}} {
		code, _, errOut := e.run(nil, "", false, args...)
		// rm of a key that is no recipient is refused before the
		// passphrase is needed.
		why := "passphrase"
		if args[1] == "rm" {
			why = "is not a recipient"
		}
		if code == 0 || strings.Contains(errOut, "Nothing to change") || !strings.Contains(errOut, why) {
			t.Errorf("%v: exit %d: %s", args, code, errOut)
		}
	}
	if _, out, _ := e.run(nil, "", false, "recipients", "list"); strings.Contains(out, mate) {
		t.Errorf("the key was added: %s", out)
	}
}

// TestNewPassphraseMinimum: a new passphrase shorter than 8 characters is
// refused wherever it is chosen (the page of a new store, the terminal
// prompt, credwiz passphrase from CREDWIZ_NEW_PASSPHRASE or stdin), and
// the store keeps its passphrase; 8 characters are enough.
func TestNewPassphraseMinimum(t *testing.T) {
	for _, p := range []string{"", "x", "seven77", "sieben€"} {
		if checkNewPassphrase(p) == nil {
			t.Errorf("%q accepted", p)
		}
	}
	if err := checkNewPassphrase("eight888"); err != nil {
		t.Errorf("8 characters: %v", err)
	}
	e := newFileEnv(t)
	ios0, _, _ := testIO("")
	f := e.factory(ios0)
	f.Prompter = newScript(t, answer{page: "passphrase", invalid: map[string]string{"passphrase": "x"},
		set: map[string]string{"passphrase": "open sesame", "passphrase_again": "open sesame"}})
	if p, err := f.askPassphrasePage(store.PassphraseRequest{Path: e.dir + "/identity.age", New: true}); err != nil || p != "open sesame" {
		t.Errorf("page: %q %v", p, err)
	}
	ios, _, errOut := testIO("")
	f = e.factory(ios)
	typed := []string{"x", "open sesame", "open sesame"}
	f.AskSecret = func(string) (string, error) { p := typed[0]; typed = typed[1:]; return p, nil }
	if p, err := f.askNewPassphrase("Passphrase: "); err != nil || p != "open sesame" || !strings.Contains(errOut.String(), "too short") {
		t.Errorf("terminal: %q %v: %s", p, err, errOut)
	}
	e.env["CREDWIZ_NEW_PASSPHRASE"] = "x"
	if code, _, errOut := e.run(nil, "right\n", false, "passphrase"); code != 2 || !strings.Contains(errOut, "too short") {
		t.Errorf("CREDWIZ_NEW_PASSPHRASE=x: exit %d: %s", code, errOut)
	}
	delete(e.env, "CREDWIZ_NEW_PASSPHRASE")
	if code, _, errOut := e.run(nil, "right\nx\n", false, "passphrase"); code != 2 || !strings.Contains(errOut, "too short") {
		t.Errorf("stdin x: exit %d: %s", code, errOut)
	}
	if code, _, errOut := e.run(nil, "right\n        \n", false, "passphrase"); code != 2 || !strings.Contains(errOut, "too short") {
		t.Errorf("stdin of 8 spaces: exit %d: %s", code, errOut)
	}
	if code, _, errOut := e.run(nil, "right\nab\u200bcd efg\n", false, "passphrase"); code != 2 || !strings.Contains(errOut, "too short") {
		t.Errorf("stdin of 6 letters, a space and a zero-width space: exit %d: %s", code, errOut)
	}
	if code, _, errOut := e.run(nil, "right\neight888\n", false, "passphrase"); code != 0 {
		t.Errorf("the current passphrase no longer opens the store, or 8 characters refused: exit %d: %s", code, errOut)
	}
}

// TestMigrateToKeychainNoneAnswers: migrate --to keychain from a locked
// file store where no keychain answers fails on the keychain before the
// passphrase is needed (stdin is empty: asking would fail differently),
// says why in words a user can act on, and does not suggest moving to the
// file store the secrets are already in.
//
// It runs in a child process of the test binary: the D-Bus session
// connection is per process, and once another test has made it, an unset
// DBUS_SESSION_BUS_ADDRESS no longer means "no bus" here.
func TestMigrateToKeychainNoneAnswers(t *testing.T) {
	const child = "CREDWIZ_TEST_NO_BUS_CHILD"
	if os.Getenv(child) != "1" {
		exe, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(exe, "-test.run=^TestMigrateToKeychainNoneAnswers$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), child+"=1", "DBUS_SESSION_BUS_ADDRESS=")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestMigrateToKeychainNoneAnswers") {
			t.Fatalf("in a process without a session bus: %v\n%s", err, out)
		}
		return
	}
	e := newFileEnv(t)
	code, _, errOut := e.run(nil, "", false, "migrate", "--to", "keychain")
	if code == 0 || !strings.Contains(errOut, "keychain store does not answer (no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set))") {
		t.Errorf("exit %d: %s", code, errOut)
	}
	for _, bad := range []string{"passphrase", "migrate --to file", "credwiz-probe", "dbus-launch"} {
		if strings.Contains(errOut, bad) {
			t.Errorf("the error mentions %q: %s", bad, errOut)
		}
	}
	if code, out, _ := e.run(nil, "", false, "list", "--json"); code != 0 || !strings.Contains(out, `"d"`) {
		t.Errorf("after the failed migration: exit %d: %s", code, out)
	}
}

// TestTestDurationLeavesOutThePassphrase: the duration test reports is the
// live test's, not the time spent typing the passphrase to read the
// secret (a clock that moves 30 s while the passphrase page is up).
func TestTestDurationLeavesOutThePassphrase(t *testing.T) {
	e := newFileEnv(t)
	em := connectortest.NewDrift()
	defer em.Close()
	st, err := store.Open(store.Options{Dir: e.dir, Kind: store.KindFile, WorkFactor: 10,
		Passphrase: func(store.PassphraseRequest) (string, error) { return "right", nil }})
	if err != nil {
		t.Fatal(err)
	}
	c := store.Credential{Name: "live", Connector: "drift", Fields: map[string]string{"base_url": em.URL()}}
	if _, err := st.Add(context.Background(), c, em.Values(), store.AddOptions{}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	s := newScript(t, answer{page: "passphrase", set: map[string]string{"passphrase": "right"},
		check: func(*testing.T, *Page) { now = now.Add(30 * time.Second) }})
	ios, o, eo := testIO("")
	ios.InTTY, ios.ErrTTY = true, true
	f := e.factory(ios)
	f.OpenStore = func(o store.Options) (*store.Store, error) { o.WorkFactor = 10; return store.Open(o) }
	f.StoreKind = "file"
	f.Prompter = s
	f.Now = func() time.Time { return now }
	if code := Main(context.Background(), f, []string{"test", "live", "--json"}); code != 0 {
		t.Fatalf("exit %d: %s %s", code, o, eo)
	}
	var outs []testOutcome
	if err := json.Unmarshal(o.Bytes(), &outs); err != nil || len(outs) != 1 || !outs[0].OK || outs[0].DurationMS != 0 {
		t.Errorf("test --json (%v): %s", err, o)
	}
}

// TestNewNameStartingWithDash: a name given to a credential may not start
// with '-' (every command would take it for a flag): add and a rename
// refuse it, exit 2; a credential saved under such a name earlier (an
// older credwiz, a teammate's) still works, after --.
func TestNewNameStartingWithDash(t *testing.T) {
	e := newFileEnv(t)
	add := []string{"add", "drift", "--name=-rf", "--field", "base_url=http://127.0.0.1:9", "--secrets-stdin", "--no-test"}
	if code, _, errOut := e.run(nil, "api_key="+e.key+"\n", false, add...); code != 2 || !strings.Contains(errOut, "starts with '-'") {
		t.Errorf("add --name=-rf: exit %d: %s", code, errOut)
	}
	if code, _, errOut := e.run(nil, "", false, "edit", "d", "--name=-x"); code != 2 || !strings.Contains(errOut, "starts with '-'") {
		t.Errorf("edit --name=-x: exit %d: %s", code, errOut)
	}
	st, err := store.Open(store.Options{Dir: e.dir, Kind: store.KindFile, WorkFactor: 10})
	if err != nil {
		t.Fatal(err)
	}
	old := store.Credential{Name: "-old", Connector: "drift", Fields: map[string]string{"base_url": "http://127.0.0.1:9"}}
	if _, err := st.Add(context.Background(), old, map[string]string{"api_key": e.key}, store.AddOptions{}); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := e.run(nil, "", false, "edit", "--description", "kept", "--", "-old"); code != 0 {
		t.Errorf("edit -- -old: exit %d: %s", code, errOut)
	}
	if code, out, errOut := e.run(nil, "", false, "show", "--", "-old"); code != 0 || !strings.Contains(out, "kept") {
		t.Errorf("show -- -old: exit %d: %s%s", code, out, errOut)
	}
}

// TestPassphraseCommandPages: at a terminal, credwiz passphrase asks for
// the current passphrase under that title (again, with the tries left,
// after a wrong one), then for the new one twice.
func TestPassphraseCommandPages(t *testing.T) {
	e := newFileEnv(t)
	title := func(want string) func(t *testing.T, p *Page) {
		return func(t *testing.T, p *Page) {
			if got := p.Questions[0].Title; got != want {
				t.Errorf("title %q, want %q", got, want)
			}
		}
	}
	s := newScript(t,
		answer{page: "passphrase", set: map[string]string{"passphrase": "wrong"},
			check: title("The current passphrase of the encrypted file store")},
		answer{page: "passphrase", set: map[string]string{"passphrase": "right"},
			check: title("The current passphrase of the encrypted file store, again (2 tries left)")},
		answer{page: "passphrase", set: map[string]string{"passphrase": "a new passphrase", "passphrase_again": "a new passphrase"},
			check: title("The new passphrase")},
	)
	if code, _, errOut := e.run(s, "", true, "passphrase"); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}
