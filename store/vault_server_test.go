package store

import (
	"context"
	"errors"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"

	"github.com/credwiz/credwiz/internal/vaulttest"
	"github.com/credwiz/credwiz/store/vaultkv"
)

// Every operation of the store on a KV version 1 mount, or on no mount,
// fails with the classified error and its next step, and writes nothing.
func TestVaultWrongMounts(t *testing.T) {
	t.Parallel()
	addr, root := vaulttest.Require(t)
	ac := vaultAdmin(t)
	v1 := "credwiz-test-kv1-" + vaulttest.RandomHex(4)
	if err := ac.Sys().Mount(v1, &api.MountInput{Type: "kv", Options: map[string]string{"version": "1"}}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ac.Sys().Unmount(v1) })
	for _, tt := range []struct {
		mount string
		kind  vaultkv.Kind
		hint  string
	}{
		{v1, vaultkv.KindKVv1, "enable-versioning"},
		{"credwiz-no-such-mount-" + vaulttest.RandomHex(4), vaultkv.KindNoMount, "--vault-mount"},
	} {
		o := Options{Dir: t.TempDir(), Kind: KindVault, Vault: VaultOptions{Mount: tt.mount, Address: addr, Token: root}}
		st, err := Open(o)
		if err != nil {
			t.Fatal(err)
		}
		st.Tokens = NewMemory()
		ctx := ctxV(t)
		_, lerr := st.Catalog().List()
		_, gerr := st.Catalog().Get("a")
		_, aerr := st.Add(ctx, sampleCredential("a"), map[string]string{"client_secret": "s"}, AddOptions{})
		_, perr := Probe(st.Secrets)
		for i, err := range []error{lerr, gerr, aerr, perr} {
			if vaultkv.KindOf(err) != tt.kind || !strings.Contains(err.Error(), tt.hint) {
				t.Errorf("%s, call %d: %v", tt.mount, i, err)
			}
		}
	}
	if s, err := ac.Logical().List(v1 + "/"); err != nil || s != nil {
		t.Fatalf("the KV v1 mount holds %v (%v)", s, err)
	}
}

// A sealed server and then a stopped one: each command fails with the
// reason and the next step, within the timeout; nothing is half-written.
func TestVaultSealedThenStopped(t *testing.T) {
	t.Parallel()
	srv := vaulttest.StartDevServer(t)
	dir := t.TempDir()
	o := Options{Dir: dir, Kind: KindVault, Vault: VaultOptions{Address: srv.Addr, Token: srv.Token, Timeout: 2 * time.Second}}
	st, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	st.Tokens = NewMemory()
	ctx := ctxV(t)
	a := mustAdd(t, st, sampleCredential("a"), map[string]string{"client_secret": "s"})
	ac, err := vaulttest.API(srv.Addr, srv.Token)
	if err != nil {
		t.Fatal(err)
	}
	if err := ac.Sys().Seal(); err != nil {
		t.Fatal(err)
	}
	calls := func() []error {
		_, lerr := st.Catalog().List()
		_, serr := st.Secret(a)
		_, cerr := st.Change(ctx, "a", a.Revision, Change{Description: desc("x")})
		derr := st.Delete(ctx, "a")
		_, herr := st.History(ctx, "a")
		return []error{lerr, serr, cerr, derr, herr}
	}
	for i, err := range calls() {
		if vaultkv.KindOf(err) != vaultkv.KindSealed || !strings.Contains(err.Error(), "unseal") {
			t.Errorf("sealed, call %d: %v", i, err)
		}
	}
	srv.Stop()
	for i, err := range calls() {
		if vaultkv.KindOf(err) != vaultkv.KindUnreachable || !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("stopped, call %d: %v", i, err)
		}
	}
}

// No request outlives the timeout: a server that accepts and never
// answers fails each call with "did not answer within".
func TestVaultHangingServer(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	o := Options{Dir: t.TempDir(), Kind: KindVault, Vault: VaultOptions{Address: "http://" + l.Addr().String(), Token: "hvs.fake", Timeout: 200 * time.Millisecond}}
	st, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	st.Tokens = NewMemory()
	res := make(chan error, 1)
	go func() {
		_, err := st.Catalog().List()
		res <- err
	}()
	select {
	case err := <-res:
		if vaultkv.KindOf(err) != vaultkv.KindUnreachable || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "within 200ms") {
			t.Fatalf("hanging server: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("list did not return: the timeout does not bound it")
	}
}

// An expired token is told apart from a missing permission.
func TestVaultExpiredToken(t *testing.T) {
	t.Parallel()
	addr, _ := vaulttest.Require(t)
	folder := vaulttest.Folder(t)
	tok := vaulttest.TokenWithPolicy(t, `path "secret/*" { capabilities = ["read", "list"] }`, "1h")
	if err := vaultAdmin(t).Auth().Token().RevokeTree(tok); err != nil {
		t.Fatal(err)
	}
	st, err := Open(Options{Dir: t.TempDir(), Kind: KindVault, Vault: VaultOptions{Path: folder, Address: addr, Token: tok}})
	if err != nil {
		t.Fatal(err)
	}
	st.Tokens = NewMemory()
	_, err = st.Catalog().List()
	if vaultkv.KindOf(err) != vaultkv.KindBadToken || !strings.Contains(err.Error(), "vault login") {
		t.Fatalf("revoked token: %v", err)
	}
}
