package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// migrationFileName marks a migration in progress in the config dir: it
// names the source and target stores, so that doctor (and the next
// migrate) can find the items an interrupted migration left in the store
// the index does not record.
const migrationFileName = "migration.json"

// maxMigrationSize caps migration.json.
const maxMigrationSize = 64 << 10

// migrationMarker is migration.json.
type migrationMarker struct {
	From    Kind      `json:"from"`
	To      Kind      `json:"to"`
	ID      string    `json:"id"`
	Started time.Time `json:"started"`
}

// MigrateResult is what Migrate did.
type MigrateResult struct {
	// From and To are the stores.
	From, To Kind
	// Moved counts the credentials whose secret moved.
	Moved int
	// Removed counts the items deleted from the source store (secrets,
	// staged items, cached tokens) and, when the config dir already used
	// To, those an interrupted migration had left.
	Removed int
	// Already is set when the config dir already used To.
	Already bool
}

// MigrateOptions qualify Store.MigrateWith.
type MigrateOptions struct {
	// Force overwrites items of the target store that another config dir
	// (or another program) wrote under a credential's name; without it
	// the migration refuses them, naming them, and moves nothing.
	Force bool
}

// Migrate is MigrateWith without options: it never overwrites an item of
// another owner.
func (s *Store) Migrate(ctx context.Context, to Kind) (MigrateResult, error) {
	return s.MigrateWith(ctx, to, MigrateOptions{})
}

// MigrateWith moves every credential's secret of this config dir to the
// secret store of kind to, and records that store in the index. It runs
// under the index lock, in three phases, each safe to interrupt:
//
//  0. every credential's name is looked up in the target store: an item
//     there that this config dir did not write (another config dir
//     sharing the keychain holds a credential of the same name) stops the
//     migration before anything is written, unless o.Force;
//  1. migration.json is written, then every secret is written to the
//     target store, owner kept (a kill here leaves the index on the source
//     store, which still holds everything: the copies in the target are
//     leftovers that doctor --fix, or the next migrate, removes);
//  2. one index commit records the target store (the commit point);
//  3. the source store's items of this config dir go (secrets, staged
//     items, cached tokens), then migration.json (a kill here leaves the
//     index on the target, which holds everything: the source's items are
//     leftovers, removed the same way).
//
// Cached tokens are not moved: the next command mints one. Whatever needs
// the operator (the passphrase of an encrypted file store read from, the
// new passphrase of one created) is asked before the lock is taken. After
// Migrate s uses the target store.
func (s *Store) MigrateWith(ctx context.Context, to Kind, o MigrateOptions) (MigrateResult, error) {
	res := MigrateResult{From: s.Kind, To: to}
	if to != KindKeychain && to != KindFile && to != KindMemory {
		return res, fmt.Errorf("cannot migrate to %q: use keychain or file", to)
	}
	if err := s.finishOldMigration(ctx, to, &res); err != nil {
		return res, err
	}
	if s.Kind == to {
		res.Already = true
		return res, nil
	}
	tsec, ttok, tfile, err := openBackend(to, s.opts)
	if err != nil {
		return res, err
	}
	if tfile != nil {
		tfile.hook = s.step
		if err := tfile.Prepare(); err != nil {
			return res, err
		}
	}
	// The target answers before the source's passphrase is asked: a
	// keychain that cannot be reached fails at once.
	if _, err := Probe(tsec); err != nil {
		return res, targetDown(to, err)
	}
	if err := s.unlockSource(); err != nil {
		return res, err
	}
	from := s.Kind
	err = s.Index.Update(ctx, func(tx *Tx) error {
		id, err := s.migrationTx(tx, from, to, true)
		if err != nil {
			return err
		}
		creds := tx.List()
		if !o.Force {
			if err := takenNames(tsec, to, id, creds); err != nil {
				return err
			}
		}
		if err := s.writeMarker(migrationMarker{From: from, To: to, ID: id, Started: s.now()}); err != nil {
			return err
		}
		s.step(StepMigrateStarted)
		for _, c := range creds {
			values, err := s.readSecret(id, c)
			if errors.Is(err, ErrNotFound) && len(c.SecretKeys) == 0 {
				continue
			}
			if err != nil {
				return s.abandonCopies(tsec, ttok, id, fmt.Errorf("read the secret of %q from the %s store: nothing was moved: %w (credwiz doctor says more; credwiz reauth %s enters it again)", c.Name, from, err, c.Name))
			}
			if err := tsec.Set(c.Name, Item{Values: values, Owner: Owner{Dir: id, Rev: c.SecretRevision}}); err != nil {
				return s.abandonCopies(tsec, ttok, id, fmt.Errorf("write the secret of %q to the %s store: nothing was moved: %w", c.Name, to, err))
			}
			s.step(StepMigrateCopied)
			res.Moved++
		}
		for _, c := range creds {
			if c.SecretItem != "" {
				c.SecretItem = ""
				tx.Put(c)
			}
		}
		tx.SetKind(to)
		if err := tx.Commit(); err != nil {
			return s.abandonCopies(tsec, ttok, id, fmt.Errorf("record the %s store: nothing was moved: %w", to, err))
		}
		s.step(StepMigrateSwitched)
		osec, otok := s.Secrets, s.Tokens
		s.Kind, s.Secrets, s.Tokens, s.File = to, tsec, ttok, tfile
		n, err := s.removeOwned(osec, otok, id, creds)
		res.Removed += n
		if err != nil {
			return fmt.Errorf("the secrets are moved to the %s store, but %w (credwiz doctor --fix finishes it): %w", to, ErrCleanup, err)
		}
		return s.removeMarker()
	})
	return res, err
}

