package ui

import (
	"context"
	"strings"
	"testing"

	"github.com/credwiz/credwiz/connectors/connectortest"
	"github.com/credwiz/credwiz/store"
)

// saveGuardedDrift saves a Drift credential called name straight into the
// test env's index and secrets.
func saveGuardedDrift(t *testing.T, e *testEnv, name string) {
	t.Helper()
	err := e.index().Update(context.Background(), func(tx *store.Tx) error {
		tx.Put(store.Credential{Name: name, Connector: "drift", Fields: map[string]string{"base_url": "https://driftapi.com"},
			SecretKeys: []string{"api_key"}})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.secrets.Set(name, store.Item{Values: map[string]string{"api_key": "drift-key-0123456789"}}); err != nil {
		t.Fatal(err)
	}
}

// TestTerminalRmTypedAheadNeverDeletes: a line typed before rm's question
// is shown (the operator's next shell command, "ls") does not answer it:
// the keys are discarded, and Enter on the question as shown is no.
func TestTerminalRmTypedAheadNeverDeletes(t *testing.T) {
	e := newTestEnv(t)
	saveGuardedDrift(t, e, "keep-me")
	tr := e.startTerminalTypedAhead(80, 24, "ls"+kTypedAheadEnter, "rm", "keep-me")
	tr.waitShown("delete")
	tr.waitDrawn("were not used: answer it here") // it says the keys were dropped
	tr.keys(kEnter)
	r := tr.wait()
	if _, err := e.index().Get("keep-me"); err != nil || r.code != 130 {
		t.Fatalf("rm with \"ls\" typed ahead: exit %d, credential: %v; want exit 130 and the credential kept\n%s", r.code, err, screenText(tr.errOut.String()))
	}
}

// TestTerminalGuardedQuestionIgnoresHL: on a guarded question h and l do
// not toggle the answer (huh's confirm toggles on them elsewhere): typing
// "ls" and Enter on rm's question keeps the credential; y deletes it.
func TestTerminalGuardedQuestionIgnoresHL(t *testing.T) {
	e := newTestEnv(t)
	saveGuardedDrift(t, e, "keep-me")
	tr := e.startTerminal(80, 24, "rm", "keep-me")
	tr.waitShown("delete")
	tr.keys("ls" + kEnter)
	if r := tr.wait(); r.code != 130 {
		t.Fatalf("rm answered with \"ls\" and Enter: exit %d, want 130 (no)\n%s", r.code, screenText(tr.errOut.String()))
	}
	if _, err := e.index().Get("keep-me"); err != nil {
		t.Fatalf("rm answered with \"ls\" and Enter deleted the credential: %v", err)
	}
	if strings.Contains(tr.errOut.String(), "were not used") {
		t.Errorf("nothing was typed ahead, yet the question says keys were dropped:\n%s", screenText(tr.errOut.String()))
	}
	tr = e.startTerminal(80, 24, "rm", "keep-me")
	tr.waitShown("delete")
	tr.keys("y")
	if r := tr.wait(); r.code != 0 {
		t.Fatalf("rm answered y: exit %d\n%s", r.code, screenText(tr.errOut.String()))
	}
	if _, err := e.index().Get("keep-me"); err == nil {
		t.Fatal("rm answered y kept the credential")
	}
}

// TestTerminalHomeTestShowsProgressAndEscStops: a test started from the
// home menu shows what it tests with a spinner while the vendor is slow
// (here: never answers),
// and Esc stops it, records nothing and goes back to the menu.
func TestTerminalHomeTestShowsProgressAndEscStops(t *testing.T) {
	e, em := driftEnv(t, "slow1")
	before := e.snapshot()
	em.Faults().Hang(true) // the vendor never answers: only Esc ends the test
	tr := e.startTerminal(80, 24)
	tr.waitAsk("home")
	tr.keys(kDown + kDown + kEnter) // Test
	tr.waitAsk("pick")
	tr.keys(kDown + kEnter) // slow1 (the first entry is all of them)
	tr.waitDrawn("Testing slow1…")
	tr.keys(kEsc)
	tr.waitAsk("home")
	tr.waitDrawn("no result was recorded")
	quitHomeUnchanged(t, e, tr, before, "a stopped test")
}

// TestTestSaysWhatItTests: credwiz test at a terminal says first what it
// tests (a slow vendor takes seconds), on stderr; on a pipe and with
// --json it says nothing more.
func TestTestSaysWhatItTests(t *testing.T) {
	e, _ := driftEnv(t, "t1", "t2")
	tty := func(s *IOStreams) { s.ErrTTY = true }
	for _, c := range []struct {
		mod  func(*IOStreams)
		args []string
		want string
	}{
		{tty, []string{"test", "t1"}, "Testing t1… (Ctrl-C stops)"},
		{tty, []string{"test", "t1", "t2"}, "Testing 2 credentials… (Ctrl-C stops)"},
		{func(*IOStreams) {}, []string{"test", "t1"}, ""},
		{tty, []string{"test", "t1", "--json"}, ""},
	} {
		r := e.runIO(c.mod, "", c.args...)
		got := strings.Contains(r.err, "Testing ")
		if r.code != 0 || got != (c.want != "") || (c.want != "" && !strings.Contains(r.err, c.want)) {
			t.Errorf("%v: exit %d, stderr %q; want %q", c.args, r.code, r.err, c.want)
		}
	}
}

// TestTerminalSecretPageSaysKeysWereDropped: keys typed ahead that a
// secret page discards (they were meant for other questions) are not lost
// silently: the page says so.
func TestTerminalSecretPageSaysKeysWereDropped(t *testing.T) {
	e := newTestEnv(t)
	tr := e.startTerminal(80, 24, "add", "drift")
	tr.waitShown("name")
	tr.keys("held1" + kEnter + "held behind" + kEnter + "stale-key" + kEnter)
	tr.waitShown("settings/1")
	tr.waitDrawn("were not used: answer it here")
	tr.keys(kCtrlC)
	tr.wait()
}

// TestEditSaysWhereOnlyWhenSecretsMoved: an edit of the description alone
// does not claim to have written the secret store; a new secret does.
func TestEditSaysWhereOnlyWhenSecretsMoved(t *testing.T) {
	e, _ := driftEnv(t, "w1")
	r := e.run("", "edit", "w1", "--description", "new words")
	if r.code != 0 || !strings.Contains(r.err, `Updated "w1"`) || strings.Contains(r.err, " in memory") {
		t.Errorf("edit of the description: exit %d, %q; want Updated without a store named", r.code, r.err)
	}
	r = e.run("api_key=another-drift-key-0123\n", "edit", "w1", "--secrets-stdin", "--no-test")
	if r.code != 0 || !strings.Contains(r.err, `Updated "w1"`) || !strings.Contains(r.err, " in memory") {
		t.Errorf("edit of the secret: exit %d, %q; want Updated … in memory", r.code, r.err)
	}
}

// TestListSaysWhichColumnsAreHidden: on a narrow terminal list leaves
// columns out and says which (on stderr), instead of dropping them
// without a word.
func TestListSaysWhichColumnsAreHidden(t *testing.T) {
	e := newTestEnv(t)
	saveGuardedDrift(t, e, "c1")
	for _, c := range []struct {
		width int
		want  string
	}{
		{120, ""},
		{80, "DESCRIPTION not shown at 80 columns"},
		{60, "DESCRIPTION and ACCOUNT not shown at 60 columns"},
	} {
		r := e.runIO(func(s *IOStreams) {
			s.OutTTY = true
			s.Width = func() int { return c.width }
		}, "", "list")
		if got := strings.Contains(r.err, "not shown"); r.code != 0 || got != (c.want != "") || !strings.Contains(r.err, c.want) {
			t.Errorf("list at %d columns: exit %d, stderr %q; want %q", c.width, r.code, r.err, c.want)
		}
	}
}

// driftEnv is a test env with a Drift emulator (closed when t ends) and a
// credential of it saved under each of names.
func driftEnv(t *testing.T, names ...string) (*testEnv, *connectortest.Drift) {
	t.Helper()
	em := connectortest.NewDrift()
	t.Cleanup(em.Close)
	e := newTestEnv(t)
	for _, n := range names {
		addDrift(t, e, em, n)
	}
	return e, em
}
