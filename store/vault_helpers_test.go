package store

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"

	"github.com/credwiz/credwiz/internal/vaulttest"
)

// teammate is one config dir (one operator) on a shared Vault folder.
type teammate struct {
	dir string
	st  *Store
}

// vaultOpts are the options of a Vault store on the shared dev server in
// folder, with the root token unless token is set.
func vaultOpts(t testing.TB, dir, folder, author, token string) Options {
	addr, root := vaulttest.Require(t)
	if token == "" {
		token = root
	}
	return Options{Dir: dir, Kind: KindVault, Timeout: 5 * time.Second, ProbeTimeout: time.Millisecond,
		Vault: VaultOptions{Path: folder, Address: addr, Token: token, Author: author, Timeout: 20 * time.Second}}
}

// openVaultStore opens a Vault store in config dir dir on folder, its
// tokens in memory (never a developer's keychain).
func openVaultStore(t testing.TB, dir, folder, author, token string) *Store {
	t.Helper()
	st, err := Open(vaultOpts(t, dir, folder, author, token))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	st.Tokens = NewMemory()
	return st
}

// newTeam returns n teammates (alice, bob, …) sharing one fresh folder.
func newTeam(t testing.TB, n int) (string, []*teammate) {
	t.Helper()
	folder := vaulttest.Folder(t)
	names := []string{"alice@laptop", "bob@desk", "carol@ci", "dave@server"}
	var team []*teammate
	for i := range n {
		dir := t.TempDir()
		team = append(team, &teammate{dir: dir, st: openVaultStore(t, dir, folder, names[i], "")})
	}
	return folder, team
}

// vaultAdmin returns a root api client of the shared dev server.
func vaultAdmin(t testing.TB) *api.Client { return vaulttest.Admin(t) }

// rawData reads a key's latest data as the vault CLI shows it.
func rawData(t testing.TB, folder, key string) map[string]any {
	t.Helper()
	s, err := vaultAdmin(t).Logical().Read("secret/data/" + folder + "/" + key)
	if err != nil {
		t.Fatal(err)
	}
	if s == nil || s.Data["data"] == nil {
		return nil
	}
	return s.Data["data"].(map[string]any)
}

// vaultState returns name → marker of every credential the catalog
// lists, each read through Secret, and fails on a mixed pair (a
// description marker that is not the secret's).
func vaultState(t testing.TB, st *Store) map[string]string {
	t.Helper()
	creds, err := st.Catalog().List()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, c := range creds {
		m, err := st.Secret(c)
		if err != nil {
			t.Fatalf("Secret(%s): %v", c.Name, err)
		}
		if m["marker"] != c.Description {
			t.Fatalf("%s: a mixed pair: description %q, secret %q", c.Name, c.Description, m["marker"])
		}
		out[c.Name] = c.Description
	}
	return out
}

// wantState fails unless st's credentials are want.
func wantState(t testing.TB, st *Store, want map[string]string) {
	t.Helper()
	if got := vaultState(t, st); !maps.Equal(got, want) {
		t.Fatalf("credentials = %v, want %v", got, want)
	}
}

// ctxV returns a context bounded by 60 s.
func ctxV(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// vaultTokenWithPolicy returns a token of the shared dev server bound to
// rules, revoked when the test ends.
func vaultTokenWithPolicy(t testing.TB, rules string) string {
	return vaulttest.TokenWithPolicy(t, rules, "1h")
}
