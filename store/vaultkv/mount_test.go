package vaultkv

import (
	"strings"
	"testing"

	"github.com/hashicorp/vault/api"
)

// mountEngine enables a secrets engine at a fresh path for the test.
func mountEngine(t *testing.T, typ string, options map[string]string) string {
	t.Helper()
	ac := admin(t)
	path := "credwiz-test-" + typ + "-" + randomHex(4)
	if err := ac.Sys().Mount(path, &api.MountInput{Type: typ, Options: options}); err != nil {
		t.Fatalf("mount %s: %v", typ, err)
	}
	t.Cleanup(func() { _ = ac.Sys().Unmount(path) })
	return path
}

func TestKVv1MountRefused(t *testing.T) {
	t.Parallel()
	mount := mountEngine(t, "kv", map[string]string{"version": "1"})
	c := newClient(t, Config{Mount: mount, Path: "credwiz"})
	ctx := ctxT(t)
	err := c.CheckMount(ctx)
	if e := wantKind(t, err, KindKVv1); !strings.Contains(e.Hint, "enable-versioning") {
		t.Fatalf("hint %q", e.Hint)
	}
	if _, err := c.Write(ctx, "k", map[string]string{"secret": "v"}, 0); KindOf(err) != KindKVv1 {
		t.Fatalf("Write on KV v1: %v", err)
	}
	if _, err := c.Read(ctx, "k"); KindOf(err) != KindKVv1 {
		t.Fatalf("Read on KV v1: %v", err)
	}
	if _, err := c.List(ctx); KindOf(err) != KindKVv1 {
		t.Fatalf("List on KV v1: %v", err)
	}
	// Nothing was written as a KV v1 secret named "data/credwiz/k".
	if s, err := admin(t).Logical().List(mount + "/"); err != nil || s != nil {
		t.Fatalf("the KV v1 mount holds %v (%v)", s, err)
	}
}

func TestMissingMount(t *testing.T) {
	t.Parallel()
	c := newClient(t, Config{Mount: "credwiz-no-such-mount-" + randomHex(4)})
	ctx := ctxT(t)
	e := wantKind(t, c.CheckMount(ctx), KindNoMount)
	if !strings.Contains(e.Detail, c.Mount()+"/") || !strings.Contains(e.Hint, "--vault-mount") {
		t.Fatalf("missing mount: %v", e)
	}
	if _, err := c.Read(ctx, "k"); KindOf(err) != KindNoMount {
		t.Fatalf("Read: %v", err)
	}
}

func TestMountOfAnotherEngine(t *testing.T) {
	t.Parallel()
	mount := mountEngine(t, "transit", nil)
	c := newClient(t, Config{Mount: mount})
	e := wantKind(t, c.CheckMount(ctxT(t)), KindNoMount)
	if !strings.Contains(e.Detail, "transit") {
		t.Fatalf("other engine: %v", e)
	}
}

// A folder given as part of the mount (secret/credwiz as the mount) is
// told where the mount really is.
func TestMountAtAnotherPath(t *testing.T) {
	t.Parallel()
	c := newClient(t, Config{Mount: "secret/credwiz", Path: "team"})
	e := wantKind(t, c.CheckMount(ctxT(t)), KindNoMount)
	if !strings.Contains(e.Hint, "--vault-mount secret") {
		t.Fatalf("mount elsewhere: %v", e)
	}
}

// A token that may use nothing in the mount cannot tell a missing mount
// from a forbidden one; it is told both. One that may use another folder
// of the mount passes the check and is denied on the key itself.
func TestMountCheckWithoutAccess(t *testing.T) {
	t.Parallel()
	folder := testFolder(t)
	tok := tokenWithPolicy(t, `path "credwiz-nowhere/*" { capabilities = ["read"] }`, "1h")
	c := newClient(t, Config{Path: folder, Token: tok})
	e := wantKind(t, c.CheckMount(ctxT(t)), KindNoMount)
	if !strings.Contains(e.Detail, "may use nothing") {
		t.Fatalf("no access: %v", e)
	}
	tok = tokenWithPolicy(t, `path "secret/data/elsewhere/*" { capabilities = ["read"] }`, "1h")
	c = newClient(t, Config{Path: folder, Token: tok})
	if err := c.CheckMount(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	_, err := c.Read(ctxT(t), "k")
	if e := wantKind(t, err, KindPermission); e.Capability != "read" || e.Path != "secret/data/"+folder+"/k" {
		t.Fatalf("other folder: %+v", e)
	}
}

func TestCheckMountKVv2(t *testing.T) {
	t.Parallel()
	mount := mountEngine(t, "kv", map[string]string{"version": "2"})
	c := newClient(t, Config{Mount: mount, Path: "team/credwiz"})
	ctx := ctxT(t)
	if err := c.CheckMount(ctx); err != nil {
		t.Fatal(err)
	}
	if v, err := c.Write(ctx, "k", map[string]string{"a": "1"}, 0); err != nil || v != 1 {
		t.Fatalf("write on a fresh KV v2 mount: %d, %v", v, err)
	}
}
