package store

import (
	"context"
	"errors"
	"fmt"
)

// Secret returns the secret map of credential c, as read from the index:
// from the item c refers to, which must belong to this config dir and
// hold c's secret revision. Anything else is an error wrapping
// ErrForeignItem that says what to do, never another owner's secret.
func (s *Store) Secret(c Credential) (map[string]string, error) {
	if s.remote != nil {
		return s.remote.secret(c)
	}
	id, err := s.dirID()
	if err != nil {
		return nil, err
	}
	sec, err := s.readSecret(id, c)
	if errors.Is(err, ErrNotFound) {
		// A secret item missing for a credential that another command
		// has changed (or deleted) since c was read is that change, not a
		// lost secret: its items were swapped under this reader.
		if now, gerr := s.Index.Get(c.Name); errors.Is(gerr, ErrNotFound) ||
			gerr == nil && (now.Revision != c.Revision || now.SecretRevision != c.SecretRevision || now.SecretItem != c.SecretItem) {
			return nil, &ConflictError{Name: c.Name, Read: true}
		}
	}
	return sec, err
}

// readSecret is Secret with the config dir ID known.
func (s *Store) readSecret(id string, c Credential) (map[string]string, error) {
	it, err := s.Secrets.Get(c.secretAccount())
	if errors.Is(err, ErrNotFound) && c.SecretItem != "" {
		// A write settled since c was read: the canonical item holds the
		// same revision now (or a newer one, which checkItemOwner refuses).
		it, err = s.Secrets.Get(c.Name)
	}
	if err != nil {
		return nil, fmt.Errorf("read the secret of %q: %w", c.Name, err)
	}
	if err := checkItemOwner(c, it.Owner, id); err != nil {
		var ce *ConflictError
		if errors.As(err, &ce) {
			ce.Read = true
		}
		return nil, err
	}
	return it.Values, nil
}

// checkItemOwner says whether an item with owner o may be c's.
func checkItemOwner(c Credential, o Owner, id string) error {
	switch {
	case o.IsZero() && c.SecretRevision == 0:
		return nil // both predate owners
	case o.IsZero():
		return fmt.Errorf("the secret item of %q carries no owner, so another program (or an older credwiz) replaced it: %w; save the secret again with credwiz reauth %s",
			c.Name, ErrForeignItem, c.Name)
	case o.Dir != id:
		return fmt.Errorf("the secret item of %q belongs to another config dir (ID %s), which saved a credential of the same name in this keychain: %w; rename one of them (credwiz edit), then save the secret again with credwiz reauth %s",
			c.Name, o.Dir, ErrForeignItem, c.Name)
	case o.Rev > c.SecretRevision:
		return &ConflictError{Name: c.Name}
	case o.Rev != c.SecretRevision:
		return fmt.Errorf("the secret item of %q holds revision %d, the index expects %d: %w; run credwiz doctor",
			c.Name, o.Rev, c.SecretRevision, ErrForeignItem)
	}
	return nil
}

// DirID returns the config dir's ID from the index head ("" before the
// first write).
func (s *Store) DirID() (string, error) {
	return s.dirID()
}

// dirID is DirID.
func (s *Store) dirID() (string, error) {
	h, err := s.Index.peek()
	return h.id, err
}

// Record is one test result (and the access token it obtained) to record.
type Record struct {
	// Name is the credential tested.
	Name string
	// Revision is the revision whose values were tested.
	Revision int64
	// Result is the outcome; nil records only the token.
	Result *TestResult
	// Token is the access token's fields to cache; nil caches none.
	Token map[string]string
}

// Record records results in one index transaction, each only if its
// credential still has the revision tested, then caches their tokens
// under the same lock (so a concurrent Delete cannot leave one behind).
// errs[i] is nil when recs[i] was recorded; a *ConflictError when its
// credential changed or went meanwhile (the result and token are
// discarded); an error wrapping ErrTooBig when only its token did not fit
// the keychain (not cached). err is a failure of the whole transaction.
func (s *Store) Record(ctx context.Context, recs []Record) (errs []error, err error) {
	if s.remote != nil {
		return s.remote.record(ctx, recs)
	}
	errs = make([]error, len(recs))
	err = s.Index.Update(ctx, func(tx *Tx) error {
		id, err := s.ensureID(tx)
		if err != nil {
			return err
		}
		ok := make([]bool, len(recs))
		for i, r := range recs {
			cur, found := tx.Get(r.Name)
			switch {
			case !found:
				errs[i] = &ConflictError{Name: r.Name, Deleted: true}
				continue
			case cur.Revision != r.Revision:
				errs[i] = &ConflictError{Name: r.Name}
				continue
			}
			ok[i] = true
			if r.Result != nil {
				cur.LastTest = certify(r.Result, cur.Revision)
				tx.Put(cur)
			}
		}
		if tx.dirty {
			if err := tx.Commit(); err != nil {
				return err
			}
			s.step(StepIndexCommitted)
		}
		for i, r := range recs {
			if !ok[i] || r.Token == nil || s.Tokens == nil {
				continue
			}
			err := s.Tokens.Set(r.Name, Item{Values: r.Token, Owner: Owner{Dir: id, Rev: r.Revision}})
			if err != nil {
				errs[i] = fmt.Errorf("cache the access token of %q: %w", r.Name, err)
				continue
			}
			s.step(StepTokenWritten)
		}
		return nil
	})
	return errs, err
}

// CachedToken returns c's cached token fields, or nil when there is none,
// or it belongs to another config dir or an older revision (a token
// minted with values that changed since). A secret store that does not
// answer is an error.
func (s *Store) CachedToken(c Credential) (map[string]string, error) {
	if s.remote != nil {
		return s.remote.cachedToken(c)
	}
	if s.Tokens == nil {
		return nil, nil
	}
	it, err := s.Tokens.Get(c.Name)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	id, err := s.dirID()
	if err != nil {
		return nil, err
	}
	if it.Owner.Dir != id || it.Owner.Rev != c.Revision || id == "" {
		return nil, nil
	}
	return it.Values, nil
}
