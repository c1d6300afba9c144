package vaultkv

import (
	"maps"
	"slices"
	"sync"
	"testing"
)

func TestWriteReadRoundTrip(t *testing.T) {
	t.Parallel()
	c := newClient(t, Config{Author: "alice@laptop"})
	ctx := ctxT(t)
	data := map[string]string{"client_id": "abc123", "client_secret": "s3cr3t-value-1", "empty": "", "unicode": "ü✓"}
	v, err := c.Write(ctx, "prod-db", data, 0)
	if err != nil || v != 1 {
		t.Fatalf("first write: version %d, %v", v, err)
	}
	s, err := c.Read(ctx, "prod-db")
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(s.Data, data) || s.Version != 1 || s.UpdatedBy != "alice@laptop" || s.Created.IsZero() {
		t.Fatalf("read back %+v", s)
	}
	if s.CustomMetadata[UpdatedByKey] != "alice@laptop" {
		t.Fatalf("custom metadata %v, want %s=alice@laptop", s.CustomMetadata, UpdatedByKey)
	}
	data2 := map[string]string{"client_id": "abc123", "client_secret": "s3cr3t-value-2"}
	if v, err = c.Write(ctx, "prod-db", data2, 1); err != nil || v != 2 {
		t.Fatalf("second write: version %d, %v", v, err)
	}
	if s, err = c.Read(ctx, "prod-db"); err != nil || !maps.Equal(s.Data, data2) || s.Version != 2 {
		t.Fatalf("read after update: %+v, %v", s, err)
	}
	old, err := c.ReadVersion(ctx, "prod-db", 1)
	if err != nil || !maps.Equal(old.Data, data) || old.Version != 1 {
		t.Fatalf("read version 1: %+v, %v", old, err)
	}
	// The author is stored in the version's data, as a teammate using
	// the vault CLI sees it, and nowhere else in Data.
	raw, err := admin(t).Logical().Read("secret/data/" + c.Path() + "/prod-db")
	if err != nil {
		t.Fatal(err)
	}
	if got := raw.Data["data"].(map[string]any)[AuthorField]; got != "alice@laptop" {
		t.Fatalf("raw %s = %v", AuthorField, got)
	}
	if _, ok := s.Data[AuthorField]; ok {
		t.Fatalf("Data holds %s", AuthorField)
	}
}

func TestReadMissingKey(t *testing.T) {
	t.Parallel()
	c := newClient(t, Config{})
	_, err := c.Read(ctxT(t), "nope")
	e := wantKind(t, err, KindNotFound)
	if e.Version != 0 || e.Path != "secret/data/"+c.Path()+"/nope" {
		t.Fatalf("not-found error %+v", e)
	}
}

func TestWriteCreateOnlyRefusesExistingKey(t *testing.T) {
	t.Parallel()
	c := newClient(t, Config{Author: "alice@laptop"})
	ctx := ctxT(t)
	if _, err := c.Write(ctx, "k", map[string]string{"a": "1"}, 0); err != nil {
		t.Fatal(err)
	}
	_, err := c.Write(ctx, "k", map[string]string{"a": "2"}, 0)
	e := wantKind(t, err, KindCASMismatch)
	if e.Version != 1 || e.By != "alice@laptop" {
		t.Fatalf("mismatch names version %d by %q, want 1 by alice@laptop: %v", e.Version, e.By, err)
	}
	if s, _ := c.Read(ctx, "k"); s.Data["a"] != "1" {
		t.Fatalf("the refused write changed the key: %v", s.Data)
	}
}

// Two teammates read version 1; the first to write wins, the second is
// told who changed it and nothing of theirs is stored.
func TestCASConflictBetweenTwoClients(t *testing.T) {
	t.Parallel()
	alice := newClient(t, Config{Author: "alice@laptop"})
	bob := newClient(t, Config{Author: "bob@desk", Path: alice.Path()})
	ctx := ctxT(t)
	if _, err := alice.Write(ctx, "shared", map[string]string{"token": "v1"}, 0); err != nil {
		t.Fatal(err)
	}
	sa, _ := alice.Read(ctx, "shared")
	sb, _ := bob.Read(ctx, "shared")
	if _, err := alice.Write(ctx, "shared", map[string]string{"token": "alice"}, sa.Version); err != nil {
		t.Fatal(err)
	}
	_, err := bob.Write(ctx, "shared", map[string]string{"token": "bob"}, sb.Version)
	e := wantKind(t, err, KindCASMismatch)
	if e.Version != 2 || e.By != "alice@laptop" {
		t.Fatalf("bob's error names version %d by %q: %v", e.Version, e.By, err)
	}
	if s, _ := bob.Read(ctx, "shared"); s.Data["token"] != "alice" || s.UpdatedBy != "alice@laptop" {
		t.Fatalf("after the conflict: %+v", s)
	}
}

