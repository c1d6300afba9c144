package ui

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
	"github.com/credwiz/credwiz/store"
)

// hostileText holds what a terminal would obey or what disguises text:
// a window title (OSC 0 … BEL), clear screen (CSI 2J), a clipboard write
// (OSC 52), an 8-bit CSI, a right-to-left override, zero-width
// characters, a line separator, a tab and a newline.
const hostileText = "acme\x1b]0;pwned\x07\x1b[2J\x1b]52;c;Y3VybCBldmlsfHNo\x07\u009b2J \u202eexe.txt\u200b\ufeff\u2028x\ty\nz"

// rawUnsafe returns the first character in s that a terminal would obey
// or that disguises text (tab and newline allowed where allowed is true).
func rawUnsafe(s string, allowTabNewline bool) (rune, bool) {
	for _, r := range s {
		if allowTabNewline && (r == '\t' || r == '\n') {
			continue
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
			return r, true
		}
	}
	return 0, false
}

// hostileCredential saves a credential whose index texts are all
// hostileText, as another program could have written them.
func hostileCredential(t *testing.T, e *testEnv) {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Second)
	err := e.index().Update(context.Background(), func(tx *store.Tx) error {
		tx.Put(hostileCred(now))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// hostileCred is a credential whose index texts are all hostileText.
func hostileCred(now time.Time) store.Credential {
	return store.Credential{
		Name: "evil", Connector: "drift", Description: hostileText,
		Fields:     map[string]string{"base_url": "https://driftapi.com"},
		SecretKeys: []string{"api_key"},
		CreatedAt:  now, UpdatedAt: now, SecretsUpdatedAt: now,
		LastTest: &store.TestResult{At: now, OK: false, Class: "vendor" + hostileText, Message: hostileText,
			Account: hostileText, Warnings: []string{hostileText}},
	}
}

// TestHostileIndexTextIsNeutralized: list, show and completion print the
// index's texts without a raw control, escape, bidi or zero-width
// character, the plain rows keep their six columns, and --json keeps the
// values exact.
func TestHostileIndexTextIsNeutralized(t *testing.T) {
	e := newTestEnv(t)
	hostileCredential(t, e)
	for _, args := range [][]string{
		{"list"}, {"show", "evil"}, {"__complete", "show", ""}, {"__complete", "test", "e"},
	} {
		r := e.run("", args...)
		for _, out := range []string{r.out, r.err} {
			if c, bad := rawUnsafe(out, true); bad {
				t.Errorf("credwiz %s printed a raw %U:\n%q", strings.Join(args, " "), c, out)
			}
		}
		if !strings.Contains(r.out, "␛]0;pwned␇") && args[0] != "__complete" {
			t.Errorf("credwiz %s does not show the escape as ␛: %q", strings.Join(args, " "), r.out)
		}
		if args[0] == "list" {
			for _, l := range strings.Split(strings.TrimSuffix(r.out, "\n"), "\n") {
				if n := strings.Count(l, "\t"); n != 5 {
					t.Errorf("list row has %d tabs, want 5 (six columns): %q", n, l)
				}
			}
		}
		if args[0] == "show" && !strings.Contains(r.out, "<U+202E>exe.txt<U+200B><U+FEFF><U+2028>x␉y␊z") {
			t.Errorf("show does not name the invisible characters: %q", r.out)
		}
	}
	for _, args := range [][]string{{"list", "--json"}, {"show", "evil", "--json"}} {
		r := e.run("", args...)
		if c, bad := rawUnsafe(r.out, true); bad {
			t.Errorf("credwiz %s printed a raw %U:\n%s", strings.Join(args, " "), c, r.out)
		}
		var v any
		if err := json.Unmarshal([]byte(r.out), &v); err != nil {
			t.Fatalf("credwiz %s: %v\n%s", strings.Join(args, " "), err, r.out)
		}
		cred, _ := v.(map[string]any)
		if list, ok := v.([]any); ok && len(list) == 1 {
			cred, _ = list[0].(map[string]any)
		}
		lt, _ := cred["last_test"].(map[string]any)
		if cred["description"] != hostileText || lt["account"] != hostileText || lt["message"] != hostileText {
			t.Errorf("credwiz %s changed the values: %s", strings.Join(args, " "), r.out)
		}
	}
}

// TestHostileAccountFromVendor: a Drift org id with escape sequences and
// a right-to-left override reaches the terminal neutralized in test's
// output and in show, and exact in test --json.
func TestHostileAccountFromVendor(t *testing.T) {
	e := newTestEnv(t)
	em := connectortest.New("drift").(*connectortest.Drift)
	t.Cleanup(em.Close)
	c := driftConnector(t)
	args, stdin := addArgs(c, "drift-org", em.Values())
	if r := e.run(stdin, append(args, "--no-test")...); r.code != 0 {
		t.Fatalf("add: %d %s", r.code, r.err)
	}
	em.SetOrg("\u202e42\x1b]0;t\x07")
	r := e.run("", "test", "drift-org")
	if r.code != 0 {
		t.Fatalf("test: %d %s", r.code, r.err)
	}
	if c, bad := rawUnsafe(r.out+r.err, true); bad {
		t.Errorf("test printed a raw %U: %q", c, r.out)
	}
	if !strings.Contains(r.out, "<U+202E>42") {
		t.Errorf("test does not show the override as <U+202E>: %q", r.out)
	}
	r = e.run("", "test", "drift-org", "--json")
	var outs []testJSONOutcome
	if err := json.Unmarshal([]byte(r.out), &outs); err != nil || len(outs) != 1 {
		t.Fatalf("test --json: %v: %s", err, r.out)
	}
	if _, bad := rawUnsafe(r.out, true); bad || !strings.Contains(outs[0].Report.Account, "\u202e42") {
		t.Errorf("test --json: account %q (raw in output: %v); want the override kept, escaped", outs[0].Report.Account, bad)
	}
	r = e.run("", "show", "drift-org")
	if c, bad := rawUnsafe(r.out, true); bad || !strings.Contains(r.out, "<U+202E>42") {
		t.Errorf("show printed %q (raw %U)", r.out, c)
	}
}

type testJSONOutcome struct {
	Report struct {
		Account string `json:"account"`
	} `json:"report"`
}

func TestDescriptionRefusesInvisibleCharacters(t *testing.T) {
	em := connectortest.New("drift").(*connectortest.Drift)
	t.Cleanup(em.Close)
	c := driftConnector(t)
	for _, tc := range []struct{ desc, want string }{
		{"a\u202eb", "U+202E"},
		{"\u2066isolate\u2069", "U+2066"},
		{"zero\u200bwidth", "U+200B"},
		{"\ufeffbom", "U+FEFF"},
		{"line\u2028sep", "U+2028"},
		{"esc\x1b[2J", "U+001B"},
		{"c1\u009b2J", "U+009B"},
		{"tab\there", "tab"},
		{"bad\xffutf8", "UTF-8"},
	} {
		e := newTestEnv(t)
		args, stdin := addArgs(c, "d", em.Values())
		r := e.run(stdin, append(args, "--no-test", "--description", tc.desc)...)
		if r.code != 2 || !strings.Contains(r.err, "--description") || !strings.Contains(r.err, tc.want) ||
			strings.Count(strings.TrimSuffix(r.err, "\n"), "\n") != 0 {
			t.Errorf("description %q: exit %d, stderr %q; want 2 and one line naming --description and %s", tc.desc, r.code, r.err, tc.want)
		}
		if creds, _ := e.index().List(); len(creds) != 0 {
			t.Errorf("description %q: saved anyway", tc.desc)
		}
	}
	e := newTestEnv(t)
	args, stdin := addArgs(c, "ok", em.Values())
	if r := e.run(stdin, append(args, "--no-test", "--description", "Zürich — 東京 ❤️ (prod)")...); r.code != 0 {
		t.Errorf("a plain unicode description is refused: %s", r.err)
	}
}

func TestSecretsStdinByteOrderMark(t *testing.T) {
	em := connectortest.New("drift").(*connectortest.Drift)
	t.Cleanup(em.Close)
	c := driftConnector(t)
	e := newTestEnv(t)
	args, stdin := addArgs(c, "bom", em.Values())
	r := e.run("\ufeff"+stdin, args...)
	if r.code != 0 {
		t.Fatalf("a BOM before the first line: exit %d: %s", r.code, r.err)
	}
	if got, _ := e.secrets.Get("bom"); got.Values["api_key"] != em.Values()["api_key"] {
		t.Errorf("saved api_key %q, want the key without the BOM", got.Values["api_key"])
	}
	// Only at the very start: elsewhere it is still part of a key.
	m, err := parseSecretsStdin(strings.NewReader("a=1\n\ufeffb=2\n"))
	if err == nil {
		t.Errorf("a BOM on line 2 was accepted: %v", m)
	}
}

func driftConnector(t *testing.T) *connectors.Connector {
	t.Helper()
	c, ok := connectors.Lookup("drift")
	if !ok {
		t.Fatal("no drift connector")
	}
	return c
}

// TestDoctorHostileItemNames: keychain items are named by whoever wrote
// them; doctor lists them neutralized (and exact in --json).
func TestDoctorHostileItemNames(t *testing.T) {
	e := newTestEnv(t)
	evil := "orphan" + hostileText
	if err := e.secrets.Set(evil, store.Item{Values: map[string]string{"k": "v"}}); err != nil {
		t.Fatal(err)
	}
	r := e.run("", "doctor")
	if c, bad := rawUnsafe(r.out+r.err, true); bad {
		t.Errorf("doctor printed a raw %U:\n%q", c, r.out)
	}
	if !strings.Contains(r.out, "orphan"+"acme␛]0;pwned␇") {
		t.Errorf("doctor does not list the item, neutralized: %q", r.out)
	}
	r = e.run("", "doctor", "--json")
	var rep struct {
		Orphans []string `json:"orphan_secrets"`
		Unknown []string `json:"unknown_items"`
	}
	if err := json.Unmarshal([]byte(r.out), &rep); err != nil {
		t.Fatalf("doctor --json: %v: %s", err, r.out)
	}
	if !slices.Contains(append(rep.Orphans, rep.Unknown...), evil) {
		t.Errorf("doctor --json lost the exact name: %+v", rep)
	}
	if c, bad := rawUnsafe(r.out, true); bad {
		t.Errorf("doctor --json printed a raw %U", c)
	}
}

// TestForceWarningIsNeutralized: the warning of add, edit and reauth
// --force quotes the vendor's failure; it reaches the terminal with no
// raw escape, bidi or zero-width character (the attacker's body: an OSC
// title, a right-to-left override, a zero-width space, a soft hyphen).
func TestForceWarningIsNeutralized(t *testing.T) {
	e := newTestEnv(t)
	em := connectortest.New("drift").(*connectortest.Drift)
	t.Cleanup(em.Close)
	c := driftConnector(t)
	args, stdin := addArgs(c, "hv", em.Values())
	em.Rewrite(func(_ *http.Request, a *connectortest.Answer) {
		a.Status = 401
		a.Header.Set("Content-Type", "text/plain")
		a.Body = []byte("evil \x1b]0;PWNED\x07 \u202eRTL \u200bzw \u00adshy")
	})
	for _, run := range []struct {
		name  string
		stdin string
		args  []string
	}{
		{"add", stdin, append(args, "--force")},
		{"edit", "", []string{"edit", "hv", "--field", "base_url=" + strings.Replace(em.URL(), "127.0.0.1", "localhost", 1), "--force"}},
		{"reauth", "api_key=" + em.Values()["api_key"] + "\n", []string{"reauth", "hv", "--secrets-stdin", "--force"}},
	} {
		r := e.run(run.stdin, run.args...)
		if r.code != 0 || !strings.Contains(r.err, "saving anyway (--force)") {
			t.Fatalf("%s --force: exit %d:\n%s", run.name, r.code, r.err)
		}
		if c, bad := rawUnsafe(r.err, true); bad {
			t.Errorf("%s --force printed a raw %U:\n%q", run.name, c, r.err)
		}
		if !strings.Contains(r.err, "<U+202E>RTL") {
			t.Errorf("%s --force does not name the override: %q", run.name, r.err)
		}
	}
}

// TestEditWizardEchoIsNeutralized: the edit wizard echoes the saved
// description and settings (from the index) before the test: no raw
// escape, bidi or zero-width character reaches the terminal.
func TestEditWizardEchoIsNeutralized(t *testing.T) {
	e := newTestEnv(t)
	hostileCredential(t, e)
	s := newScript(t,
		answer{page: "name"},
		answer{page: "settings/1", set: map[string]string{"api_key": "new-key-0123456789", "base_url": "http://127.0.0.1:9"}},
		answer{page: "decide", set: map[string]string{"decide": actCancel}},
	)
	r := e.runScript(s, "edit", "evil")
	if !strings.Contains(r.err, "Name:") {
		t.Fatalf("the wizard echoed no name line (exit %d):\n%q", r.code, r.err)
	}
	if c, bad := rawUnsafe(r.err, true); bad {
		t.Errorf("the edit wizard printed a raw %U:\n%q", c, r.err)
	}
}
