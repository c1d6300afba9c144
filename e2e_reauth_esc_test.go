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
	fields, secrets := split(c, em.Values())
	for _, fromSecrets := range []bool{false, true} {
		sb := newSandbox(t, keychainStore)
		name := credName(t, "resc")
		cleanKeychain(t, name)
		sb.must(stdinLines(secrets), addArgs("drift", name, fields, "--secrets-stdin")...)

		tm := startTmuxSized(t, sb, 80, 24, "reauth", name)
		s := tm.waitText("I have the new values")
		if !strings.Contains(s, "esc cancel") {
			t.Errorf("the guide's key help does not say Esc cancels:\n%s", s)
		}
		if fromSecrets {
			tm.keys("Enter")
			tm.waitFocus("API Key Value")
			tm.keys("Escape")
			s = tm.waitText("I have the new values", "esc cancel")
			tm.logScreen("Esc on the secrets page: back to the guide", s)
		}
		tm.keys("Escape")
		if code := tm.waitExit(); code != 130 {
			t.Fatalf("Esc on the guide (after the secrets page: %v): exit %d, want 130; last screen:\n%s", fromSecrets, code, tm.last())
		}
		got, _ := keychainSecrets(t, name)
		if got["api_key"] != secrets["api_key"] {
			t.Error("a cancelled re-auth changed the saved secret")
		}
	}
}