// takenNames refuses, naming them, the credentials of creds whose name
// the target store sec (of kind to) holds an item of another owner under:
// another config dir's credential of the same name, or an item without an
// owner. Overwriting it would lose that one's secret.
func takenNames(sec Secrets, to Kind, id string, creds []Credential) error {
	var taken []string
	for _, c := range creds {
		o, err := ItemOwner(sec, c.Name)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return fmt.Errorf("look for %q in the %s store: nothing was moved: %w", c.Name, to, err)
		case o.Dir != id:
			taken = append(taken, strconv.Quote(c.Name))
		}
	}
	if len(taken) == 0 {
		return nil
	}
	return fmt.Errorf("nothing was moved: the %s store already holds items named %s that this config dir did not write (another config dir's credentials?): rename them here first (credwiz edit NAME --name NEW), or pass --force to overwrite them (their owner loses them)",
		to, strings.Join(taken, ", "))
}

// finishOldMigration deals with a migration an earlier process left
// unfinished: if the index records its target (it switched), the source's
// leftovers are removed; if not, the copies in its target are. Either way
// migration.json goes.
func (s *Store) finishOldMigration(ctx context.Context, to Kind, res *MigrateResult) error {
	m, err := s.readMarker()
	if err != nil || m == nil {
		return err
	}
	n, err := s.CleanMigration(ctx)
	res.Removed += n
	return err
}

// abandonCopies removes what phase 1 wrote to the target store and the
// marker, best effort, and returns err (with what is left said).
func (s *Store) abandonCopies(tsec, ttok Secrets, id string, err error) error {
	if _, cerr := s.removeOwned(tsec, ttok, id, nil); cerr != nil {
		return fmt.Errorf("%w; copies are left in the target store (credwiz doctor --fix removes them): %v", err, cerr)
	}
	if rerr := s.removeMarker(); rerr != nil {
		return fmt.Errorf("%w; %v", err, rerr)
	}
	return err
}

// removeOwned deletes this config dir's items (owner dir id, or staged
// for it) from sec and tok: every one it lists, or, where the store cannot
// list, those of creds' names. It returns how many it deleted.
func (s *Store) removeOwned(sec, tok Secrets, id string, creds []Credential) (int, error) {
	return s.deleteItems(sec, tok, func(x Secrets) []string { return ownedAccounts(x, id, creds) }, StepMigrateSourceDeleted)
}