// Many writers race from the same version: exactly one wins.
func TestCASConcurrentWritersOneWins(t *testing.T) {
	t.Parallel()
	c := newClient(t, Config{})
	ctx := ctxT(t)
	if _, err := c.Write(ctx, "race", map[string]string{"n": "start"}, 0); err != nil {
		t.Fatal(err)
	}
	const writers = 8
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for i := range writers {
		wg.Go(func() {
			_, errs[i] = c.Write(ctx, "race", map[string]string{"n": string(rune('a' + i))}, 1)
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
			continue
		}
		wantKind(t, err, KindCASMismatch)
	}
	if won != 1 {
		t.Fatalf("%d writers won, want exactly 1: %v", won, errs)
	}
	if s, _ := c.Read(ctx, "race"); s.Version != 2 {
		t.Fatalf("version %d after the race, want 2", s.Version)
	}
}

func TestList(t *testing.T) {
	t.Parallel()
	c := newClient(t, Config{})
	ctx := ctxT(t)
	keys, err := c.List(ctx)
	if err != nil || keys == nil || len(keys) != 0 {
		t.Fatalf("empty folder: %v, %v", keys, err)
	}
	for _, k := range []string{"zeta", "alpha", "m.i_d-1"} {
		if _, err := c.Write(ctx, k, map[string]string{"x": "1"}, 0); err != nil {
			t.Fatal(err)
		}
	}
	// A sub-folder and a name credwiz would never write, put there by
	// someone else, are left out.
	ac := admin(t)
	for _, p := range []string{"sub/inner", "bad name"} {
		if _, err := ac.Logical().Write("secret/data/"+c.Path()+"/"+p, map[string]any{"data": map[string]any{"x": "1"}}); err != nil {
			t.Fatal(err)
		}
	}
	keys, err = c.List(ctx)
	if want := []string{"alpha", "m.i_d-1", "zeta"}; err != nil || !slices.Equal(keys, want) {
		t.Fatalf("List = %v, %v; want %v", keys, err, want)
	}
}

func TestDeleteLatestIsRecoverable(t *testing.T) {
	t.Parallel()
	c := newClient(t, Config{})
	ctx := ctxT(t)
	if _, err := c.Write(ctx, "gone", map[string]string{"a": "1"}, 0); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(ctx, "gone", 0); err != nil {
		t.Fatal(err)
	}
	_, err := c.Read(ctx, "gone")
	if e := wantKind(t, err, KindNotFound); e.Version != 1 {
		t.Fatalf("deleted key's error names version %d, want 1: %v", e.Version, err)
	}
	// Still listed (its metadata lives on), and an admin can undelete it.
	if keys, _ := c.List(ctx); !slices.Equal(keys, []string{"gone"}) {
		t.Fatalf("List after delete = %v", keys)
	}
	if _, err := admin(t).Logical().Write("secret/undelete/"+c.Path()+"/gone", map[string]any{"versions": []int{1}}); err != nil {
		t.Fatal(err)
	}
	if s, err := c.Read(ctx, "gone"); err != nil || s.Data["a"] != "1" {
		t.Fatalf("after undelete: %+v, %v", s, err)
	}
	// Writing again after a delete needs the current version.
	if err := c.Delete(ctx, "gone", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(ctx, "gone", map[string]string{"a": "2"}, 0); KindOf(err) != KindCASMismatch {
		t.Fatalf("create-only write over a deleted key: %v", err)
	}
	if v, err := c.Write(ctx, "gone", map[string]string{"a": "2"}, 1); err != nil || v != 2 {
		t.Fatalf("write at the deleted version: %d, %v", v, err)
	}
	// Deleting a key that never existed is no error.
	if err := c.Delete(ctx, "never", 0); err != nil {
		t.Fatal(err)
	}
}

// Deleting the version one read never deletes a teammate's newer one.
func TestDeleteExactVersionKeepsNewer(t *testing.T) {
	t.Parallel()
	alice := newClient(t, Config{Author: "alice@laptop"})
	bob := newClient(t, Config{Author: "bob@desk", Path: alice.Path()})
	ctx := ctxT(t)
	if _, err := alice.Write(ctx, "k", map[string]string{"a": "1"}, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.Write(ctx, "k", map[string]string{"a": "bob"}, 1); err != nil {
		t.Fatal(err)
	}
	err := alice.Delete(ctx, "k", 1)
	if e := wantKind(t, err, KindCASMismatch); e.Version != 2 || e.By != "bob@desk" {
		t.Fatalf("delete of an old version: %+v", e)
	}
	if s, err := alice.Read(ctx, "k"); err != nil || s.Data["a"] != "bob" {
		t.Fatalf("bob's version after alice's delete: %+v, %v", s, err)
	}
	if err := alice.Delete(ctx, "k", 2); err != nil {
		t.Fatalf("delete of the latest version by number: %v", err)
	}
	if _, err := alice.Read(ctx, "k"); KindOf(err) != KindNotFound {
		t.Fatalf("read after delete: %v", err)
	}
}

func TestDestroyRemovesEveryVersion(t *testing.T) {
	t.Parallel()
	c := newClient(t, Config{})
	ctx := ctxT(t)
	for v := range 3 {
		if _, err := c.Write(ctx, "k", map[string]string{"a": "x"}, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Destroy(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Read(ctx, "k"); wantKind(t, err, KindNotFound).Version != 0 {
		t.Fatalf("destroyed key still has a version: %v", err)
	}
	if _, err := c.ReadVersion(ctx, "k", 1); KindOf(err) != KindNotFound {
		t.Fatalf("old version after destroy: %v", err)
	}
	if _, err := c.Versions(ctx, "k"); KindOf(err) != KindNotFound {
		t.Fatalf("history after destroy: %v", err)
	}
	if keys, _ := c.List(ctx); len(keys) != 0 {
		t.Fatalf("List after destroy = %v", keys)
	}
	if v, err := c.Write(ctx, "k", map[string]string{"a": "new"}, 0); err != nil || v != 1 {
		t.Fatalf("create after destroy: %d, %v", v, err)
	}
	if err := c.Destroy(ctx, "never"); err != nil {
		t.Fatal(err)
	}
}

func TestVersionsHistory(t *testing.T) {
	t.Parallel()
	alice := newClient(t, Config{Author: "alice@laptop"})
	bob := newClient(t, Config{Author: "bob@desk", Path: alice.Path()})
	ctx := ctxT(t)
	steps := []struct {
		c    *Client
		data map[string]string
	}{
		{alice, map[string]string{"a": "1", "b": "1"}},
		{bob, map[string]string{"a": "1", "b": "2"}},
		{alice, map[string]string{"b": "2", "c": "3"}},
		{bob, map[string]string{"b": "2", "c": "4"}},
		{alice, map[string]string{"b": "2", "c": "4", "d": "5"}},
	}
	for i, s := range steps {
		if _, err := s.c.Write(ctx, "k", s.data, i); err != nil {
			t.Fatal(err)
		}
	}
	if err := alice.Delete(ctx, "k", 0); err != nil { // version 5
		t.Fatal(err)
	}
	// Version 3 destroyed by an admin: its data and author are gone.
	if _, err := admin(t).Logical().Write("secret/destroy/"+alice.Path()+"/k", map[string]any{"versions": []int{3}}); err != nil {
		t.Fatal(err)
	}
	h, err := bob.Versions(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	if h.CurrentVersion != 5 || h.CustomMetadata[UpdatedByKey] != "alice@laptop" || len(h.Versions) != 5 {
		t.Fatalf("history %+v", h)
	}
	want := []struct {
		by        string
		changed   []string
		deleted   bool
		destroyed bool
	}{
		{"alice@laptop", []string{"a", "b"}, false, false},
		{"bob@desk", []string{"b"}, false, false},
		{"", nil, false, true},
		{"bob@desk", nil, false, false}, // version 3 unreadable: changes unknown
		{"", nil, true, false},
	}
	for i, w := range want {
		got := h.Versions[i]
		if got.Version != i+1 || got.UpdatedBy != w.by || !slices.Equal(got.Changed, w.changed) ||
			(got.Changed == nil) != (w.changed == nil) || got.Deleted.IsZero() == w.deleted || got.Destroyed != w.destroyed || got.Created.IsZero() {
			t.Errorf("version %d: got %+v, want %+v", i+1, got, w)
		}
	}
}

func TestVersionsChangedRemovedField(t *testing.T) {
	t.Parallel()
	c := newClient(t, Config{})
	ctx := ctxT(t)
	if _, err := c.Write(ctx, "k", map[string]string{"a": "1", "b": "secret-b"}, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(ctx, "k", map[string]string{"a": "1", "c": "new"}, 1); err != nil {
		t.Fatal(err)
	}
	h, err := c.Versions(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	if got := h.Versions[1].Changed; !slices.Equal(got, []string{"b", "c"}) {
		t.Fatalf("changed = %v, want [b c]", got)
	}
}

func TestInvalidInputSendsNothing(t *testing.T) {
	t.Parallel()
	// No server: every call must fail before any request.
	c, err := New(ctxT(t), Config{Address: "http://127.0.0.1:1", Token: fakeToken})
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	for _, key := range []string{"", ".", "..", "a/b", "a b", "ü", "x\x1b[31m", string(make([]byte, 65))} {
		if _, err := c.Read(ctx, key); KindOf(err) != KindInvalid {
			t.Errorf("Read(%q): %v", key, err)
		}
		if _, err := c.Write(ctx, key, nil, 0); KindOf(err) != KindInvalid {
			t.Errorf("Write(%q): %v", key, err)
		}
	}
	for _, data := range []map[string]string{{AuthorField: "x"}, {"": "x"}, {"a": "\xff"}} {
		if _, err := c.Write(ctx, "k", data, 0); KindOf(err) != KindInvalid {
			t.Errorf("Write(%q): %v", data, err)
		}
	}
	if _, err := c.Write(ctx, "k", nil, -1); KindOf(err) != KindInvalid {
		t.Errorf("negative cas: %v", err)
	}
}
