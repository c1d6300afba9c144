package main

import (
	"strings"
	"testing"

	"github.com/credwiz/credwiz/connectors"
)

// TestWizardReauthEscTmux: in credwiz reauth at a real terminal, Esc on
// the guide's "I have the new values" leaves (exit 130); Enter, then Esc
// on the secrets page goes back to the guide, and Esc there leaves too.
// Esc never moves forward, and the saved credential is unchanged.
func TestWizardReauthEscTmux(t *testing.T) {
	requireTmux(t)
	requireKeychain(t)
	t.Parallel()
	c, _ := connectors.Lookup("drift")
	em := startEmulator(t, "drift")
	sb := newSandbox(t, keychainStore)
	name := credName(t, "resc")
	cleanKeychain(t, name)
	fields, secrets := split(c, em.Values())
	sb.must(stdinLines(secrets), addArgs("drift", name, fields, "--secrets-stdin")...)

	tm := startTmuxSized(t, sb, 80, 24, "reauth", name)
	s := tm.waitText("I have the new values")
	tm.logScreen("The re-auth guide", s)
	if !strings.Contains(s, "esc cancel") {
		t.Errorf("the guide's key help does not say Esc cancels:\n%s", s)
	}
	tm.keys("Escape")
	if code := tm.waitExit(); code != 130 {
		t.Fatalf("Esc on the guide: exit %d, want 130; last screen:\n%s", code, tm.last())
	}

	tm = startTmuxSized(t, sb, 80, 24, "reauth", name)
	tm.waitText("I have the new values")
	tm.keys("Enter")
	tm.waitFocus("API Key Value")
	tm.keys("Escape")
	tm.waitText("I have the new values", "esc cancel")
	tm.keys("Escape")
	if code := tm.waitExit(); code != 130 {
		t.Fatalf("Esc, Esc from the secrets page: exit %d, want 130; last screen:\n%s", code, tm.last())
	}
	got, _ := keychainSecrets(t, name)
	if got["api_key"] != secrets["api_key"] {
		t.Error("a cancelled re-auth changed the saved secret")
	}
}