// deleteItems deletes from sec and tok (either may be nil) the accounts
// that owned lists in each, stepping at step after each one deleted, and
// returns how many it deleted.
func (s *Store) deleteItems(sec, tok Secrets, owned func(Secrets) []string, step Step) (int, error) {
	n := 0
	var errs []error
	for _, svc := range []struct {
		sec   Secrets
		label string
	}{{sec, "secret"}, {tok, "cached token"}} {
		if svc.sec == nil {
			continue
		}
		for _, acct := range owned(svc.sec) {
			if err := ignoreNotFound(svc.sec.Delete(acct)); err != nil {
				errs = append(errs, fmt.Errorf("delete the %s %q: %w", svc.label, acct, err))
				continue
			}
			n++
			s.step(step)
		}
	}
	return n, errors.Join(errs...)
}

// ownedAccounts returns the accounts of sec whose items are config dir
// id's: those whose owner says so, staged items for id, and items without
// an owner named after a credential of creds that predates owners (as
// dropItems decides); from sec's listing, or, where it cannot list, among
// creds' names and staged items.
func ownedAccounts(sec Secrets, id string, creds []Credential) []string {
	unowned := map[string]bool{}
	for _, c := range creds {
		if c.SecretRevision == 0 {
			unowned[c.Name] = true
		}
	}
	return ownedBy(sec, creds, func(acct string, o Owner) bool {
		_, staged, _, dir := parseAccount(acct)
		return o.Dir == id || (staged && dir == id) || (o.IsZero() && unowned[acct])
	})
}

// ownedBy returns the accounts of sec whose items ours says are this
// config dir's: from sec's listing, or, where it cannot list, among creds'
// names and staged items.
func ownedBy(sec Secrets, creds []Credential, ours func(acct string, o Owner) bool) []string {
	var out []string
	if items, listed, err := listItems(sec); err == nil && listed {
		for _, it := range items {
			if ours(it.Account, it.Owner) {
				out = append(out, it.Account)
			}
		}
		return out
	}
	for _, c := range creds {
		for _, acct := range []string{c.Name, c.SecretItem} {
			if acct == "" {
				continue
			}
			if o, err := ItemOwner(sec, acct); err == nil && ours(acct, o) {
				out = append(out, acct)
			}
		}
	}
	return out
}

// Migration is an interrupted migration, as doctor reports it.
type Migration struct {
	// From and To are the stores it moved between.
	From, To Kind
	// Switched is set when the index records To: the leftovers are in
	// From; otherwise they are copies in To.
	Switched bool
	// In is the store holding the leftovers.
	In Kind
	// Leftovers are this config dir's items there.
	Leftovers []Leftover
	// Started is when it began.
	Started time.Time
}

// PendingMigration returns the migration an interrupted migrate left, or
// nil when there is none. It changes nothing.
func (s *Store) PendingMigration(ctx context.Context) (*Migration, error) {
	var m *Migration
	err := s.Index.View(ctx, func(tx *Tx) error {
		var err error
		m, err = s.pendingMigration(tx)
		return err
	})
	return m, err
}

// pendingMigration is PendingMigration under the lock.
func (s *Store) pendingMigration(tx *Tx) (*Migration, error) {
	mk, err := s.readMarker()
	if err != nil || mk == nil {
		return nil, err
	}
	m := &Migration{From: mk.From, To: mk.To, Switched: tx.Kind() == mk.To, Started: mk.Started}
	m.In = mk.To
	if m.Switched {
		m.In = mk.From
	}
	if m.In == s.Kind {
		return m, nil // nothing can be left in the store in use
	}
	sec, tok, _, err := openBackend(m.In, s.opts)
	if err != nil {
		return nil, err
	}
	id := cmpOr(tx.ID(), mk.ID)
	creds := tx.List()
	for _, acct := range ownedAccounts(sec, id, creds) {
		m.Leftovers = append(m.Leftovers, Leftover{Service: SecretService, Account: acct})
	}
	for _, acct := range ownedAccounts(tok, id, creds) {
		m.Leftovers = append(m.Leftovers, Leftover{Service: TokenService, Account: acct})
	}
	return m, nil
}

