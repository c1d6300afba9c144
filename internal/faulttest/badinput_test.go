//go:build unix

package faulttest

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"testing"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
	"github.com/credwiz/credwiz/internal/badinput"
	"github.com/credwiz/credwiz/store"
)

// TestBadInputEveryField runs, through the real binary in scripted mode,
// every field of every connector (connectors.All) with each kind of bad
// value: empty (required fields), too long (1 MB on stdin; 100 KB on argv,
// the most Linux passes in one argument), control characters, invalid
// UTF-8, wrong-scheme and non-loopback http:// URLs, a URL with a user
// name, a duplicate key on stdin or argv, and each secret on argv; plus an
// unknown key on argv and on stdin per connector, and bad values to edit
// and reauth of a saved credential. Each must exit 2 with one line on
// stderr naming the field, never echo a secret, and change nothing: the
// config dir byte for byte, and the keychain. Values padded with white
// space are trimmed and accepted,
// and a leading "Bearer " is stripped from token fields and kept verbatim
// elsewhere (where the field's own rules accept it).
func TestBadInputEveryField(t *testing.T) {
	t.Parallel()
	bus := startSecretService(t)
	tmpl := newSandbox(t, "keychain", bus)
	goods := map[string]connectors.Values{}
	for _, c := range connectors.All() {
		em := connectortest.New(c.ID)
		t.Cleanup(em.Close)
		v := em.Values()
		goods[c.ID] = v
		for _, k := range c.SecretKeys() {
			tmpl.secret(v[k])
		}
		// The saved credential that edit and reauth cases work on.
		args, stdin := badinput.ScriptedAdd(c, badinput.Existing(c), badinput.BaseInput(c, v))
		tmpl.must(stdin, append(args, "--no-test")...)
	}
	index, err := os.ReadFile(filepath.Join(tmpl.dir, store.IndexFile))
	if err != nil {
		t.Fatal(err)
	}
	// Each case's config dir is a copy of the template's, whose move is
	// confirmed (below) only once the original is gone.
	if err := os.Remove(filepath.Join(tmpl.dir, store.IndexFile)); err != nil {
		t.Fatal(err)
	}
	existing := map[string]string{}
	for _, c := range connectors.All() {
		existing[c.ID], _ = keychainItem(t, bus, store.SecretService, badinput.Existing(c))
	}

	var cases []badinput.Case
	for _, c := range connectors.All() {
		cases = append(cases, badinput.Cases(c, goods[c.ID])...)
	}
	t.Logf("%d cases over %d connectors", len(cases), len(connectors.All()))
	for i, bc := range cases {
		t.Run(bc.Conn.ID+"/"+bc.Name, func(t *testing.T) {
			t.Parallel()
			sb := newSandbox(t, "keychain", bus)
			for _, k := range bc.Conn.SecretKeys() {
				sb.secret(goods[bc.Conn.ID][k])
			}
			if err := os.MkdirAll(sb.dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(sb.dir, store.IndexFile), index, 0o600); err != nil {
				t.Fatal(err)
			}
			// The sandbox is a copy of the template's config dir, which
			// credwiz refuses to write from until a move is confirmed:
			// confirm it, as an operator would, without doctor --fix
			// (the sandboxes share one keychain and one config dir ID,
			// and each case's names are its own).
			if _, err := store.NewIndex(sb.dir).ConfirmMove(context.Background()); err != nil {
				t.Fatal(err)
			}
			name := fmt.Sprintf("bi-%03d", i)
			args, stdin := bc.Command(name)
			before := sb.snapshot()
			r := sb.run(stdin, args...)
			bc.Check(t, r.code, r.stdout, r.stderr)
			if bc.Want == 0 {
				checkStored(t, sb, bus, bc, name)
				return
			}
			if !maps.Equal(before, sb.snapshot()) {
				t.Errorf("a refused command changed the config dir")
			}
			if _, ok := keychainItem(t, bus, store.SecretService, name); ok {
				t.Errorf("a refused command left a keychain item")
			}
			if bc.OnExisting {
				if got, _ := keychainItem(t, bus, store.SecretService, badinput.Existing(bc.Conn)); got != existing[bc.Conn.ID] {
					t.Errorf("a refused %s changed the saved credential's keychain item", bc.Args[0])
				}
			}
		})
	}
}

// checkStored checks that an accepted value was saved as bc.Stored.
func checkStored(t *testing.T, sb *sandbox, bus string, bc badinput.Case, name string) {
	t.Helper()
	fd, _ := bc.Conn.Field(bc.Field)
	if fd.Secret {
		if got := keychainSecret(t, bus, name)[bc.Field]; got != bc.Stored {
			t.Errorf("saved %s is %q…, want %q… (trimmed, Bearer stripped from tokens)", bc.Field, clip(got[:min(len(got), 12)]), bc.Stored[:min(len(bc.Stored), 12)])
		}
		return
	}
	c, ok := sb.readIndex()[name]
	if !ok {
		t.Fatalf("accepted, but %s is not in the index", name)
	}
	if got := c.Fields[bc.Field]; got != bc.Stored {
		t.Errorf("saved %s is %q, want %q", bc.Field, got, bc.Stored)
	}
}
