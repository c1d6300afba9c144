package ui

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
	"github.com/credwiz/credwiz/store"
)

// TestFormEndedBySignalIsCancelled: a form that ends without the operator
// completing it (the command's context cancelled, as SIGTERM does) is
// ErrCancelled, never the value it happened to show.
func TestFormEndedBySignalIsCancelled(t *testing.T) {
	e := newTestEnv(t)
	pr, pw := io.Pipe()
	defer pw.Close()
	ios, _, _ := testIO("")
	ios.In, ios.InTTY, ios.ErrTTY = pr, true, true
	f := e.factory(ios)
	ctx, cancel := context.WithCancel(context.Background())
	f.ctx = ctx
	defer f.closePrompter()
	choice := "save"
	done := make(chan error, 1)
	go func() {
		done <- f.prompter().Ask(&Page{ID: "x", Questions: []Question{{Kind: KindSelect, Key: "x",
			Options: []Choice{{"save", "save"}, {"cancel", "cancel"}}, Value: &choice}}})
	}()
	time.Sleep(200 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != ErrCancelled {
			t.Fatalf("a question after the context ended = %v, want ErrCancelled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the form did not end with its context")
	}
}

func TestSecretsStdinAtATerminalIsRefused(t *testing.T) {
	e := newTestEnv(t)
	ios, _, errOut := testIO("api_key=typed-on-screen\n")
	ios.InTTY = true
	root := NewRoot(e.factory(ios))
	root.SetArgs([]string{"add", "drift", "--name", "x", "--secrets-stdin"})
	err := root.Execute()
	if ExitCode(err) != 2 || !strings.Contains(err.Error(), "pipe") {
		t.Fatalf("--secrets-stdin at a terminal: exit %d, %v (%s)", ExitCode(err), err, errOut)
	}
}

func TestEditWithoutChangesWritesNothing(t *testing.T) {
	e := newTestEnv(t)
	em := connectortest.NewDrift()
	defer em.Close()
	c, _ := connectors.Lookup("drift")
	args, stdin := addArgs(c, "d", em.Values())
	if r := e.run(stdin, args...); r.code != 0 {
		t.Fatal(r.err)
	}
	before := e.snapshot()
	r := e.run("", "edit", "d")
	if r.code != 0 || !strings.Contains(r.err, "Nothing to change") {
		t.Fatalf("edit without changes: exit %d, %q", r.code, r.err)
	}
	if after := e.snapshot(); len(after) != len(before) || after["file:credentials.json"] != before["file:credentials.json"] {
		t.Error("an edit without changes rewrote the index")
	}
}

// TestAddRefusesAnotherConfigDirsItem: a keychain item of that name which
// this config dir never wrote is another config dir's; add refuses to
// overwrite it unless --force. Such an item names another config dir as
// its owner, or no owner at all (written by an older credwiz or by hand).
func TestAddRefusesAnotherConfigDirsItem(t *testing.T) {
	for what, owner := range map[string]store.Owner{
		"another dir": {Dir: "0123456789abcdef", Rev: 3},
		"no owner":    {},
	} {
		t.Run(what, func(t *testing.T) {
			e := newTestEnv(t)
			em := connectortest.NewDrift()
			defer em.Close()
			c, _ := connectors.Lookup("drift")
			theirs := store.Item{Values: map[string]string{"api_key": "other-dirs-key"}, Owner: owner}
			if err := e.secrets.Set("shared", theirs); err != nil {
				t.Fatal(err)
			}
			// This config dir has an ID already (another credential), so
			// only the owner tells the items apart.
			args, stdin := addArgs(c, "mine", em.Values())
			if r := e.run(stdin, append(args, "--no-test")...); r.code != 0 {
				t.Fatalf("add mine: exit %d, %q", r.code, r.err)
			}
			args, stdin = addArgs(c, "shared", em.Values())
			r := e.run(stdin, args...)
			if r.code != 1 || !strings.Contains(r.err, "did not write") {
				t.Fatalf("add over another dir's item: exit %d, %q", r.code, r.err)
			}
			if it, _ := e.secrets.Get("shared"); it.Values["api_key"] != "other-dirs-key" || it.Owner != owner {
				t.Fatal("the other config dir's secret was overwritten")
			}
			if r := e.run(stdin, append(args, "--force")...); r.code != 0 {
				t.Fatalf("add --force: exit %d, %q", r.code, r.err)
			}
			if it, _ := e.secrets.Get("shared"); it.Values["api_key"] != em.Values()["api_key"] || it.Owner == owner {
				t.Errorf("add --force did not take the item over: owner %q", it.Owner)
			}
		})
	}
}

// TestRmOfAnUnknownConnector: a credential of a connector this credwiz
// does not know (saved by an older or newer one, before owners existed)
// is still removed whole.
func TestRmOfAnUnknownConnector(t *testing.T) {
	e := newTestEnv(t)
	err := e.index().Update(context.Background(), func(tx *store.Tx) error {
		tx.Put(store.Credential{Name: "legacy", Connector: "hubspot", SecretKeys: []string{"k"}})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.secrets.Set("legacy", store.Item{Values: map[string]string{"k": "v"}}); err != nil {
		t.Fatal(err)
	}
	if r := e.run("", "rm", "legacy", "--yes"); r.code != 0 {
		t.Fatalf("rm of a credential of an unknown connector: exit %d, %q", r.code, r.err)
	}
	if _, err := e.secrets.Get("legacy"); err == nil {
		t.Error("its secret is still there")
	}
	if _, err := e.index().Get("legacy"); err == nil {
		t.Error("its metadata is still there")
	}
}

func TestCommandsWithNothingToDo(t *testing.T) {
	e := newTestEnv(t)
	if r := e.run("", "test", "--all"); r.code != 0 {
		t.Errorf("test --all with nothing saved: exit %d, want 0 (%s)", r.code, r.err)
	}
	if r := e.run("", "test", "--all", "--json"); r.code != 0 || strings.TrimSpace(r.out) != "[]" {
		t.Errorf("test --all --json with nothing saved: exit %d, %q", r.code, r.out)
	}
	r := e.run("", "lst")
	if r.code != 2 || !strings.Contains(r.err, "did you mean list") {
		t.Errorf("credwiz lst: exit %d, %q", r.code, r.err)
	}
	if _, err := os.Stat(e.dir + "/credentials.json"); err == nil {
		t.Error("commands with nothing to do created credentials.json")
	}
}
