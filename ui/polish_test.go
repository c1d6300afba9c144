package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
	"github.com/credwiz/credwiz/store"
)

// TestShowLabelsAligned: with colour on, every value of show starts in
// the same column.
func TestShowLabelsAligned(t *testing.T) {
	e := newTestEnv(t)
	em := connectortest.NewSalesforce()
	defer em.Close()
	c, _ := connectors.Lookup("salesforce")
	args, stdin := addArgs(c, "sf", em.Values())
	if r := e.run(stdin, append(args, "--description", "aligned")...); r.code != 0 {
		t.Fatal(r.err)
	}
	ios, out, _ := testIO("")
	ios.OutTTY, ios.NoColor = true, false
	root := NewRoot(e.factory(ios))
	root.SetArgs([]string{"show", "sf"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	col := -1
	for _, l := range strings.Split(strings.TrimSpace(ansi.Strip(out.String())), "\n")[1:] {
		i := strings.Index(l, ": ")
		if i < 0 {
			continue
		}
		rest := l[i+1:]
		start := i + 1 + len(rest) - len(strings.TrimLeft(rest, " "))
		if col < 0 {
			col = start
		}
		if start != col {
			t.Errorf("value of %q starts at column %d, others at %d:\n%s", l[:i], start, col, ansi.Strip(out.String()))
		}
	}
}

// TestTestAllInColumns: test --all prints one row per credential with the
// connector in one column whatever the name's length.
func TestTestAllInColumns(t *testing.T) {
	e := newTestEnv(t)
	em := connectortest.NewDrift()
	defer em.Close()
	c, _ := connectors.Lookup("drift")
	for _, n := range []string{"a", "a-much-longer-name"} {
		args, stdin := addArgs(c, n, em.Values())
		if r := e.run(stdin, args...); r.code != 0 {
			t.Fatal(r.err)
		}
	}
	r := e.run("", "test", "--all")
	if r.code != 0 {
		t.Fatal(r.err)
	}
	col := -1
	for _, l := range strings.Split(strings.TrimSpace(r.out), "\n") {
		i := strings.Index(l, "drift")
		if col < 0 {
			col = i
		}
		if i != col {
			t.Errorf("rows not in columns:\n%s", r.out)
			break
		}
	}
}

func TestListNothingExpiring(t *testing.T) {
	e := newTestEnv(t)
	if err := putCredential(e.index(), store.Credential{Name: "x", Connector: "drift"}); err != nil {
		t.Fatal(err)
	}
	ios, _, errOut := testIO("")
	ios.OutTTY = true
	root := NewRoot(e.factory(ios))
	root.SetArgs([]string{"list", "--expiring-within", "14d"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	if got := errOut.String(); !strings.Contains(got, "No password expires within 14d (1 saved credential") {
		t.Errorf("list --expiring-within with nothing expiring says %q", got)
	}
	if got := emptyListText("", 0); !strings.Contains(got, "No credentials saved yet") {
		t.Error(got)
	}
}

// TestFailureAdviceFitsTheConnector: a saved Drift credential that is
// rejected is told to re-authenticate without talk of passwords; a
// Salesforce one with.
func TestFailureAdviceFitsTheConnector(t *testing.T) {
	e := newTestEnv(t)
	em := connectortest.NewDrift()
	defer em.Close()
	c, _ := connectors.Lookup("drift")
	v := em.Values()
	args, stdin := addArgs(c, "d", v)
	if r := e.run(stdin, args...); r.code != 0 {
		t.Fatal(r.err)
	}
	em.SetToken("drift-rotated-" + strings.Repeat("9", 20))
	r := e.run("", "test", "d")
	if r.code != 1 || !strings.Contains(flat(r.out), "If the secret was revoked or rotated, run: credwiz reauth d") || strings.Contains(r.out, "password") {
		t.Errorf("Drift failure advice:\n%s", r.out)
	}
	sf, _ := connectors.Lookup("salesforce")
	msg := failure(sf, "prod-sf", &connectors.Error{Class: connectors.ErrRejected, Code: "invalid_grant"})
	if !strings.Contains(msg, "If the password expired") {
		t.Errorf("Salesforce failure advice: %s", msg)
	}
}

func TestStoreAdviceNamesMigrate(t *testing.T) {
	e := newTestEnv(t)
	f := e.factory(nil)
	if got := fileAdvice(f); !strings.Contains(got, "--store file") {
		t.Errorf("before the first save: %q", got)
	}
	em := connectortest.NewDrift()
	defer em.Close()
	c, _ := connectors.Lookup("drift")
	args, stdin := addArgs(c, "d", em.Values())
	if r := e.run(stdin, args...); r.code != 0 {
		t.Fatal(r.err)
	}
	if kind, _ := e.index().Kind(); kind != store.KindFile && kind != "" {
		if got := fileAdvice(f); got != "credwiz migrate --to file" {
			t.Errorf("with %s recorded: %q", kind, got)
		}
	}
	if h := (&store.UnavailableError{Reason: store.ReasonNoService}).Hint(); !strings.Contains(h, "credwiz migrate --to file") {
		t.Errorf("keychain hint: %s", h)
	}
}

// TestSessionLeftWording: doctor says an unlocked session's time left to
// the minute (not "7h0m0s" for 7h59m) and to the second under a minute.
func TestSessionLeftWording(t *testing.T) {
	for in, want := range map[string]string{"7h59m3s": "7h59m", "2h30m0s": "2h30m", "1h0m0s": "1h00m", "12m40s": "12m", "1m30s": "1m", "45s": "45s", "bogus": "bogus"} {
		if got := sessionLeft(in); got != want {
			t.Errorf("sessionLeft(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestPickerEscLabel: the credential picker of a command (credwiz token
// with no NAME) says Esc cancels, which ends the command; the home menu's
// says Esc goes back, to the menu.
func TestPickerEscLabel(t *testing.T) {
	e := newTestEnv(t)
	if err := putCredential(e.index(), store.Credential{Name: "p", Connector: "drift"}); err != nil {
		t.Fatal(err)
	}
	ios, _, _ := testIO("")
	f := e.factory(ios)
	var page *Page
	f.Prompter = pageGrabber(func(p *Page) { page = p })
	for _, home := range []bool{false, true} {
		f.inHome = home
		_, _ = pickCredential(f, homeReauth, false)
		want := map[bool]string{false: "cancel", true: "back"}[home]
		if page == nil || page.EscHelp != want {
			t.Errorf("in the home menu %v: Esc labelled %q, want %q", home, page.EscHelp, want)
		}
	}
}

// TestTestFailureWrappedAtWords: on a terminal, test's explanation of a
// failure is wrapped at words to the width (a terminal would break it
// mid-word), each line indented; to a pipe it stays one line.
func TestTestFailureWrappedAtWords(t *testing.T) {
	e := newTestEnv(t)
	em := connectortest.NewDrift()
	defer em.Close()
	c, _ := connectors.Lookup("drift")
	args, stdin := addArgs(c, "wrapped", em.Values())
	if r := e.run(stdin, args...); r.code != 0 {
		t.Fatalf("add: exit %d: %s", r.code, r.err)
	}
	em.SetToken("another-token-0123456789")
	for _, tty := range []bool{true, false} {
		ios, out, _ := testIO("")
		ios.OutTTY = tty
		ios.Width = func() int { return 50 }
		if code := Main(context.Background(), e.factory(ios), []string{"test", "wrapped"}); code == 0 {
			t.Fatal("test of a revoked token: exit 0")
		}
		lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
		long := 0
		for _, l := range lines[1:] {
			if !strings.HasPrefix(l, "  ") {
				t.Errorf("tty %v: a line not indented: %q", tty, l)
			}
			if len([]rune(l)) > 50 {
				long++
			}
		}
		if joined := strings.Join(strings.Fields(out.String()), " "); !strings.Contains(joined, "credwiz reauth wrapped") {
			t.Errorf("tty %v: the next step is broken: %s", tty, out)
		}
		if tty && (long > 0 || len(lines) < 3) || !tty && len(lines) != 2 {
			t.Errorf("tty %v: %d lines, %d too long:\n%s", tty, len(lines), long, out)
		}
	}
}

// TestScriptedAddSaysItTested: a scripted add that tested the credential
// live says so (with the account), as reauth's report does; with
// --no-test it does not claim it.
func TestScriptedAddSaysItTested(t *testing.T) {
	e := newTestEnv(t)
	em := connectortest.NewDrift()
	defer em.Close()
	c, _ := connectors.Lookup("drift")
	args, stdin := addArgs(c, "said", em.Values())
	r := e.run(stdin, args...)
	if r.code != 0 || !strings.Contains(r.err, "tested live: it works") {
		t.Errorf("add: exit %d: %s", r.code, r.err)
	}
	args, stdin = addArgs(c, "untested", em.Values())
	r = e.run(stdin, append(args, "--no-test")...)
	if r.code != 0 || strings.Contains(r.err, "tested live") {
		t.Errorf("add --no-test: exit %d: %s", r.code, r.err)
	}
}

// TestListAfterAnUntestedChange: a credential changed since its last
// (passing) test still shows the account that test saw and its static
// key's "never", not a setting under ACCOUNT and an empty EXPIRES.
func TestListAfterAnUntestedChange(t *testing.T) {
	c, _ := connectors.Lookup("drift")
	cr := store.Credential{Name: "d", Connector: "drift", Revision: 3,
		Fields:   map[string]string{"base_url": "http://127.0.0.1:9"},
		LastTest: &store.TestResult{OK: true, Account: "org 123456", TokenNeverExpires: true, Revision: 2}}
	if got := keyField(c, cr); got != "org 123456" {
		t.Errorf("ACCOUNT = %q", got)
	}
	if got, _ := expiryText(time.Now(), c, cr); got != "never (static key)" {
		t.Errorf("EXPIRES = %q", got)
	}
}
