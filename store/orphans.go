package store

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Orphans are the mismatches between the index and the secret store, left
// by a crash between Save's or Delete's steps or by hand edits.
type Orphans struct {
	// Secrets are names with a secret or a cached token but no metadata
	// that this index's journal lists: left by an interrupted save, rename
	// or delete of this config dir, safe to remove.
	Secrets []string
	// Unknown are secret items without metadata that the journal does not
	// list: another config dir's credentials sharing the keychain, or
	// items of an older crash. Found only when the store can list its names
	// (Listed); remove them only when no other config dir uses them.
	Unknown []string
	// Metadata are credentials with secret keys whose secret is missing.
	Metadata []string
	// Listed reports whether the secret store could list its names, i.e.
	// whether Secrets is meaningful.
	Listed bool
}

// Orphans compares the index with the secret store. Where the store lists
// its names this takes one listing per service; elsewhere one Get per
// credential (and orphan secrets cannot be found).
func (s *Store) Orphans() (Orphans, error) {
	var o Orphans
	creds, err := s.Index.List()
	if err != nil {
		return o, err
	}
	names, listed, err := listNames(s.Secrets)
	if err != nil {
		return o, err
	}
	o.Listed = listed
	pending, err := s.Index.Pending()
	if err != nil {
		return o, err
	}
	if listed {
		have := make(map[string]bool, len(names))
		for _, n := range names {
			have[n] = true
		}
		tokens, tokensListed, err := listNames(s.Tokens)
		if err != nil {
			return o, err
		}
		if tokensListed {
			names = append(names, tokens...)
		}
		for _, n := range names {
			if _, ok := findCred(creds, n); ok {
				continue
			}
			if slices.Contains(pending, n) {
				o.Secrets = append(o.Secrets, n)
			} else {
				o.Unknown = append(o.Unknown, n)
			}
		}
		slices.Sort(o.Secrets)
		o.Secrets = slices.Compact(o.Secrets)
		slices.Sort(o.Unknown)
		o.Unknown = slices.Compact(o.Unknown)
		for _, c := range creds {
			if len(c.SecretKeys) > 0 && !have[c.Name] {
				o.Metadata = append(o.Metadata, c.Name)
			}
		}
		return o, nil
	}
	// Without a listing, the journal still names this index's own orphans.
	for _, n := range pending {
		if _, ok := findCred(creds, n); ok {
			continue
		}
		_, errS := s.Secrets.Get(n)
		var errT error = ErrNotFound
		if s.Tokens != nil {
			_, errT = s.Tokens.Get(n)
		}
		if errS == nil || errT == nil {
			o.Secrets = append(o.Secrets, n)
		} else if !errors.Is(errS, ErrNotFound) {
			return o, fmt.Errorf("check the secret of %q: %w", n, errS)
		}
	}
	for _, c := range creds {
		if len(c.SecretKeys) == 0 {
			continue
		}
		if _, err := s.Secrets.Get(c.Name); errors.Is(err, ErrNotFound) {
			o.Metadata = append(o.Metadata, c.Name)
		} else if err != nil {
			return o, fmt.Errorf("check the secret of %q: %w", c.Name, err)
		}
	}
	return o, nil
}

// listNames lists sec's names if it can; listed is false where it cannot.
func listNames(sec Secrets) (names []string, listed bool, err error) {
	l, ok := sec.(Lister)
	if !ok || sec == nil {
		return nil, false, nil
	}
	names, err = l.Names()
	if errors.Is(err, ErrListUnsupported) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("list the secret store: %w", err)
	}
	return names, true, nil
}

// findCred finds name in creds, sorted by name.
func findCred(creds []Credential, name string) (int, bool) {
	return slices.BinarySearchFunc(creds, name, func(c Credential, n string) int {
		return strings.Compare(c.Name, n)
	})
}

// RemoveOrphan deletes the secret and cached token of name, which must
// have no metadata (else it refuses: use Delete), and drops name from the
// journal. It holds the index lock meanwhile, so a concurrent Save of that
// name cannot lose its new secret. An error wrapping ErrNotFound if there
// was neither secret nor token.
func (s *Store) RemoveOrphan(name string) error {
	return s.Index.Update(func(tx *Tx) error {
		if _, ok := tx.Get(name); ok {
			return fmt.Errorf("%q is a saved credential, not an orphan: delete it with credwiz rm", name)
		}
		wasPending := slices.Contains(tx.doc.pending(), name)
		tx.clearPending(name)
		errSecret := s.Secrets.Delete(name)
		var errToken error = ErrNotFound
		if s.Tokens != nil {
			errToken = s.Tokens.Delete(name)
		}
		if err := ignoreNotFound(errSecret); err != nil {
			return fmt.Errorf("remove the orphan secret %q: %w", name, err)
		}
		if err := ignoreNotFound(errToken); err != nil {
			return fmt.Errorf("remove the orphan token %q: %w", name, err)
		}
		if errSecret != nil && errToken != nil && !wasPending {
			return fmt.Errorf("orphan %q: %w", name, ErrNotFound)
		}
		return nil
	})
}
