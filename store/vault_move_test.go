package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/credwiz/credwiz/internal/vaulttest"
)

// movePass is the passphrase of the encrypted files of the migration
// tests (fast scrypt: moveWork).
const (
	movePass = "migrate-me"
	moveWork = 10
)

// moveSeed is what the migration tests move: name → marker.
var moveSeed = map[string]string{"m1": "one", "m2": "two", "m3": "three"}

// localOpts are the options of config dir dir's local store.
func localOpts(dir string) Options {
	return Options{Dir: dir, Passphrase: func(PassphraseRequest) (string, error) { return movePass, nil }, WorkFactor: moveWork,
		Timeout: 5 * time.Second, ProbeTimeout: time.Millisecond}
}

// vaultMoveOpts are the Vault options of a migration to folder.
func vaultMoveOpts(dir, folder string) Options {
	o := localOpts(dir)
	o.Vault = VaultOptions{Path: folder, Address: os.Getenv(vaulttest.EnvAddr), Token: os.Getenv(vaulttest.EnvToken),
		Author: "alice@laptop", Timeout: 20 * time.Second}
	return o
}

// seedMove saves moveSeed in st, m1 tested, m2 with a cached token.
func seedMove(t testing.TB, st *Store) {
	t.Helper()
	for _, n := range []string{"m1", "m2", "m3"} {
		c := sampleCredential(n)
		c.Description = moveSeed[n]
		o := AddOptions{}
		if n == "m1" {
			o.Test = passed(c.CreatedAt)
		}
		saved, err := st.Add(bg, c, map[string]string{"marker": moveSeed[n]}, o)
		if err != nil {
			t.Fatal(err)
		}
		if n == "m2" {
			if _, err := st.Record(bg, []Record{{Name: n, Revision: saved.Revision, Token: map[string]string{"access_token": "t"}}}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// seededLocal opens config dir dir's local store of kind and saves
// moveSeed in it (seedMove).
func seededLocal(t testing.TB, dir string, kind Kind) *Store {
	t.Helper()
	o := localOpts(dir)
	o.Kind = kind
	st, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	seedMove(t, st)
	return st
}

// openDir opens config dir dir as a command would: the recorded store.
func openDir(t testing.TB, dir, folder string) *Store {
	t.Helper()
	o := vaultMoveOpts(dir, folder)
	o.Vault.Path = "" // the recorded folder
	st, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	if st.Kind == KindVault {
		st.Tokens = NewMemory()
	}
	return st
}

// runMoveHelper migrates the config dir of a helper process:
// HELPER_MOVE=to-vault from its file store to folder, from-vault to a
// file store.
func runMoveHelper(dir, folder string, hook func(Step)) error {
	ctx := context.Background()
	switch os.Getenv("HELPER_MOVE") {
	case "to-vault":
		st, err := Open(localOpts(dir))
		if err != nil {
			return err
		}
		st.Hook = hook
		_, err = st.MigrateToVault(ctx, vaultMoveOpts(dir, folder))
		return err
	case "from-vault":
		st, err := openVaultPlain(dir, folder)
		if err != nil {
			return err
		}
		st.Hook = hook
		_, err = st.MigrateFromVault(ctx, KindFile, localOpts(dir))
		return err
	}
	return errors.New("HELPER_MOVE is neither to-vault nor from-vault")
}

// localState is the state of a store that may be local or Vault.
func localState(t testing.TB, st *Store) map[string]string {
	t.Helper()
	creds, err := st.Catalog().List()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, c := range creds {
		m, err := st.Secret(c)
		if err != nil {
			t.Fatalf("Secret(%s) in the %s store: %v", c.Name, st.Kind, err)
		}
		if m["marker"] != c.Description {
			t.Fatalf("%s: a mixed pair: %q / %q", c.Name, c.Description, m["marker"])
		}
		out[c.Name] = c.Description
	}
	return out
}

// fileItems returns the accounts of config dir dir's encrypted file.
func fileItems(t testing.TB, dir string) []string {
	t.Helper()
	sec, _, _, err := localBackends(KindFile, dir, localOpts(dir))
	if err != nil {
		t.Fatal(err)
	}
	items, err := sec.(Lister).List()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range items {
		out = append(out, it.Account)
	}
	return out
}

// Moving to Vault and back keeps every credential whole, its test result
// and nothing of the source.
func TestVaultMigrateBothWays(t *testing.T) {
	t.Parallel()
	folder, dir := vaulttest.Folder(t), t.TempDir()
	st := seededLocal(t, dir, KindFile)
	res, err := st.MigrateToVault(bg, vaultMoveOpts(dir, folder))
	if err != nil {
		t.Fatal(err)
	}
	if res.Moved != 3 || st.Kind != KindVault || len(fileItems(t, dir)) != 0 {
		t.Fatalf("to Vault: %+v, kind %s, file items %v", res, st.Kind, fileItems(t, dir))
	}
	st.Tokens = NewMemory()
	if got := localState(t, st); !maps.Equal(got, moveSeed) {
		t.Fatalf("in Vault: %v", got)
	}
	if c := getV(t, st, "m1"); c.Tested() == nil {
		t.Fatalf("m1's test result was lost: %+v", c.LastTest)
	}
	bob := openVaultStore(t, t.TempDir(), folder, "bob@desk", "")
	if got := localState(t, bob); !maps.Equal(got, moveSeed) {
		t.Fatalf("the team sees %v", got)
	}
	if _, err := st.MigrateToVault(bg, vaultMoveOpts(dir, folder)); err == nil {
		t.Fatal("a second migration to Vault succeeded")
	}
	res, err = st.MigrateFromVault(bg, KindFile, localOpts(dir))
	if err != nil {
		t.Fatal(err)
	}
	if res.Moved != 3 || st.Kind != KindFile {
		t.Fatalf("from Vault: %+v, kind %s", res, st.Kind)
	}
	back := openDir(t, dir, folder)
	if back.Kind != KindFile {
		t.Fatalf("recorded kind %s", back.Kind)
	}
	if got := localState(t, back); !maps.Equal(got, moveSeed) {
		t.Fatalf("back in the file: %v", got)
	}
	if c, _ := back.Index.Get("m1"); c.Tested() == nil {
		t.Fatalf("m1's test result was lost on the way back: %+v", c.LastTest)
	}
	if h, err := back.Check(bg); err != nil || !h.Clean() {
		t.Fatalf("Check: %+v %v", h, err)
	}
	// The team keeps them.
	if got := localState(t, bob); !maps.Equal(got, moveSeed) {
		t.Fatalf("the team lost them: %v", got)
	}
}

// A migration to Vault over a name a teammate holds moves nothing.
func TestVaultMigrateRefusesTakenNames(t *testing.T) {
	t.Parallel()
	folder, dir := vaulttest.Folder(t), t.TempDir()
	bob := openVaultStore(t, t.TempDir(), folder, "bob@desk", "")
	mustAdd(t, bob, sampleCredential("m2"), map[string]string{"marker": "bob's"})
	st := seededLocal(t, dir, KindMemory)
	if _, err := st.MigrateToVault(bg, vaultMoveOpts(dir, folder)); err == nil || st.Kind != KindMemory {
		t.Fatalf("migration over a teammate's name: %v (kind %s)", err, st.Kind)
	}
	if got := listNames(t, bob); len(got) != 1 {
		t.Fatalf("Vault holds %v", got)
	}
	if got := localState(t, st); !maps.Equal(got, moveSeed) {
		t.Fatalf("local %v", got)
	}
}

// TestVaultMigrateKilledAtEveryStep kills a migration to Vault, and one
// back, after each of its steps: the config dir then works with one store
// holding every credential whole; doctor --fix removes what is left in
// the other, and running the migration again finishes it.
func TestVaultMigrateKilledAtEveryStep(t *testing.T) {
	vaulttest.Require(t)
	kills := 0
	for _, way := range []string{"to-vault", "from-vault"} {
		t.Run(way, func(t *testing.T) {
			seed := func(t *testing.T) (string, string) {
				folder, dir := vaulttest.Folder(t), t.TempDir()
				if way == "to-vault" {
					seededLocal(t, dir, KindFile)
				} else {
					seedMove(t, openVaultStore(t, dir, folder, "alice@laptop", ""))
				}
				return folder, dir
			}
			migrate := func(st *Store, dir, folder string) error {
				if way == "to-vault" {
					_, err := st.MigrateToVault(bg, vaultMoveOpts(dir, folder))
					return err
				}
				_, err := st.MigrateFromVault(bg, KindFile, localOpts(dir))
				return err
			}
			target := map[string]Kind{"to-vault": KindVault, "from-vault": KindFile}[way]
			steps := stepsOf(t, func(hook func(Step)) error {
				folder, dir := seed(t)
				st := openDir(t, dir, folder)
				st.Hook = hook
				return migrate(st, dir, folder)
			})
			for step, count := range steps {
				for n := 1; n <= min(count, 2); n++ {
					what := fmt.Sprintf("killed at %s #%d", step, n)
					folder, dir := seed(t)
					if !killAt(t, "vault-move", step, n, "HELPER_DIR="+dir, "HELPER_FOLDER="+folder, "HELPER_MOVE="+way) {
						t.Fatalf("%s: did not pause", what)
					}
					kills++
					st := openDir(t, dir, folder)
					if got := localState(t, st); !maps.Equal(got, moveSeed) {
						t.Fatalf("%s: the %s store holds %v", what, st.Kind, got)
					}
					if _, err := st.Repair(bg, false); err != nil {
						t.Fatalf("%s: Repair: %v", what, err)
					}
					if h, err := st.Check(bg); err != nil || !h.Clean() {
						t.Fatalf("%s: Check after Repair in the %s store: %+v %v", what, st.Kind, h, err)
					}
					if st.Kind != target {
						if err := migrate(st, dir, folder); err != nil {
							t.Fatalf("%s: migrating again: %v", what, err)
						}
					}
					st = openDir(t, dir, folder)
					if got := localState(t, st); st.Kind != target || !maps.Equal(got, moveSeed) {
						t.Fatalf("%s: after finishing: %s store, %v", what, st.Kind, got)
					}
					if h, err := st.Check(bg); err != nil || !h.Clean() {
						t.Fatalf("%s: Check after finishing: %+v %v", what, h, err)
					}
					if way == "to-vault" {
						if items := fileItems(t, dir); len(items) != 0 {
							t.Fatalf("%s: the file store still holds %v", what, items)
						}
					}
				}
			}
		})
	}
	t.Logf("%d kills", kills)
}

// A copy of a config dir whose items another config dir shares (the
// keychain's) moves nothing to Vault: the migration would end by deleting
// the source items, which are the original's.
func TestCopiedConfigDirMovesNothingToVault(t *testing.T) {
	t.Parallel()
	folder := vaulttest.Folder(t)
	keychain := NewMemory()
	orig := filepath.Join(t.TempDir(), "orig")
	if err := os.Mkdir(orig, 0o700); err != nil {
		t.Fatal(err)
	}
	a := &Store{Index: NewIndex(orig), Secrets: keychain, Tokens: NewMemory(), Kind: KindMemory}
	mustAdd(t, a, sampleCredential("p1"), map[string]string{"client_secret": "p1-secret"})
	cp := copyDir(t, orig)
	b := &Store{Index: NewIndex(cp), Secrets: keychain, Tokens: NewMemory(), Kind: KindMemory}
	_, err := b.MigrateToVault(bg, vaultMoveOpts(cp, folder))
	if !errors.Is(err, ErrMoved) {
		t.Fatalf("MigrateToVault from a copy: %v, want ErrMoved", err)
	}
	if got, err := secretOf(a, "p1"); err != nil || got["client_secret"] != "p1-secret" {
		t.Fatalf("the original's p1 after the copy's migration: %v, %v", got, err)
	}
	if c, err := b.Index.Get("p1"); err != nil || b.Kind != KindMemory {
		t.Fatalf("the copy after its refused migration: %+v, kind %s, %v", c, b.Kind, err)
	}
}

// TestVaultMigrateAsksFirst: a migration that cannot get the passphrase
// it needs (no terminal, no CREDWIZ_PASSPHRASE) fails before anything is
// written: to Vault, the source file store's; from Vault, the new file
// store's. credentials.json is byte for byte as it was, and Vault holds
// nothing of it.
func TestVaultMigrateAsksFirst(t *testing.T) {
	t.Parallel()
	folder, dir := vaulttest.Folder(t), t.TempDir()
	seededLocal(t, dir, KindFile)
	index := filepath.Join(dir, IndexFile)
	before, err := os.ReadFile(index)
	if err != nil {
		t.Fatal(err)
	}
	locked := vaultMoveOpts(dir, folder)
	locked.Passphrase = nil
	lst, err := Open(Options{Dir: dir, Kind: KindFile, WorkFactor: moveWork})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lst.MigrateToVault(bg, locked); !errors.Is(err, ErrLocked) {
		t.Fatalf("to Vault with the file store locked: err = %v, want ErrLocked", err)
	}
	if after, _ := os.ReadFile(index); string(after) != string(before) {
		t.Errorf("a migration to Vault that could not read the file store changed credentials.json:\n%s", after)
	}
	if got := localState(t, openVaultStore(t, t.TempDir(), folder, "bob@desk", "")); len(got) != 0 {
		t.Errorf("Vault holds %v after a migration that could not start", got)
	}

	// From Vault to a file store not created yet, with no passphrase.
	vdir := t.TempDir()
	vst := openVaultStore(t, vdir, folder, "carol@desk", "")
	if _, err := vst.Add(bg, sampleCredential("v1"), map[string]string{"marker": "v"}, AddOptions{}); err != nil {
		t.Fatal(err)
	}
	vindex := filepath.Join(vdir, IndexFile)
	vbefore, err := os.ReadFile(vindex)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := vst.MigrateFromVault(bg, KindFile, Options{Dir: vdir, WorkFactor: moveWork}); !errors.Is(err, ErrNoPassphrase) {
		t.Fatalf("from Vault to a new file store with no passphrase: err = %v, want ErrNoPassphrase", err)
	}
	if after, _ := os.ReadFile(vindex); string(after) != string(vbefore) {
		t.Errorf("a migration from Vault that could not create the file store changed credentials.json:\n%s", after)
	}
	if _, err := os.Stat(filepath.Join(vdir, SecretsDirName, "identity.age")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the file store was created: %v", err)
	}
}
