package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/credwiz/credwiz/store/vaultkv"
)

// vaultMove records, in the local index, a migration between the Vault
// store and a local one: set (and committed) before anything is copied,
// cleared when nothing is left to remove. While it is set, the store the
// index does not record may hold this config dir's leftovers: the copies
// of a migration killed before it switched, or the source's items of one
// killed after; doctor reports them, and --fix, or the same migration run
// again, removes or reuses them.
type vaultMove struct {
	// From and To are the stores.
	From Kind `json:"from"`
	To   Kind `json:"to"`
	// Vault is the Vault folder involved.
	Vault VaultSettings `json:"vault"`
	// Started is when the migration began.
	Started time.Time `json:"started"`
	// Unknown holds members this version does not know, verbatim.
	Unknown jsontext.Value `json:",embed"`
}

// MigrateToVault moves every credential of this config dir (a local
// store: keychain, encrypted file or memory) into the Vault store o
// configures, and makes s the Vault store. It is safe to kill at any
// point:
//
//  1. the index records the migration (vaultMove); every credential is
//     checked: none may exist in Vault unless an earlier run of this
//     migration wrote it (then it is written again), else nothing is
//     moved;
//  2. each credential is written whole into Vault (metadata, secret and
//     last test, marked in Vault's index while in flight): a kill here
//     leaves this config dir on its local store, which still holds
//     everything; the copies in Vault are whole credentials, which the
//     team sees and the next run reuses;
//  3. one commit of the local index records the Vault store and drops the
//     local metadata (the commit point);
//  4. the local secret items and cached tokens of this config dir are
//     deleted, then the record of the migration: a kill here leaves them
//     for doctor --fix (or the next run).
func (s *Store) MigrateToVault(ctx context.Context, o Options) (VaultMigration, error) {
	res := VaultMigration{From: s.Kind, To: KindVault}
	if s.remote != nil {
		return res, fmt.Errorf("this config dir already keeps its credentials in Vault (%s)", s.Location)
	}
	vs, err := openVault(s.Index, indexHead{}, o, "migrated to Vault")
	if err != nil {
		return res, err
	}
	vs.Hook, vs.Now = s.Hook, s.Now
	v := vs.remote.(*vaultStore)
	if err := v.ready(ctx, ""); err != nil {
		return res, fmt.Errorf("nothing was moved: %w", err)
	}
	if err := s.unlockSource(); err != nil {
		return res, fmt.Errorf("nothing was moved: %w", err)
	}
	err = s.Index.Update(ctx, func(tx *Tx) error {
		id, err := s.migrationTx(tx, s.Kind, KindVault, true)
		if err != nil {
			return err
		}
		creds := tx.List()
		tx.doc.Move = &vaultMove{From: s.Kind, To: KindVault, Vault: v.settings, Started: s.now()}
		if err := tx.Commit(); err != nil {
			return err
		}
		s.step(StepMoveStarted)
		if err := v.copyIn(ctx, s, id, creds, &res); err != nil {
			return err
		}
		// The commit point: this config dir now uses Vault.
		for _, c := range creds {
			tx.Remove(c.Name)
		}
		tx.SetKind(KindVault)
		tx.SetVault(&v.settings)
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("the credentials are copied to Vault, but this config dir still uses the %s store: %w; run the migration again", s.Kind, err)
		}
		s.step(StepMoveSwitched)
		n, cerr := s.removeLocal(s.Secrets, s.Tokens, id, creds)
		res.Removed = n
		if cerr == nil {
			tx.doc.Move = nil
			tx.dirty = true
			if cerr = tx.Commit(); cerr == nil {
				s.step(StepMoveEnded)
			}
		}
		if cerr != nil {
			return fmt.Errorf("the credentials are moved to Vault, but %w (credwiz doctor --fix finishes it): %w", ErrCleanup, cerr)
		}
		return nil
	})
	if err == nil || errors.Is(err, ErrCleanup) {
		hook, now := s.Hook, s.Now
		*s = *vs
		s.Hook, s.Now = hook, now
		v.s = s
	}
	return res, err
}

// VaultMigration is what a migration to or from the Vault store did.
type VaultMigration struct {
	// From and To are the stores.
	From, To Kind
	// Moved counts the credentials copied to the target store.
	Moved int
	// Removed counts the items deleted from the source store.
	Removed int
}

