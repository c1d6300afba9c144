package ui

import (
	"context"
	"testing"

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
