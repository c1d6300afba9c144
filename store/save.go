package store

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// SaveOptions qualify Store.Save.
type SaveOptions struct {
	// Replace replaces an existing credential of the same name; without
	// it, saving over one is an error wrapping ErrExists.
	Replace bool
	// Previous is the name of the credential being edited, "" when adding.
	// When it differs from the saved name, Save renames: the old name's
	// metadata, secret and cached token go.
	Previous string
}

// now is the clock of Save, replaceable in tests.
var now = time.Now

// Save writes credential c with its secret map: the secret first, then the
// metadata, in one index update that also records the store kind, all
// under the index lock. If the secret write fails the index is unchanged,
// byte for byte. A nil secret keeps the current one (moved to the new name
// on a rename).
//
// Save sets CreatedAt when it is zero and UpdatedAt always; the caller
// sets SecretsUpdatedAt. After the index is committed, Save deletes a
// renamed credential's old secret and drops the cached tokens of the old
// name and of a replaced credential; should that cleanup fail, the
// credential is saved and the error wraps ErrCleanup.
func (s *Store) Save(c Credential, secret map[string]string, o SaveOptions) error {
	if err := ValidateName(c.Name); err != nil {
		return err
	}
	rename := o.Previous != "" && o.Previous != c.Name
	t := now().UTC().Truncate(time.Second)
	if c.CreatedAt.IsZero() {
		c.CreatedAt = t
	}
	c.UpdatedAt = t

	existed, leftover := false, false
	err := s.Index.Update(func(tx *Tx) error {
		// Open checked this too, but another process may have recorded a
		// different store since.
		if rec := tx.Kind(); rec != "" && s.Kind != "" && rec != s.Kind && len(tx.doc.credentials) > 0 {
			return fmt.Errorf("%w: %s now records the %s store, this process uses the %s store: run the command again",
				ErrStoreMismatch, s.Index.Path(), rec, s.Kind)
		}
		_, existed = tx.Get(c.Name)
		// A journaled name may still have a token of an earlier
		// credential of that name, whose delete was interrupted.
		leftover = slices.Contains(tx.doc.pending(), c.Name)
		if existed && !o.Replace && c.Name != o.Previous {
			return fmt.Errorf("credential %q: %w", c.Name, ErrExists)
		}
		if rename {
			if _, ok := tx.Get(o.Previous); !ok {
				return fmt.Errorf("rename: %w", notFound(o.Previous))
			}
		}
		m := secret
		if m == nil && rename {
			var err error
			if m, err = s.Secrets.Get(o.Previous); err != nil {
				return fmt.Errorf("rename %q to %q: read its secret: %w", o.Previous, c.Name, err)
			}
		}
		if m != nil {
			if _, exists := tx.Get(c.Name); !exists {
				// Journal the name first: a crash after the secret write
				// leaves an orphan doctor knows to be this index's own.
				tx.markPending(c.Name)
				if err := tx.checkpoint(); err != nil {
					return err
				}
			}
			if err := s.Secrets.Set(c.Name, m); err != nil {
				return fmt.Errorf("save the secret of %q: %w", c.Name, err)
			}
			s.step(StepSecretWritten)
		}
		tx.Put(c)
		tx.clearPending(c.Name)
		if rename {
			tx.Remove(o.Previous)
			tx.markPending(o.Previous) // its secret is deleted below
		}
		if s.Kind != "" {
			tx.SetKind(s.Kind)
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.step(StepIndexWritten)

	// A new name has no cached token: no lookup for it (unless the journal
	// says an earlier credential of that name may have left one).
	var dropped []string
	if existed || leftover {
		dropped = append(dropped, c.Name)
	}
	if rename {
		dropped = append(dropped, o.Previous)
	}
	var errs []error
	if len(dropped) > 0 || rename {
		// Under the lock again, so that a credential saved meanwhile under
		// the old name keeps its new secret.
		err := s.Index.Update(func(tx *Tx) error {
			oldTaken := false
			if rename {
				if _, oldTaken = tx.Get(o.Previous); !oldTaken {
					if err := ignoreNotFound(s.Secrets.Delete(o.Previous)); err != nil {
						errs = append(errs, fmt.Errorf("delete the secret of the old name %q: %w", o.Previous, err))
					}
				}
				s.step(StepOldSecretDeleted)
			}
			for _, name := range dropped {
				if name == o.Previous && oldTaken {
					continue
				}
				if err := s.dropToken(name); err != nil {
					errs = append(errs, err)
				}
			}
			s.step(StepTokensDropped)
			if rename && len(errs) == 0 {
				tx.clearPending(o.Previous)
			}
			return nil
		})
		if err != nil {
			errs = append(errs, err)
		}
	} else {
		s.step(StepTokensDropped)
	}
	if len(errs) > 0 {
		return fmt.Errorf("credential %q is saved, but %w (credwiz doctor finds what is left): %w",
			c.Name, ErrCleanup, errors.Join(errs...))
	}
	return nil
}

// Delete removes the credential called name: its metadata first, then its
// secret, then its cached token; an absent secret or token is fine. An
// error wrapping ErrNotFound if there is no metadata.
//
// Delete first checks that the secret store answers (Probe): a keychain
// that is absent, locked or hanging, or a wrong passphrase, fails the call
// with nothing changed. Should the secret or token deletion still fail,
// the metadata is gone and the error wraps ErrCleanup.
func (s *Store) Delete(name string) error {
	if _, err := s.Index.Get(name); err != nil {
		return err
	}
	if _, err := Probe(s.Secrets); err != nil {
		return fmt.Errorf("delete %q: nothing was changed: %w", name, err)
	}
	err := s.Index.Update(func(tx *Tx) error {
		if !tx.Remove(name) {
			return notFound(name)
		}
		tx.markPending(name) // until its secret and token are gone
		return nil
	})
	if err != nil {
		return err
	}
	s.step(StepIndexWritten)
	// Under the lock again, so that a credential saved meanwhile under this
	// name keeps its new secret.
	var errs []error
	err = s.Index.Update(func(tx *Tx) error {
		if _, ok := tx.Get(name); ok {
			return nil // saved anew meanwhile: its secret and token are its own
		}
		if err := ignoreNotFound(s.Secrets.Delete(name)); err != nil {
			errs = append(errs, fmt.Errorf("delete its secret: %w", err))
		}
		s.step(StepSecretDeleted)
		if err := s.dropToken(name); err != nil {
			errs = append(errs, err)
		}
		s.step(StepTokensDropped)
		if len(errs) == 0 {
			tx.clearPending(name)
		}
		return nil
	})
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return fmt.Errorf("credential %q is deleted, but %w (credwiz doctor finds what is left): %w",
			name, ErrCleanup, errors.Join(errs...))
	}
	return nil
}

// dropToken deletes name's cached token; an absent one is fine.
func (s *Store) dropToken(name string) error {
	if s.Tokens == nil {
		return nil
	}
	if err := ignoreNotFound(s.Tokens.Delete(name)); err != nil {
		return fmt.Errorf("drop the cached token of %q: %w", name, err)
	}
	return nil
}

// ignoreNotFound returns nil for an error wrapping ErrNotFound.
func ignoreNotFound(err error) error {
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}
