package vaultkv

import (
	"slices"
	"strings"
	"testing"
)

// A reserved key ("@index") is read and written like any other, never
// listed, and never a valid name.
func TestReservedKey(t *testing.T) {
	t.Parallel()
	c := newClient(t, Config{})
	ctx := ctxT(t)
	if ValidKey("@index") == nil {
		t.Fatal("ValidKey accepts a reserved key")
	}
	for _, bad := range []string{"@", "@@x", "@a/b", "@..", "x@y"} {
		if _, err := c.Write(ctx, bad, map[string]string{"a": "1"}, 0); KindOf(err) != KindInvalid {
			t.Errorf("Write(%q) = %v, want invalid", bad, err)
		}
	}
	if _, err := c.Write(ctx, "name", map[string]string{"a": "1"}, 0); err != nil {
		t.Fatal(err)
	}
	v, err := c.WriteUntracked(ctx, "@index", map[string]string{"i": "1"}, 0)
	if err != nil || v != 1 {
		t.Fatalf("WriteUntracked: %d, %v", v, err)
	}
	s, err := c.Read(ctx, "@index")
	if err != nil || s.Data["i"] != "1" || s.UpdatedBy != "tester@test-host" {
		t.Fatalf("Read: %+v, %v", s, err)
	}
	// Untracked: the key's custom metadata names nobody.
	if s.CustomMetadata[UpdatedByKey] != "" {
		t.Fatalf("custom metadata %v", s.CustomMetadata)
	}
	if keys, err := c.List(ctx); err != nil || !slices.Equal(keys, []string{"name"}) {
		t.Fatalf("List = %v, %v", keys, err)
	}
	if _, err := c.WriteUntracked(ctx, "@index", map[string]string{"i": "2"}, 0); KindOf(err) != KindCASMismatch {
		t.Fatalf("untracked create over an existing key: %v", err)
	}
}

// DestroyVersions destroys data and keeps the version numbers going.
func TestDestroyVersionsKeepsNumbering(t *testing.T) {
	t.Parallel()
	c := newClient(t, Config{})
	ctx := ctxT(t)
	for i, v := range []string{"one", "two"} {
		if _, err := c.Write(ctx, "k", map[string]string{"s": v}, i); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.DestroyVersions(ctx, "k", []int{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 2} {
		if _, err := c.ReadVersion(ctx, "k", n); KindOf(err) != KindNotFound || !strings.Contains(err.Error(), "destroyed") {
			t.Fatalf("version %d after destroy: %v", n, err)
		}
	}
	m, err := c.Meta(ctx, "k")
	if err != nil || m.CurrentVersion != 2 || !slices.Equal(m.Versions, []int{1, 2}) {
		t.Fatalf("Meta = %+v, %v", m, err)
	}
	if v, err := c.Write(ctx, "k", map[string]string{"s": "three"}, 2); err != nil || v != 3 {
		t.Fatalf("write after destroy: %d, %v", v, err)
	}
	if err := c.DestroyVersions(ctx, "k", []int{0}); KindOf(err) != KindInvalid {
		t.Fatalf("version 0: %v", err)
	}
	if _, err := c.Meta(ctx, "never"); KindOf(err) != KindNotFound {
		t.Fatalf("Meta of a missing key: %v", err)
	}
}

// Require says, before anything is written, which capability a token
// lacks on which path.
func TestRequire(t *testing.T) {
	t.Parallel()
	writer := newClient(t, Config{})
	ctx := ctxT(t)
	if err := writer.Require(ctx, Need{Area: "data", Key: "x", AnyOf: []string{"create", "update"}},
		Need{Area: "destroy", Key: "@index", AnyOf: []string{"update"}}); err != nil {
		t.Fatalf("root token: %v", err)
	}
	ro := newClient(t, Config{Path: writer.Path(), Token: tokenWithPolicy(t, readOnlyRules(writer.Path()), "1h")})
	if err := ro.Require(ctx, Need{Area: "data", Key: "x", AnyOf: []string{"read"}}); err != nil {
		t.Fatalf("read-only token may read: %v", err)
	}
	err := ro.Require(ctx, Need{Area: "data", Key: "x", AnyOf: []string{"read"}},
		Need{Area: "data", Key: "prod-db", AnyOf: []string{"update", "create"}})
	e := wantKind(t, err, KindPermission)
	path := "secret/data/" + writer.Path() + "/prod-db"
	if e.Path != path || e.Capability != "update" || !strings.Contains(err.Error(), "update on "+path) {
		t.Fatalf("Require: %+v", e)
	}
	if err := ro.Require(ctx, Need{Area: "bogus", Key: "x", AnyOf: []string{"read"}}); KindOf(err) != KindInvalid {
		t.Fatalf("bad area: %v", err)
	}
}

// DeleteVersions soft-deletes exactly the versions named.
func TestDeleteVersions(t *testing.T) {
	t.Parallel()
	c := newClient(t, Config{})
	ctx := ctxT(t)
	for i := range 3 {
		if _, err := c.Write(ctx, "k", map[string]string{"n": string(rune('a' + i))}, i); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.DeleteVersions(ctx, "k", []int{1, 3, 9}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Read(ctx, "k"); KindOf(err) != KindNotFound {
		t.Fatalf("latest after delete: %v", err)
	}
	if s, err := c.ReadVersion(ctx, "k", 2); err != nil || s.Data["n"] != "b" {
		t.Fatalf("version 2: %+v %v", s, err)
	}
	if _, err := c.ReadVersion(ctx, "k", 1); KindOf(err) != KindNotFound || !strings.Contains(err.Error(), "undelete") {
		t.Fatalf("version 1: %v", err)
	}
	if err := c.DeleteVersions(ctx, "k", []int{-1}); KindOf(err) != KindInvalid {
		t.Fatalf("bad version: %v", err)
	}
}
