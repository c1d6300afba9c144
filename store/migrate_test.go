package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// migrationDir is a config dir with three credentials in the store of
// kind from: a plain one, one with a cached token, and one whose last
// write stopped after its commit point (its secret in a staged item).
type migrationDir struct {
	dir      string
	services [2]string
	secrets  map[string]string // name → client_secret
}

// openKind opens the config dir with kind asked for (or the recorded
// kind when kind is ""), the test's keychain services and passphrase.
func (m *migrationDir) open(t *testing.T, kind Kind, ask PassphraseFunc) *Store {
	t.Helper()
	unsetEnv(t, "CREDWIZ_PASSPHRASE")
	unsetEnv(t, "CREDWIZ_IDENTITY_FILE")
	o := Options{Dir: m.dir, Kind: kind, Passphrase: ask, WorkFactor: testWorkFactor, Timeout: 10 * time.Second}
	o.services = m.services
	if kind == "" {
		o.Kind = KindAuto
	}
	st, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func pw(PassphraseRequest) (string, error) { return "migrate-pass", nil }

func newMigrationDir(t *testing.T, from Kind) *migrationDir {
	svc := testService(t)
	t.Cleanup(func() { wipeKeychainService(t, svc+"-token") })
	m := &migrationDir{dir: t.TempDir(), services: [2]string{svc, svc + "-token"}, secrets: map[string]string{}}
	st := m.open(t, from, pw)
	for _, n := range []string{"plain", "cached", "staged"} {
		m.secrets[n] = "s-" + n + "-" + randomHex(4)
		mustAdd(t, st, sampleCredential(n), map[string]string{"client_secret": m.secrets[n]})
	}
	c := mustCred(t, st, "cached")
	if errs, err := st.Record(bg, []Record{{Name: "cached", Revision: c.Revision, Token: map[string]string{"access_token": "tok"}}}); err != nil || errs[0] != nil {
		t.Fatal(err, errs)
	}
	// "staged": killed right after the commit of a new secret.
	s := mustCred(t, st, "staged")
	m.secrets["staged"] = "s-staged-new"
	st.Hook = func(step Step) {
		if step == StepIndexCommitted {
			panic("killed")
		}
	}
	func() {
		defer func() { _ = recover() }()
		_, _ = st.Change(bg, "staged", s.Revision, Change{Secret: map[string]string{"client_secret": m.secrets["staged"]}})
	}()
	if c := mustCred(t, m.open(t, "", pw), "staged"); c.SecretItem == "" {
		t.Fatal("the staged credential is not staged")
	}
	return m
}

// check verifies that the config dir works with the recorded store: every
// secret readable from it.
func (m *migrationDir) check(t *testing.T, want Kind) *Store {
	t.Helper()
	st := m.open(t, "", pw)
	if st.Kind != want {
		t.Fatalf("the index records the %s store, want %s", st.Kind, want)
	}
	for n, s := range m.secrets {
		got, err := secretOf(st, n)
		if err != nil || got["client_secret"] != s {
			t.Fatalf("%s store: secret of %s = %v, %v; want %s", want, n, got, err, s)
		}
	}
	return st
}

// TestMigrateBothWays moves a config dir's secrets from the file store to
// the keychain and back: everything readable after each, nothing left in
// the source, no migration pending, doctor clean.
func TestMigrateBothWays(t *testing.T) {
	requireKeychain(t)
	for _, way := range [][2]Kind{{KindFile, KindKeychain}, {KindKeychain, KindFile}} {
		t.Run(fmt.Sprintf("%s to %s", way[0], way[1]), func(t *testing.T) {
			m := newMigrationDir(t, way[0])
			st := m.open(t, "", pw)
			res, err := st.Migrate(bg, way[1])
			if err != nil {
				t.Fatal(err)
			}
			if res.Moved != 3 || res.Removed < 4 || st.Kind != way[1] {
				t.Fatalf("Migrate = %+v (kind now %s)", res, st.Kind)
			}
			st = m.check(t, way[1])
			if p, err := st.PendingMigration(bg); err != nil || p != nil {
				t.Fatalf("PendingMigration = %+v, %v", p, err)
			}
			if h, err := st.Check(bg); err != nil || !h.Clean() {
				t.Fatalf("Check = %+v, %v", h, err)
			}
			if c := mustCred(t, st, "staged"); c.SecretItem != "" {
				t.Fatal("the staged item survived the migration")
			}
			// Nothing of this config dir is left in the source.
			sec, tok, _, _ := openBackend(way[0], st.opts)
			id, _ := st.DirID()
			if left := append(ownedAccounts(sec, id, nil), ownedAccounts(tok, id, nil)...); len(left) != 0 {
				t.Fatalf("left in the %s store: %v", way[0], left)
			}
			if _, err := os.Stat(filepath.Join(m.dir, migrationFileName)); !errors.Is(err, os.ErrNotExist) {
				t.Fatal("migration.json left")
			}
			if res, err := st.Migrate(bg, way[1]); err != nil || !res.Already {
				t.Fatalf("migrating again = %+v, %v", res, err)
			}
		})
	}
}

// TestMigrateKilledAtEveryStep stops a migration at every step of both
// directions (the process "dies": a panic from the step hook): the config
// dir then works with one store, which holds every secret; doctor's view
// (PendingMigration) names what is left in the other; CleanMigration
// removes it; migrating again completes.
func TestMigrateKilledAtEveryStep(t *testing.T) {
	requireKeychain(t)
	steps := []Step{StepMigrateStarted, StepMigrateCopied, StepMigrateSwitched, StepMigrateSourceDeleted}
	for _, way := range [][2]Kind{{KindFile, KindKeychain}, {KindKeychain, KindFile}} {
		for _, step := range steps {
			for n := 1; n <= 3; n++ {
				if n > 1 && step != StepMigrateCopied && step != StepMigrateSourceDeleted {
					continue
				}
				t.Run(fmt.Sprintf("%s to %s at %s #%d", way[0], way[1], step, n), func(t *testing.T) {
					m := newMigrationDir(t, way[0])
					st := m.open(t, "", pw)
					seen, killed := 0, false
					st.Hook = func(s Step) {
						if s == step {
							if seen++; seen == n {
								killed = true
								panic("killed")
							}
						}
					}
					func() {
						defer func() { _ = recover() }()
						_, _ = st.Migrate(bg, way[1])
					}()
					if !killed {
						t.Skipf("the migration passed %s fewer than %d times", step, n)
					}
					after := way[0]
					if step == StepMigrateSwitched || step == StepMigrateSourceDeleted {
						after = way[1]
					}
					st = m.check(t, after)
					p, err := st.PendingMigration(bg)
					if err != nil || p == nil || p.From != way[0] || p.To != way[1] || p.Switched != (after == way[1]) {
						t.Fatalf("PendingMigration = %+v, %v", p, err)
					}
					{
						if _, err := st.CleanMigration(bg); err != nil {
							t.Fatal(err)
						}
						if p, _ := st.PendingMigration(bg); p != nil {
							t.Fatalf("still pending after CleanMigration: %+v", p)
						}
						other := way[0]
						if after == way[0] {
							other = way[1]
						}
						sec, tok, _, _ := openBackend(other, st.opts)
						id, _ := st.DirID()
						if left := append(ownedAccounts(sec, id, nil), ownedAccounts(tok, id, nil)...); len(left) != 0 {
							t.Fatalf("left in the %s store after CleanMigration: %v", other, left)
						}
					}
					m.check(t, after)
					if after == way[0] {
						st = m.open(t, "", pw)
						if _, err := st.Migrate(bg, way[1]); err != nil {
							t.Fatal(err)
						}
					}
					st = m.check(t, way[1])
					if h, err := st.Check(bg); err != nil || len(h.Orphans)+len(h.Missing)+len(h.Mismatched) != 0 {
						t.Fatalf("Check = %+v, %v", h, err)
					}
				})
			}
		}
	}
}

// TestMigrateRefusesAMissingSecret: a credential whose secret is missing
// stops the migration before anything moves, and says how to fix it.
func TestMigrateRefusesAMissingSecret(t *testing.T) {
	requireKeychain(t)
	m := newMigrationDir(t, KindFile)
	st := m.open(t, "", pw)
	if err := st.Secrets.Delete("plain"); err != nil {
		t.Fatal(err)
	}
	_, err := st.Migrate(bg, KindKeychain)
	if err == nil || !errors.Is(err, ErrNotFound) {
		t.Fatalf("Migrate = %v", err)
	}
	st = m.open(t, "", pw)
	if st.Kind != KindFile {
		t.Fatalf("kind %s", st.Kind)
	}
	if p, _ := st.PendingMigration(bg); p != nil {
		t.Fatalf("pending: %+v", p)
	}
	sec, tok, _, _ := openBackend(KindKeychain, st.opts)
	id, _ := st.DirID()
	if left := append(ownedAccounts(sec, id, nil), ownedAccounts(tok, id, nil)...); len(left) != 0 {
		t.Fatalf("copies left in the keychain: %v", left)
	}
}

// Two config dirs share one keychain and each has a credential "shared":
// moving the second's secrets from its encrypted file into the keychain
// refuses, naming the name, before anything is written (the first's only
// copy stays), and the second keeps working on its file store; with
// Force it moves, overwriting the item as asked.
func TestMigrateRefusesAnotherOwnersItem(t *testing.T) {
	requireKeychain(t)
	svc := testService(t)
	t.Cleanup(func() { wipeKeychainService(t, svc+"-token") })
	a := &migrationDir{dir: t.TempDir(), services: [2]string{svc, svc + "-token"}}
	b := &migrationDir{dir: t.TempDir(), services: a.services}
	mustAdd(t, a.open(t, KindKeychain, pw), sampleCredential("shared"), map[string]string{"client_secret": "a-only-copy"})
	sb := b.open(t, KindFile, pw)
	mustAdd(t, sb, sampleCredential("shared"), map[string]string{"client_secret": "b-own"})
	mustAdd(t, sb, sampleCredential("mine"), map[string]string{"client_secret": "b-mine"})

	_, err := sb.Migrate(bg, KindKeychain)
	if err == nil || !strings.Contains(err.Error(), `"shared"`) || strings.Contains(err.Error(), `"mine"`) || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("Migrate over another config dir's item: %v", err)
	}
	if got, err := secretOf(a.open(t, "", pw), "shared"); err != nil || got["client_secret"] != "a-only-copy" {
		t.Fatalf("the other config dir's secret after the refusal: %v, %v", got, err)
	}
	sb = b.open(t, "", pw)
	if sb.Kind != KindFile {
		t.Fatalf("kind %s after the refusal", sb.Kind)
	}
	for n, want := range map[string]string{"shared": "b-own", "mine": "b-mine"} {
		if got, err := secretOf(sb, n); err != nil || got["client_secret"] != want {
			t.Fatalf("%s after the refusal: %v, %v", n, got, err)
		}
	}
	if p, err := sb.PendingMigration(bg); err != nil || p != nil {
		t.Fatalf("PendingMigration = %+v, %v", p, err)
	}
	sec, _, _, _ := openBackend(KindKeychain, sb.opts)
	id, _ := sb.DirID()
	if left := ownedAccounts(sec, id, nil); len(left) != 0 {
		t.Fatalf("copies left in the keychain: %v", left)
	}

	res, err := sb.MigrateWith(bg, KindKeychain, MigrateOptions{Force: true})
	if err != nil || res.Moved != 2 {
		t.Fatalf("MigrateWith Force = %+v, %v", res, err)
	}
	if got, err := secretOf(b.open(t, "", pw), "shared"); err != nil || got["client_secret"] != "b-own" {
		t.Fatalf("after the forced migration: %v, %v", got, err)
	}
	if _, err := secretOf(a.open(t, "", pw), "shared"); !errors.Is(err, ErrForeignItem) {
		t.Fatalf("the overwritten config dir reads: %v", err)
	}
}
