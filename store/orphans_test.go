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
	// Items this index never journaled (another config dir's, say).
	mustSet(t, sec.Memory, "orphan-secret", map[string]string{"k": "x"})
	mustSet(t, tok.Memory, "orphan-token", map[string]string{"access_token": "x"})
	mustSet(t, tok.Memory, "ok", map[string]string{"access_token": "x"})
	// A save interrupted after its secret write: journaled, so this
	// index's own orphan.
	st.Hook = func(s Step) {
		if s == StepSecretWritten {
			panic("crash")
		}
	}
	func() {
		defer func() { _ = recover() }()
		_ = st.Save(sampleCredential("crashed"), map[string]string{"k": "c"}, SaveOptions{})
	}()
	st.Hook = nil

	o, err := st.Orphans()
	if err != nil {
		t.Fatal(err)
	}
	if !o.Listed || !slices.Equal(o.Secrets, []string{"crashed"}) || !slices.Equal(o.Unknown, []string{"orphan-secret", "orphan-token"}) ||
		!slices.Equal(o.Metadata, []string{"lost-secret"}) {
		t.Fatalf("Orphans = %+v", o)
	}

	st.Secrets = noList{sec}
	o, err = st.Orphans()
	if err != nil {
		t.Fatal(err)
	}
	if o.Listed || !slices.Equal(o.Secrets, []string{"crashed"}) || o.Unknown != nil || !slices.Equal(o.Metadata, []string{"lost-secret"}) {
		t.Fatalf("Orphans without listing = %+v", o)
	}
	st.Secrets = sec
	if err := st.RemoveOrphan("crashed"); err != nil {
		t.Fatal(err)
	}
	if p, _ := st.Index.Pending(); len(p) != 0 {
		t.Errorf("the journal still lists %v after RemoveOrphan", p)
	}
}

// TestJournalLifecycle checks that a completed save, rename and delete
// leave an empty journal, and that every step in between journals the
// name whose secret has no metadata.
func TestJournalLifecycle(t *testing.T) {
	st, _, _, _ := newTestStore(t)
	var seen []string
	st.Hook = func(s Step) {
		p, err := st.Index.Pending()
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, string(s)+":"+strings.Join(p, ","))
	}
	if err := st.Save(sampleCredential("a"), map[string]string{"k": "1"}, SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := st.Save(sampleCredential("b"), nil, SaveOptions{Previous: "a"}); err != nil {
		t.Fatal(err)
	}
	if err := st.Delete("b"); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"secret-written:a", "index-written:", "tokens-dropped:", // add
		"secret-written:b", "index-written:a", "old-secret-deleted:a", "tokens-dropped:a", // rename a → b
		"index-written:b", "secret-deleted:b", "tokens-dropped:b", // delete
	}
	if !slices.Equal(seen, want) {
		t.Errorf("journal at each step:\n got %q\nwant %q", seen, want)
	}
	if p, _ := st.Index.Pending(); len(p) != 0 {
		t.Errorf("journal after all = %v, want empty", p)
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

// TestCleanupSparesACredentialSavedMeanwhile: between Delete's (or a
// rename's) metadata write and its secret deletion another process saves
// a credential of the same name; its new secret must survive.
func TestCleanupSparesACredentialSavedMeanwhile(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  func(st *Store) error
	}{
		{"delete", func(st *Store) error { return st.Delete("x") }},
		{"rename", func(st *Store) error {
			c := sampleCredential("y")
			return st.Save(c, nil, SaveOptions{Previous: "x"})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, sec, _, _ := newTestStore(t)
			if err := st.Save(sampleCredential("x"), map[string]string{"k": "old"}, SaveOptions{}); err != nil {
				t.Fatal(err)
			}
			once := false
			st.Hook = func(s Step) {
				if s == StepIndexWritten && !once {
					once = true
					other := *st
					other.Hook = nil
					if err := other.Save(sampleCredential("x"), map[string]string{"k": "new"}, SaveOptions{}); err != nil {
						t.Errorf("the concurrent save: %v", err)
					}
				}
			}
			if err := tc.run(st); err != nil {
				t.Fatal(err)
			}
			assertSecret(t, sec, "x", map[string]string{"k": "new"})
			if _, err := st.Index.Get("x"); err != nil {
				t.Errorf("the concurrent save's metadata: %v", err)
			}
			if p, _ := st.Index.Pending(); len(p) != 0 {
				t.Errorf("journal = %v, want empty", p)
			}
		})
	}
}
