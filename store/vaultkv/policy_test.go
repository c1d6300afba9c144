package vaultkv

import (
	"strings"
	"testing"
	"time"
)

func TestReadOnlyPolicyToken(t *testing.T) {
	t.Parallel()
	writer := newClient(t, Config{Author: "alice@laptop"})
	ctx := ctxT(t)
	if _, err := writer.Write(ctx, "prod-db", map[string]string{"client_secret": "s"}, 0); err != nil {
		t.Fatal(err)
	}
	ro := newClient(t, Config{Path: writer.Path(), Token: tokenWithPolicy(t, readOnlyRules(writer.Path()), "1h")})
	if s, err := ro.Read(ctx, "prod-db"); err != nil || s.Data["client_secret"] != "s" {
		t.Fatalf("read-only Read: %+v, %v", s, err)
	}
	if keys, err := ro.List(ctx); err != nil || len(keys) != 1 {
		t.Fatalf("read-only List: %v, %v", keys, err)
	}
	if h, err := ro.Versions(ctx, "prod-db"); err != nil || len(h.Versions) != 1 || h.Versions[0].UpdatedBy != "alice@laptop" {
		t.Fatalf("read-only Versions: %+v, %v", h, err)
	}
	data := "secret/data/" + writer.Path() + "/prod-db"
	meta := "secret/metadata/" + writer.Path() + "/prod-db"
	tests := []struct {
		name string
		call func() error
		cap  string
		path string
	}{
		{"update", func() error { _, err := ro.Write(ctx, "prod-db", map[string]string{"a": "b"}, 1); return err }, "update", data},
		{"create", func() error { _, err := ro.Write(ctx, "new-one", map[string]string{"a": "b"}, 0); return err }, "create",
			"secret/data/" + writer.Path() + "/new-one"},
		{"delete", func() error { return ro.Delete(ctx, "prod-db", 0) }, "delete", data},
		{"delete version", func() error { return ro.Delete(ctx, "prod-db", 1) }, "update", "secret/delete/" + writer.Path() + "/prod-db"},
		{"destroy", func() error { return ro.Destroy(ctx, "prod-db") }, "delete", meta},
	}
	for _, tt := range tests {
		err := tt.call()
		e := wantKind(t, err, KindPermission)
		if e.Capability != tt.cap || e.Path != tt.path || !strings.Contains(err.Error(), tt.cap+" on "+tt.path) {
			t.Errorf("%s: %+v", tt.name, e)
		}
	}
	if s, _ := writer.Read(ctx, "prod-db"); s.Version != 1 {
		t.Fatalf("the refused calls changed the key: version %d", s.Version)
	}
}

// A writer whose policy may write data but not patch the key's metadata
// gets its version written and is told that only updated_by was not set.
func TestWriteWithoutMetadataPatch(t *testing.T) {
	t.Parallel()
	folder := testFolder(t)
	rules := `path "secret/data/` + folder + `/*" { capabilities = ["create", "read", "update"] }`
	c := newClient(t, Config{Path: folder, Token: tokenWithPolicy(t, rules, "1h"), Author: "carol@ci"})
	ctx := ctxT(t)
	v, err := c.Write(ctx, "k", map[string]string{"a": "1"}, 0)
	e := wantKind(t, err, KindPermission)
	if v != 1 || e.Written != 1 || e.Capability != "patch" || !strings.Contains(err.Error(), "version 1") {
		t.Fatalf("write without patch: version %d, %+v", v, e)
	}
	if s, err := c.Read(ctx, "k"); err != nil || s.UpdatedBy != "carol@ci" {
		t.Fatalf("the version's author: %+v, %v", s, err)
	}
}

func TestExpiredToken(t *testing.T) {
	t.Parallel()
	folder := testFolder(t)
	tok := tokenWithPolicy(t, readOnlyRules(folder), "1s")
	ac := admin(t)
	// Wait (bounded) until Vault itself no longer knows the token.
	for i := 0; ; i++ {
		s, err := ac.Auth().Token().Lookup(tok)
		if err != nil || s == nil {
			break
		}
		if i == 100 {
			t.Fatal("the 1 s token still lives after 10 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	c := newClient(t, Config{Path: folder, Token: tok})
	_, err := c.Read(ctxT(t), "k")
	e := wantKind(t, err, KindBadToken)
	if strings.Contains(err.Error(), tok) {
		t.Fatalf("the error holds the token: %v", err)
	}
	if !strings.Contains(e.Hint, "vault login") {
		t.Fatalf("hint %q", e.Hint)
	}
}

func TestInvalidToken(t *testing.T) {
	t.Parallel()
	tok := "hvs.not-a-token-" + randomHex(8)
	c := newClient(t, Config{Token: tok})
	ctx := ctxT(t)
	for name, call := range map[string]func() error{
		"read":  func() error { _, err := c.Read(ctx, "k"); return err },
		"list":  func() error { _, err := c.List(ctx); return err },
		"write": func() error { _, err := c.Write(ctx, "k", map[string]string{"a": "1"}, 0); return err },
	} {
		err := call()
		wantKind(t, err, KindBadToken)
		if strings.Contains(err.Error(), tok) {
			t.Fatalf("%s: the error holds the token: %v", name, err)
		}
	}
}
