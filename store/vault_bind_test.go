package store

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/credwiz/credwiz/internal/vaulttest"
)

// A config dir records its Vault server (address and namespace) with the
// folder, and never follows VAULT_ADDR or VAULT_NAMESPACE to another: the
// same server written otherwise is accepted, another one is refused with
// the fix; an index written before servers were recorded takes any (and
// records it with the next write).
func TestVaultServerIsRecorded(t *testing.T) {
	dir := t.TempDir()
	raw := `{"version":2,"id":"0123456789abcdef","store":"vault","vault":{"mount":"kv","path":"team/credwiz","address":"http://127.0.0.1:1"},"credentials":[]}`
	if err := os.WriteFile(filepath.Join(dir, IndexFile), []byte(raw), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("VAULT_NAMESPACE", "")
	open := func(addr string) error {
		_, err := Open(Options{Dir: dir, Vault: VaultOptions{Address: addr, Token: "x"}})
		return err
	}
	for _, same := range []string{"http://127.0.0.1:1", "HTTP://127.0.0.1:1/", "http://user@127.0.0.1:1"} {
		if err := open(same); err != nil {
			t.Errorf("the recorded server as %s: %v", same, err)
		}
	}
	err := open("http://127.0.0.1:2")
	if !errors.Is(err, ErrStoreMismatch) || !strings.Contains(err.Error(), "records the Vault server http://127.0.0.1:1") || !strings.Contains(err.Error(), "--config-dir") {
		t.Errorf("another server: %v", err)
	}
	t.Setenv("VAULT_NAMESPACE", "team-b")
	if err := open("http://127.0.0.1:1"); !errors.Is(err, ErrStoreMismatch) || !strings.Contains(err.Error(), "(namespace team-b)") {
		t.Errorf("another namespace: %v", err)
	}
	t.Setenv("VAULT_NAMESPACE", "")
	old := `{"version":2,"id":"0123456789abcdef","store":"vault","vault":{"mount":"kv","path":"team/credwiz"},"credentials":[]}`
	if err := os.WriteFile(filepath.Join(dir, IndexFile), []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := open("http://127.0.0.1:2"); err != nil {
		t.Errorf("an index without a recorded server: %v", err)
	}
}

// One config dir, two Vault servers holding a credential of the same
// name at the same version with the same creation time (a restore, a
// recreated staging server, or a writer who copied it): the first write
// records the server, so the config dir refuses the second; and a config
// dir whose index predates that (no server recorded) never gives the
// first server's cached token for the second's credential, nor for
// settings other than those it was minted with.
func TestVaultCachedTokenIsBoundToItsServer(t *testing.T) {
	_, _ = vaulttest.Require(t)
	other := vaulttest.StartDevServer(t)
	folder := vaulttest.Folder(t)
	dir := t.TempDir()
	tokens := NewMemory()
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return at }

	st1 := openVaultStore(t, dir, folder, "alice@laptop", "")
	st1.Tokens, st1.Now = tokens, clock
	c1 := mustAdd(t, st1, sampleCredential("cross"), map[string]string{"client_secret": "first-server-secret"})
	if errs, err := st1.Record(ctxV(t), []Record{{Name: "cross", Revision: c1.Revision, Token: map[string]string{"access_token": "token-of-the-first"}}}); err != nil || errs[0] != nil {
		t.Fatal(err, errs)
	}
	if tok, err := st1.CachedToken(getV(t, st1, "cross")); err != nil || tok["access_token"] != "token-of-the-first" {
		t.Fatalf("the token on its own server: %v, %v", tok, err)
	}

	o2 := vaultOpts(t, dir, folder, "mallory@elsewhere", "")
	o2.Vault.Address, o2.Vault.Token = other.Addr, other.Token
	if _, err := Open(o2); !errors.Is(err, ErrStoreMismatch) || !strings.Contains(err.Error(), "records the Vault server") {
		t.Fatalf("the other server for a config dir that recorded the first: %v", err)
	}

	// An index written before the server was recorded.
	if err := NewIndex(dir).Update(ctxV(t), func(tx *Tx) error {
		v := tx.Vault()
		v.Address, v.Namespace = "", ""
		tx.SetVault(v)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	st2, err := Open(o2)
	if err != nil {
		t.Fatal(err)
	}
	st2.Tokens, st2.Now = tokens, clock
	c := sampleCredential("cross")
	c.Fields["base_url"] = "http://127.0.0.1:18080"
	c2 := mustAdd(t, st2, c, map[string]string{"client_secret": "other-server-secret"})
	if c2.Revision != c1.Revision || !c2.CreatedAt.Equal(c1.CreatedAt) {
		t.Fatalf("not the same version and creation time: %+v, %+v", c1, c2)
	}
	if tok, err := st2.CachedToken(getV(t, st2, "cross")); err != nil || tok != nil {
		t.Fatalf("the first server's token was given for the second's credential: %v, %v", tok, err)
	}
	// The same server, the settings other than those minted with (an
	// index that lists another base URL): no token either.
	listed := getV(t, st1, "cross")
	listed.Fields["base_url"] = "http://127.0.0.1:18080"
	if tok, err := st1.CachedToken(listed); err != nil || tok != nil {
		t.Fatalf("the token was given for other settings: %v, %v", tok, err)
	}
}