// copyIn writes creds (with their secrets from s) into Vault, marked in
// Vault's index while in flight. Nothing is written when one of them
// exists in Vault and an earlier run of this migration did not write it.
func (v *vaultStore) copyIn(ctx context.Context, s *Store, id string, creds []Credential, res *VaultMigration) error {
	names := make([]string, len(creds))
	needs := make([]vaultkv.Need, 0, len(creds))
	for i, c := range creds {
		names[i] = c.Name
		needs = append(needs, vaultkv.Need{Area: "data", Key: c.Name, AnyOf: []string{"create", "update"}})
	}
	if err := v.kv.Require(ctx, needs...); err != nil {
		return fmt.Errorf("nothing was moved: %w", err)
	}
	cas := map[string]int64{}
	var taken []string
	for _, c := range creds {
		e, at, live, err := v.current(ctx, c.Name)
		var fe *foreignEntryError
		switch {
		case err != nil && !errors.As(err, &fe):
			return fmt.Errorf("nothing was moved: %w", err)
		case live && (err != nil || e.book.MigratedFrom != id):
			taken = append(taken, c.Name)
		}
		cas[c.Name] = at
	}
	if len(taken) > 0 {
		return fmt.Errorf("nothing was moved: Vault already holds %s in %s: rename them here first (credwiz edit NAME --name NEW) or remove them from Vault", strings.Join(taken, ", "), v.where())
	}
	st, err := v.updateIndex(ctx, indexState{}, names, func(doc *vaultIndexDoc) error {
		for _, c := range creds {
			doc.mark(c.Name, vaultMark{Op: "write", From: cas[c.Name], By: v.author(), At: s.now()})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("nothing was moved: %w", err)
	}
	s.step(StepVaultMarked)
	saved := make([]Credential, 0, len(creds))
	for _, c := range creds {
		secret, err := s.readSecret(id, c)
		if errors.Is(err, ErrNotFound) && len(c.SecretKeys) == 0 {
			secret, err = map[string]string{}, nil
		}
		if err != nil {
			return fmt.Errorf("read the secret of %q from the %s store: this config dir still uses it (the credentials copied so far are in Vault; run the migration again once it reads): %w", c.Name, s.Kind, err)
		}
		next := cas[c.Name] + 1
		n := c.clone()
		n.Revision, n.SecretRevision, n.SecretItem = next, next, ""
		n.SecretKeys = sortedKeys(secret)
		n.LastTest = nil
		if t := c.Tested(); t != nil {
			n.LastTest = certify(t, next)
		}
		book := entryBookkeeping{Version: next, ValuesVersion: next, DescriptionVersion: next, CreatedAt: c.CreatedAt,
			UpdatedAt: c.UpdatedAt, SecretsUpdatedAt: c.SecretsUpdatedAt, MigratedFrom: id}
		data, err := encodeEntry(n, secret, book)
		if err != nil {
			return err
		}
		got, err := v.kv.Write(ctx, c.Name, data, int(cas[c.Name]))
		var ke *vaultkv.Error
		if errors.As(err, &ke) && ke.Written > 0 {
			err = nil
		}
		if err != nil {
			return fmt.Errorf("write %q to Vault: this config dir still uses the %s store (run the migration again): %w", c.Name, s.Kind, err)
		}
		if int64(got) != next {
			n.Revision, n.SecretRevision = int64(got), int64(got)
		}
		saved = append(saved, n)
		res.Moved++
		s.step(StepMoveCopied)
	}
	if _, err := v.updateIndex(ctx, st, names, func(doc *vaultIndexDoc) error {
		for _, c := range saved {
			doc.put(c)
			delete(doc.Pending, c.Name)
		}
		return nil
	}); err != nil {
		return fmt.Errorf("the credentials are in Vault, but its index is not up to date and this config dir still uses the %s store: run the migration again: %w", s.Kind, err)
	}
	s.step(StepVaultIndexed)
	return nil
}

// removeLocal deletes this config dir's items of a local store (its
// secrets, staged items and cached tokens of creds' names, and every other
// item it owns where the store can list), and returns how many it deleted.
func (s *Store) removeLocal(sec, tok Secrets, id string, creds []Credential) (int, error) {
	return s.deleteItems(sec, tok, func(x Secrets) []string { return ownedItems(x, id, creds) }, StepMoveCleaned)
}

// ownedItems returns the accounts of sec that belong to config dir id:
// from its listing, or, where it cannot list, among creds' names and
// staged items, those whose owner says so.
func ownedItems(sec Secrets, id string, creds []Credential) []string {
	return ownedBy(sec, creds, func(acct string, o Owner) bool {
		_, staged, _, dir := parseAccount(acct)
		return o.Dir == id || (staged && dir == id)
	})
}

// MigrateFromVault copies every credential of the Vault store s uses into
// the local store to (keychain, file or memory) and makes this config dir
// use it; the credentials stay in Vault, for the team. It is safe to kill
// at any point:
//
//  1. every credential is read from Vault (its entry, whole);
//  2. the index records the migration; each secret is written to the
//     target store, owned by this config dir: a kill here leaves this
//     config dir on Vault, and the copies for doctor --fix (or the next
//     run, which writes them again);
//  3. one commit of the local index holds every credential and records
//     the target store (the commit point), and the record of the
//     migration goes with it.
//
// o gives the target store's settings (Passphrase, Timeout). After it, s
// is the local store.
func (s *Store) MigrateFromVault(ctx context.Context, to Kind, o Options) (VaultMigration, error) {
	res := VaultMigration{From: KindVault, To: to}
	v, ok := s.remote.(*vaultStore)
	if !ok {
		return res, fmt.Errorf("this config dir keeps its credentials in the %s store, not in Vault", s.Kind)
	}
	sec, tok, file, err := localBackends(to, s.Index.Dir(), o)
	if err != nil {
		return res, err
	}
	if file != nil {
		// A new store's passphrase before the index records the move.
		if err := file.Prepare(); err != nil {
			return res, fmt.Errorf("nothing was moved: %w", err)
		}
	}
	if _, err := Probe(sec); err != nil {
		return res, fmt.Errorf("the %s store does not answer, so nothing was moved: %w", to, err)
	}
	listed, err := v.list(ctx)
	if err != nil {
		return res, err
	}
	type copied struct {
		cred   Credential
		secret map[string]string
	}
	all := make([]copied, 0, len(listed))
	for _, c := range listed {
		e, err := v.readEntry(ctx, c.Name)
		if err != nil {
			return res, fmt.Errorf("read %q from Vault: nothing was moved: %w", c.Name, err)
		}
		n := e.cred
		if c.LastTest != nil && e.cred.CreatedAt.Equal(c.CreatedAt) {
			n.LastTest = settled(Credential{Revision: n.Revision, SecretRevision: n.SecretRevision, LastTest: c.LastTest}).LastTest
		}
		all = append(all, copied{n, e.secret})
	}
	err = s.Index.Update(ctx, func(tx *Tx) error {
		id, err := s.migrationTx(tx, KindVault, to, false)
		if err != nil {
			return err
		}
		var taken []string
		for _, c := range all {
			it, err := sec.Get(c.cred.Name)
			switch {
			case errors.Is(err, ErrNotFound):
			case err != nil:
				return fmt.Errorf("nothing was moved: %w", err)
			case it.Owner.Dir != id:
				taken = append(taken, c.cred.Name)
			}
		}
		if len(taken) > 0 {
			return fmt.Errorf("nothing was moved: the %s store already holds items named %s that this config dir did not write (another config dir's?)", to, strings.Join(taken, ", "))
		}
		tx.doc.Move = &vaultMove{From: KindVault, To: to, Vault: v.settings, Started: s.now()}
		tx.dirty = true
		if err := tx.Commit(); err != nil {
			return err
		}
		s.step(StepMoveStarted)
		for _, c := range all {
			rev := tx.nextRevision()
			n := c.cred
			tested := n.Tested() != nil
			n.Revision, n.SecretRevision, n.SecretItem = rev, rev, ""
			if n.LastTest != nil {
				t := *n.LastTest
				t.Revision = 0
				if tested {
					t.Revision = rev
				}
				n.LastTest = &t
			}
			if err := sec.Set(n.Name, Item{Values: c.secret, Owner: Owner{Dir: id, Rev: rev}}); err != nil {
				return fmt.Errorf("write the secret of %q to the %s store: this config dir still uses Vault: %w", n.Name, to, err)
			}
			s.step(StepMoveCopied)
			tx.Put(n)
			res.Moved++
		}
		for _, c := range all {
			// Tokens cached for Vault's versions: never for these revisions.
			if err := ignoreNotFound(s.Tokens.Delete(c.cred.Name)); err == nil {
				s.step(StepTokenDeleted)
			}
		}
		tx.SetKind(to)
		tx.doc.Move = nil
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("the secrets are copied to the %s store, but this config dir still uses Vault: %w; run the migration again", to, err)
		}
		s.step(StepMoveSwitched)
		return nil
	})
	if err != nil {
		return res, err
	}
	hook, now := s.Hook, s.Now
	*s = Store{Index: s.Index, Secrets: sec, Tokens: tok, Kind: to, Reason: "migrated from Vault", Hook: hook, Now: now}
	return res, nil
}

// localBackends returns the secrets and tokens of a local store kind in
// config dir dir, and the encrypted file store when kind is file.
func localBackends(kind Kind, dir string, o Options) (sec, tok Secrets, file *FileStore, err error) {
	if kind != KindKeychain && kind != KindFile && kind != KindMemory {
		return nil, nil, nil, fmt.Errorf("cannot migrate to the %q store: use keychain or file", kind)
	}
	o.Dir = dir
	return openBackend(kind, o)
}
