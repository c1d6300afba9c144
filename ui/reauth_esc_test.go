package ui

import (
	"maps"
	"testing"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
)

// addDrift saves a Drift credential named name against em, scripted.
func addDrift(t *testing.T, e *testEnv, em *connectortest.Drift, name string) {
	t.Helper()
	c, _ := connectors.Lookup("drift")
	args, stdin := addArgs(c, name, em.Values())
	if r := e.run(stdin, args...); r.code != 0 {
		t.Fatalf("add: %d %s", r.code, r.err)
	}
}

// TestTerminalReauthEscGoesBack: in a re-authentication at a terminal, Esc
// on the vendor's guide (the first step) leaves at once (nothing typed, so
// nothing to discard): exit 130, nothing changed. Esc on the secrets page
// goes back to the guide, whose Esc then leaves: it never goes forward.
func TestTerminalReauthEscGoesBack(t *testing.T) {
	em := connectortest.NewDrift()
	defer em.Close()
	t.Run("guide", func(t *testing.T) {
		e := newTestEnv(t)
		addDrift(t, e, em, "esc1")
		before := e.snapshot()
		tr := e.startTerminal(80, 24, "reauth", "esc1")
		tr.waitAsk("guide")
		tr.waitDrawn("esc cancel")
		tr.keys(kEsc)
		cancelledUnchanged(t, e, tr, before, "Esc on the guide")
	})
	t.Run("secrets", func(t *testing.T) {
		e := newTestEnv(t)
		addDrift(t, e, em, "esc2")
		before := e.snapshot()
		tr := e.startTerminal(80, 24, "reauth", "esc2")
		tr.waitAsk("guide")
		tr.keys(kEnter)
		tr.waitShown("settings/1") // shown: an Esc sent before would be typed ahead, and dropped
		tr.keys(kEsc)
		tr.waitAsk("guide")
		tr.keys(kEsc)
		cancelledUnchanged(t, e, tr, before, "Esc, Esc from the secrets page")
	})
}

// TestTerminalHomeReauthEscReturnsToMenu: Home → Re-authenticate → the
// credential → Esc on the guide comes back to the home menu, changing
// nothing.
func TestTerminalHomeReauthEscReturnsToMenu(t *testing.T) {
	em := connectortest.NewDrift()
	defer em.Close()
	e := newTestEnv(t)
	addDrift(t, e, em, "esc3")
	before := e.snapshot()
	tr := e.startTerminal(80, 24)
	tr.waitAsk("home")
	tr.keys(kDown + kDown + kDown + kEnter) // Re-authenticate
	tr.waitAsk("pick")
	tr.keys(kEnter)
	tr.waitAsk("guide")
	tr.keys(kEsc)
	tr.waitAsk("home")
	quitHomeUnchanged(t, e, tr, before, "a cancelled re-auth")
}

// quitHomeUnchanged chooses Quit on the home menu tr shows, and checks
// that credwiz exits 0 and that what (the step before) changed nothing
// saved since before.
func quitHomeUnchanged(t *testing.T, e *testEnv, tr *terminalRun, before map[string]string, what string) {
	t.Helper()
	tr.keys(kUp + kEnter) // Quit
	if r := tr.wait(); r.code != 0 {
		t.Fatalf("exit %d, want 0 (Quit); screen:\n%s", r.code, screenText(r.err))
	}
	if !maps.Equal(before, e.snapshot()) {
		t.Errorf("%s changed the saved credentials", what)
	}
}

// cancelledUnchanged checks that the command tr runs ends cancelled (130)
// after what, and that it changed nothing saved since before.
func cancelledUnchanged(t *testing.T, e *testEnv, tr *terminalRun, before map[string]string, what string) {
	t.Helper()
	if r := tr.wait(); r.code != 130 {
		t.Fatalf("%s: exit %d, want 130; screen:\n%s", what, r.code, screenText(r.err))
	}
	if !maps.Equal(before, e.snapshot()) {
		t.Errorf("%s: a cancelled re-auth changed the saved credential", what)
	}
}
