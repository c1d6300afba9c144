package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// AddOptions qualify Store.Add.
type AddOptions struct {
	// Replace replaces an existing credential of the same name; without
	// it, adding over one is an error wrapping ErrExists.
	Replace bool
	// Test is the live test of the values, recorded as certifying the new
	// revision; nil when not tested.
	Test *TestResult
}

// Add saves a new credential c with its secret map. Name, Connector,
// Description and Fields come from c; the revision, timestamps, secret
// keys and last test are set here. It returns the credential as saved.
//
// A name nobody holds gets its canonical item written first and its
// metadata committed next (a crash between leaves an item of this config
// dir that no credential refers to, which doctor removes). Replacing a
// credential writes the new secret beside the old one first (Store.swap).
func (s *Store) Add(ctx context.Context, c Credential, secret map[string]string, o AddOptions) (Credential, error) {
	if err := ValidateName(c.Name); err != nil {
		return Credential{}, err
	}
	if s.remote != nil {
		return s.remote.add(ctx, c, secret, o)
	}
	var saved Credential
	err := s.Index.Update(ctx, func(tx *Tx) error {
		if err := s.checkKind(tx); err != nil {
			return err
		}
		old, exists := tx.Get(c.Name)
		if exists && !o.Replace {
			return fmt.Errorf("credential %q: %w", c.Name, ErrExists)
		}
		id, err := s.ensureID(tx)
		if err != nil {
			return err
		}
		t := s.now()
		c.Revision = tx.nextRevision()
		c.SecretRevision = c.Revision
		c.SecretItem = ""
		c.SecretKeys = sortedKeys(secret)
		c.CreatedAt, c.UpdatedAt, c.SecretsUpdatedAt = t, t, t
		c.LastTest = certify(o.Test, c.Revision)
		it := Item{Values: secret, Owner: Owner{Dir: id, Rev: c.Revision}}
		if exists {
			c.CreatedAt = old.CreatedAt
			if err := s.swap(tx, c, it, &old); err != nil {
				return err
			}
			saved = c
			return s.cleanup(c.Name, s.dropToken(c.Name))
		}
		if err := s.Secrets.Set(c.Name, it); err != nil {
			return fmt.Errorf("save the secret of %q: nothing was saved: %w", c.Name, err)
		}
		s.step(StepSecretWritten)
		s.put(tx, c)
		if err := tx.Commit(); err != nil {
			_ = s.Secrets.Delete(c.Name) // best effort; doctor finds it otherwise
			return fmt.Errorf("save %q: nothing was saved: %w", c.Name, err)
		}
		s.step(StepIndexCommitted)
		saved = c
		return nil
	})
	return saved, err
}

// Change is a patch to a saved credential: only what it sets changes.
type Change struct {
	// Name renames the credential; "" keeps its name.
	Name string
	// Description, when not nil, replaces the description.
	Description *string
	// DescriptionWas, when not nil with Description, is the description
	// the caller read: if another command has changed it since, the new
	// description is a conflict (as with the Vault store), not a silent
	// overwrite of the other's.
	DescriptionWas *string
	// Fields sets these non-secret fields; an empty value removes one.
	Fields map[string]string
	// Secret, when not nil, is the whole new secret map.
	Secret map[string]string
	// Test is the live test of the values after the change; nil when not
	// tested.
	Test *TestResult
	// Replace lets a rename replace an existing credential of the new name.
	Replace bool
}

// changesValues reports whether ch changes what a test depends on.
func (ch *Change) changesValues() bool { return len(ch.Fields) > 0 || ch.Secret != nil }