// CleanMigration removes what an interrupted migration left in the store
// the index does not record, then migration.json, under the lock. It
// returns how many items it removed.
func (s *Store) CleanMigration(ctx context.Context) (int, error) {
	n := 0
	err := s.Index.Update(ctx, func(tx *Tx) error {
		mk, err := s.readMarker()
		if err != nil || mk == nil {
			return err
		}
		in := mk.To
		if tx.Kind() == mk.To {
			in = mk.From
		}
		if in != s.Kind && in != tx.Kind() {
			if err := s.checkPlace(tx, in != KindFile); err != nil {
				return err
			}
			sec, tok, _, err := openBackend(in, s.opts)
			if err != nil {
				return err
			}
			removed, err := s.removeOwned(sec, tok, cmpOr(tx.ID(), mk.ID), tx.List())
			n += removed
			if err != nil {
				return err
			}
		}
		return s.removeMarker()
	})
	return n, err
}

// markerPath is migration.json's path.
func (s *Store) markerPath() string { return filepath.Join(s.Index.Dir(), migrationFileName) }

// readMarker reads migration.json; nil when there is none.
func (s *Store) readMarker() (*migrationMarker, error) {
	path := s.markerPath()
	data, found, err := readOptional(path, maxMigrationSize)
	if err != nil || !found {
		return nil, err
	}
	m := new(migrationMarker)
	if err := json.Unmarshal(data, m); err != nil || m.From == "" || m.To == "" {
		return nil, &CorruptError{Path: path, Err: errors.New("it is not a credwiz migration record")}
	}
	return m, nil
}

// writeMarker writes migration.json atomically.
func (s *Store) writeMarker(m migrationMarker) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return replaceFile(s.markerPath(), append(data, '\n'))
}

// removeMarker removes migration.json.
func (s *Store) removeMarker() error {
	if err := os.Remove(s.markerPath()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fileError("remove", s.markerPath(), err)
	}
	return nil
}

// cmpOr returns a if it is not empty, else b.
func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// targetDown says that the store to migrate to does not answer. For a
// keychain it says why and how to make it answer, without the probe's
// internals and without suggesting the encrypted file (a migration away
// from it is what failed).
func targetDown(to Kind, err error) error {
	var ue *UnavailableError
	if !errors.As(err, &ue) {
		return fmt.Errorf("the %s store does not answer, so nothing was moved: %w", to, err)
	}
	return fmt.Errorf("the %s store does not answer (%s), so nothing was moved: %s: %w",
		to, ue.Why(), strings.TrimSuffix(ue.Hint(), ", or "+toFile), ErrUnavailable)
}

// migrationTx opens a migration's index transaction from the store from to
// the store to: it refuses an index that records another store than from
// by now (a record of none counts as from when noneOK), gives this config
// dir its ID, and refuses a copied config dir when the target is shared
// with other config dirs. It returns the ID.
func (s *Store) migrationTx(tx *Tx, from, to Kind, noneOK bool) (string, error) {
	if k := tx.Kind(); k != from && (k != "" || !noneOK) {
		return "", fmt.Errorf("%w: %s now records the %s store: run the command again", ErrStoreMismatch, s.Index.Path(), k)
	}
	id, err := s.ensureID(tx)
	if err != nil {
		return "", err
	}
	if err := s.checkPlace(tx, to == KindKeychain); err != nil {
		return "", err
	}
	return id, nil
}

// unlockSource opens the encrypted file store a migration reads from
// before anything is written (FileStore.openForReading): a store that
// cannot be read changes nothing. Other stores need nothing.
func (s *Store) unlockSource() error {
	if s.File == nil {
		return nil
	}
	return s.File.openForReading()
}
