package store

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// noList hides a Secrets' Lister.
type noList struct{ Secrets }

func TestOrphans(t *testing.T) {
	st, sec, tok, _ := newTestStore(t)
	for _, n := range []string{"ok", "lost-secret"} {
		if err := st.Save(sampleCredential(n), map[string]string{"k": n}, SaveOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := sec.Memory.Delete("lost-secret"); err != nil {
		t.Fatal(err)
	}
	nosecret := sampleCredential("no-secret-keys")
	nosecret.SecretKeys = nil
	if err := st.Index.Put(nosecret); err != nil {
		t.Fatal(err)
	}
	mustSet(t, sec.Memory, "orphan-secret", map[string]string{"k": "x"})
	mustSet(t, tok.Memory, "orphan-token", map[string]string{"access_token": "x"})
	mustSet(t, tok.Memory, "ok", map[string]string{"access_token": "x"})

	o, err := st.Orphans()
	if err != nil {
		t.Fatal(err)
	}
	if !o.Listed || !slices.Equal(o.Secrets, []string{"orphan-secret", "orphan-token"}) || !slices.Equal(o.Metadata, []string{"lost-secret"}) {
		t.Fatalf("Orphans = %+v", o)
	}

	st.Secrets = noList{sec}
	o, err = st.Orphans()
	if err != nil {
		t.Fatal(err)
	}
	if o.Listed || o.Secrets != nil || !slices.Equal(o.Metadata, []string{"lost-secret"}) {
		t.Fatalf("Orphans without listing = %+v", o)
	}
}

func TestRemoveOrphan(t *testing.T) {
	st, sec, tok, _ := newTestStore(t)
	if err := st.Save(sampleCredential("kept"), map[string]string{"k": "v"}, SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	err := st.RemoveOrphan("kept")
	if err == nil || !strings.Contains(err.Error(), "not an orphan") {
		t.Fatalf("RemoveOrphan of a saved credential: err = %v", err)
	}
	assertSecret(t, sec, "kept", map[string]string{"k": "v"})

	mustSet(t, sec.Memory, "orphan", map[string]string{"k": "x"})
	mustSet(t, tok.Memory, "orphan", map[string]string{"t": "x"})
	if err := st.RemoveOrphan("orphan"); err != nil {
		t.Fatal(err)
	}
	if _, err := sec.Get("orphan"); !errors.Is(err, ErrNotFound) {
		t.Fatal("orphan secret left")
	}
	if _, err := tok.Get("orphan"); !errors.Is(err, ErrNotFound) {
		t.Fatal("orphan token left")
	}
	if err := st.RemoveOrphan("orphan"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second RemoveOrphan: err = %v, want ErrNotFound", err)
	}
	mustSet(t, tok.Memory, "token-only", map[string]string{"t": "x"})
	if err := st.RemoveOrphan("token-only"); err != nil {
		t.Fatalf("RemoveOrphan of a lone token: %v", err)
	}
}