// Change applies ch to the credential called name, which the caller read
// at revision base. A change of values (fields, secret) or a test result
// is applied only if the credential still has revision base; otherwise
// Change fails with a *ConflictError and saves nothing. A new description
// given with the one it replaces (DescriptionWas) fails the same way when
// another command changed the description meanwhile. A change of the name
// or description alone otherwise applies on top of whatever the credential
// is now. It returns the credential as saved.
func (s *Store) Change(ctx context.Context, name string, base int64, ch Change) (Credential, error) {
	newName := name
	if ch.Name != "" {
		newName = ch.Name
	}
	if err := ValidateName(newName); err != nil {
		return Credential{}, err
	}
	if s.remote != nil {
		return s.remote.change(ctx, name, base, ch)
	}
	rename := newName != name
	var saved Credential
	err := s.Index.Update(ctx, func(tx *Tx) error {
		if err := s.checkKind(tx); err != nil {
			return err
		}
		cur, ok := tx.Get(name)
		if !ok {
			return &ConflictError{Name: name, Deleted: true}
		}
		if (ch.changesValues() || ch.Test != nil) && cur.Revision != base {
			return &ConflictError{Name: name}
		}
		if ch.Description != nil && ch.DescriptionWas != nil && cur.Description != *ch.DescriptionWas && cur.Description != *ch.Description {
			return &ConflictError{Name: name}
		}
		target, targetExists := Credential{}, false
		if rename {
			if target, targetExists = tx.Get(newName); targetExists && !ch.Replace {
				return fmt.Errorf("credential %q: %w", newName, ErrExists)
			}
		}
		id, err := s.ensureID(tx)
		if err != nil {
			return err
		}
		t := s.now()
		next := cur.clone()
		next.Name = newName
		next.UpdatedAt = t
		if ch.Description != nil {
			next.Description = *ch.Description
		}
		next.Fields = patchFields(next.Fields, ch.Fields)
		if ch.changesValues() {
			next.Revision = tx.nextRevision()
		}
		if ch.Test != nil {
			next.LastTest = certify(ch.Test, next.Revision)
		}
		secret := ch.Secret
		if secret != nil {
			next.SecretRevision = next.Revision
			next.SecretKeys = sortedKeys(secret)
			next.SecretsUpdatedAt = t
		}

		switch {
		case !rename && secret == nil:
			s.put(tx, next)
			if err := tx.Commit(); err != nil {
				return fmt.Errorf("save %q: nothing was saved: %w", name, err)
			}
			s.step(StepIndexCommitted)
			saved = next
			if ch.changesValues() {
				return s.cleanup(name, s.dropToken(name))
			}
			return nil
		case !rename:
			if err := s.swap(tx, next, Item{Values: secret, Owner: Owner{Dir: id, Rev: next.Revision}}, &cur); err != nil {
				return err
			}
			saved = next
			return s.cleanup(name, s.dropToken(name))
		}

		// A rename: the secret moves to the new name's item (copied as it
		// is where the backend can, so that it is never decrypted).
		copyFrom, copyOK := "", false
		if secret == nil && !targetExists {
			copyFrom, copyOK = s.copySource(id, cur, next.SecretRevision)
		}
		if secret == nil && !copyOK {
			it, err := s.readSecret(id, cur)
			if err != nil {
				return fmt.Errorf("rename %q to %q: nothing was saved: %w", name, newName, err)
			}
			secret = it
		}
		it := Item{Values: secret, Owner: Owner{Dir: id, Rev: next.SecretRevision}}
		tx.Remove(name)
		if targetExists {
			if err := s.swap(tx, next, it, &target); err != nil {
				return err
			}
		} else {
			next.SecretItem = ""
			var err error
			if copyOK {
				err = s.Secrets.(Copier).Copy(copyFrom, newName)
			} else {
				err = s.Secrets.Set(newName, it)
			}
			if err != nil {
				return fmt.Errorf("save the secret of %q: nothing was saved: %w", newName, err)
			}
			s.step(StepSecretWritten)
			s.put(tx, next)
			if err := tx.Commit(); err != nil {
				_ = s.Secrets.Delete(newName)
				return fmt.Errorf("rename %q to %q: nothing was saved: %w", name, newName, err)
			}
			s.step(StepIndexCommitted)
		}
		saved = next
		errs := []error{s.dropItems(id, cur), s.dropToken(name)}
		if targetExists {
			errs = append(errs, s.dropToken(newName))
		}
		return s.cleanup(newName, errors.Join(errs...))
	})
	return saved, err
}

