package store

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The Vault settings are typed members of the version 2 index: read by
// the head peek, kept (with members this version does not know) across a
// rewrite, and an index that records the Vault store without them is
// read with the defaults.
func TestVaultSettingsInTheIndex(t *testing.T) {
	dir := t.TempDir()
	raw := `{"version":2,"id":"0123456789abcdef","store":"vault","vault":{"mount":"kv","path":"team/credwiz","future":1},"credentials":[],"later":"x"}`
	if err := os.WriteFile(filepath.Join(dir, IndexFile), []byte(raw), 0o600); err != nil {
		t.Fatal(err)
	}
	h, err := NewIndex(dir).peek()
	if err != nil || h.kind != KindVault || h.vault == nil || h.vault.Mount != "kv" || h.vault.Path != "team/credwiz" {
		t.Fatalf("peek: %+v %v", h, err)
	}
	if err := NewIndex(dir).Update(bg, func(tx *Tx) error {
		if v := tx.Vault(); v == nil || v.String() != "kv/team/credwiz" {
			t.Fatalf("tx.Vault() = %v", v)
		}
		tx.nextRevision()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, IndexFile))
	for _, want := range []string{`"future": 1`, `"later": "x"`, `"mount": "kv"`, `"path": "team/credwiz"`} {
		if !strings.Contains(string(b), want) {
			t.Fatalf("rewritten index lost %s:\n%s", want, b)
		}
	}
	// A different folder than the recorded one is refused.
	if _, err := Open(Options{Dir: dir, Vault: VaultOptions{Path: "other", Address: "http://127.0.0.1:1", Token: "x"}}); err == nil || !strings.Contains(err.Error(), "records the Vault folder kv/team/credwiz") {
		t.Fatalf("another folder: %v", err)
	}
	st, err := Open(Options{Dir: dir, Vault: VaultOptions{Address: "http://127.0.0.1:1", Token: "x"}})
	if err != nil || st.Kind != KindVault || !strings.HasPrefix(st.Location, "kv/team/credwiz on ") {
		t.Fatalf("recorded folder: %+v %v", st, err)
	}
}