// Delete removes the credential called name whole: its metadata, then its
// secret item (and any staged one) and its cached token, under the lock,
// so that no command still using them can bring them back. Items of
// another owner are left alone. An error wrapping ErrNotFound if there is
// no such credential.
//
// The secret store is read first (the item's owner only, where the
// backend can tell it without the values): a keychain that is absent,
// locked or hanging, or a damaged file, fails the call with nothing
// changed.
func (s *Store) Delete(ctx context.Context, name string) error {
	if s.remote != nil {
		return s.remote.remove(ctx, name, false)
	}
	return s.Index.Update(ctx, func(tx *Tx) error {
		cur, ok := tx.Get(name)
		if !ok {
			return notFound(name)
		}
		if err := s.checkPlace(tx, false); err != nil {
			return fmt.Errorf("delete %q: nothing was changed: %w", name, err)
		}
		if _, err := s.itemOwner(cur.secretAccount()); err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("delete %q: nothing was changed: %w", name, err)
		}
		tx.Remove(name)
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("delete %q: nothing was changed: %w", name, err)
		}
		s.step(StepIndexCommitted)
		return s.deletedCleanup(name, errors.Join(s.dropItems(tx.ID(), cur), s.dropToken(name)))
	})
}

// swap makes credential c (carrying its new revision) hold it, replacing
// old's pair without ever overwriting the only copy of a secret: the new
// secret goes to a staged item, the metadata pointing to it is committed
// (the commit point), the canonical item is overwritten, the metadata
// points back to it, and the staged item goes. tx holds any other change
// to commit with c (a renamed credential's removal). Before the commit
// point an error leaves everything as it was; after it, an error wraps
// ErrCleanup and the change stands.
func (s *Store) swap(tx *Tx, c Credential, it Item, old *Credential) error {
	staged := stagedAccount(c.Name, it.Owner.Rev, it.Owner.Dir)
	if err := s.Secrets.Set(staged, it); err != nil {
		return fmt.Errorf("save the new secret of %q: nothing was saved: %w", c.Name, err)
	}
	s.step(StepSecretStaged)
	c.SecretItem = staged
	s.put(tx, c)
	if err := tx.Commit(); err != nil {
		_ = s.Secrets.Delete(staged) // best effort; doctor finds it otherwise
		return fmt.Errorf("save %q: nothing was saved: %w", c.Name, err)
	}
	s.step(StepIndexCommitted)
	return s.cleanup(c.Name, s.settle(tx, c, it, old))
}

// settle finishes a swap after its commit point: the canonical item gets
// the secret, the metadata points back to it, the staged item goes (and a
// staged item an earlier interrupted write of old left).
func (s *Store) settle(tx *Tx, c Credential, it Item, old *Credential) error {
	staged := c.SecretItem
	if err := s.Secrets.Set(c.Name, it); err != nil {
		return fmt.Errorf("write the keychain item of %q (the new secret is saved in %q meanwhile): %w", c.Name, staged, err)
	}
	s.step(StepSecretWritten)
	c.SecretItem = ""
	s.put(tx, c)
	if err := tx.Commit(); err != nil {
		return err
	}
	s.step(StepIndexSettled)
	var errs []error
	for _, acct := range []string{staged, oldStaged(old, staged)} {
		if acct == "" {
			continue
		}
		if err := ignoreNotFound(s.Secrets.Delete(acct)); err != nil {
			errs = append(errs, fmt.Errorf("delete the staged item %q: %w", acct, err))
		}
		s.step(StepStagedDeleted)
	}
	return errors.Join(errs...)
}

// oldStaged returns the staged item an interrupted earlier write of old
// left, if it differs from staged.
func oldStaged(old *Credential, staged string) string {
	if old == nil || old.SecretItem == staged {
		return ""
	}
	return old.SecretItem
}

// dropItems deletes the secret items of a credential that is gone from
// the index (deleted, or renamed away): its canonical item if it is this
// config dir's (or carries no owner and the credential predates owners),
// and its staged item.
func (s *Store) dropItems(id string, gone Credential) error {
	var errs []error
	o, err := s.itemOwner(gone.Name)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		errs = append(errs, fmt.Errorf("delete the secret of %q: %w", gone.Name, err))
	case o.Dir == id || (o.IsZero() && gone.SecretRevision == 0):
		if err := ignoreNotFound(s.Secrets.Delete(gone.Name)); err != nil {
			errs = append(errs, fmt.Errorf("delete the secret of %q: %w", gone.Name, err))
		}
		s.step(StepOldSecretDeleted)
	}
	if gone.SecretItem != "" {
		if err := ignoreNotFound(s.Secrets.Delete(gone.SecretItem)); err != nil {
			errs = append(errs, fmt.Errorf("delete the staged item %q: %w", gone.SecretItem, err))
		}
		s.step(StepStagedDeleted)
	}
	return errors.Join(errs...)
}

// dropToken deletes name's cached token; an absent one is fine.
func (s *Store) dropToken(name string) error {
	if s.Tokens == nil {
		return nil
	}
	if err := ignoreNotFound(s.Tokens.Delete(name)); err != nil {
		return fmt.Errorf("drop the cached token of %q: %w", name, err)
	}
	s.step(StepTokenDeleted)
	return nil
}

// cleanup wraps an error of a step after the commit point: the change
// stands, something is left for doctor.
func (s *Store) cleanup(name string, err error) error {
	return cleanupError(name, "is saved", err)
}

// deletedCleanup is cleanup for a delete: the credential is gone.
func (s *Store) deletedCleanup(name string, err error) error {
	return cleanupError(name, "is deleted", err)
}

// cleanupError says that the change to name is done, what is left, and
// that doctor finishes it, in one line.
func cleanupError(name, done string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%q %s, but %w (credwiz doctor --fix finishes it): %w", name, done, ErrCleanup, oneLine{err})
}

// oneLine is an error whose text is err's on one line (errors.Join puts
// each error on its own).
type oneLine struct{ err error }

func (o oneLine) Error() string { return strings.ReplaceAll(o.err.Error(), "\n", "; ") }
func (o oneLine) Unwrap() error { return o.err }

// checkKind refuses a write when another process recorded a different
// secret store since Open. The kind is recorded by put, with the first
// credential.
func (s *Store) checkKind(tx *Tx) error {
	rec := tx.Kind()
	if rec != "" && s.Kind != "" && rec != s.Kind && len(tx.doc.Credentials) > 0 {
		return fmt.Errorf("%w: %s now records the %s store, this process uses the %s store: run the command again",
			ErrStoreMismatch, s.Index.Path(), rec, s.Kind)
	}
	return nil
}

// put puts c into tx and records the store kind with it.
func (s *Store) put(tx *Tx, c Credential) {
	if s.Kind != "" {
		tx.SetKind(s.Kind)
	}
	tx.Put(c)
}

// ensureID returns the config dir's ID, giving it one (committed at once)
// on the first write.
//
// A config dir that is not where its ID was given (a copy) writes no item
// under that ID where the original's items are (see checkPlace); one whose
// index predates the record of its place gets it now.
func (s *Store) ensureID(tx *Tx) (string, error) {
	if tx.ID() != "" {
		if err := s.checkPlace(tx, false); err != nil {
			return "", err
		}
		if tx.doc.Dir == nil {
			tx.recordPlace()
		}
		return tx.ID(), nil
	}
	id, err := tx.ensureID()
	if err != nil {
		return "", err
	}
	s.step(StepIDCommitted)
	return id, nil
}

// certify returns a copy of r recording that it tested revision rev.
func certify(r *TestResult, rev int64) *TestResult {
	if r == nil {
		return nil
	}
	c := *r
	c.Revision = rev
	// A vendor's odd answer must not make the index unwritable: a time
	// RFC 3339 cannot hold is unknown.
	for _, t := range []*time.Time{&c.At, &c.TokenExpires} {
		if y := t.Year(); y < 1 || y > 9999 {
			*t = time.Time{}
		}
	}
	return &c
}

// ignoreNotFound returns nil for an error wrapping ErrNotFound.
func ignoreNotFound(err error) error {
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// patchFields applies a Change's patch to fields and returns them: a value
// sets its key, "" removes it.
func patchFields(fields, patch map[string]string) map[string]string {
	for k, v := range patch {
		if fields == nil {
			fields = map[string]string{}
		}
		if v == "" {
			delete(fields, k)
		} else {
			fields[k] = v
		}
	}
	return fields
}
