package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
)

// Leftover is a secret-store item no credential of this config dir refers
// to.
type Leftover struct {
	// Service is SecretService or TokenService.
	Service string
	// Account is the item's account.
	Account string
	// Owner is who wrote it (zero when unknown).
	Owner Owner
	// In is the store holding it when that is not the store in use (the
	// source or the target of an interrupted migration); "" otherwise.
	In Kind
}

// String names the item for a message: "token prod-db", "secret prod-db#r7@…".
func (l Leftover) String() string {
	in := ""
	if l.In != "" {
		in = " (in the " + string(l.In) + " store)"
	}
	if l.Service == TokenService {
		return "cached token " + l.Account + in
	}
	return "secret " + l.Account + in
}

// Health is what Check finds when it compares the index with the secret
// store, under the lock (so no write is in flight).
type Health struct {
	// Listed reports whether the secret store could list its items; where
	// it cannot (the keychain outside Linux), Orphans and Foreign are
	// empty and only the credentials' own items are checked.
	Listed bool
	// Orphans are items of this config dir that no credential refers to:
	// left by a crash or a failed cleanup; Repair removes them.
	Orphans []Leftover
	// Foreign are items without a credential here that belong to another
	// config dir sharing the keychain, or carry no owner; Repair removes
	// them only when asked.
	Foreign []Leftover
	// Unfinished are credentials whose last write stopped after its
	// commit point: the secret is safe in a staged item; Repair copies it
	// to the canonical item.
	Unfinished []string
	// Missing are credentials whose secret item is missing.
	Missing []string
	// Mismatched are problems with a credential's own item (another
	// owner, another revision), one sentence each.
	Mismatched []string
	// Temps are temporary files a killed write left in the config dir.
	Temps []string
	// MovedFrom, when the config dir is not where it got its ID (a copy,
	// or a move not yet confirmed with Index.ConfirmMove), is where it was:
	// items of its ID that nothing here refers to may then be the
	// original's, and are in Foreign, not Orphans.
	MovedFrom string
}

// Clean reports whether Check found nothing to fix.
func (h Health) Clean() bool {
	return len(h.Orphans)+len(h.Foreign)+len(h.Unfinished)+len(h.Missing)+len(h.Mismatched)+len(h.Temps) == 0 && h.MovedFrom == ""
}

// Check compares the index with the secret store under the lock and
// changes nothing.
func (s *Store) Check(ctx context.Context) (Health, error) {
	if s.remote != nil {
		return s.remote.check(ctx)
	}
	var h Health
	err := s.Index.View(ctx, func(tx *Tx) error {
		var err error
		h, err = s.check(tx)
		return err
	})
	return h, err
}

// Repair finishes unfinished writes, removes this config dir's orphan
// items and stale temporary files, and, with includeForeign, the foreign
// items too, all under the lock. It returns what it found before
// repairing, and an error naming what it could not repair.
func (s *Store) Repair(ctx context.Context, includeForeign bool) (Health, error) {
	if s.remote != nil {
		return s.remote.repair(ctx, includeForeign)
	}
	var h Health
	err := s.Index.Update(ctx, func(tx *Tx) error {
		var err error
		if h, err = s.check(tx); err != nil {
			return err
		}
		var errs []error
		for _, name := range h.Unfinished {
			errs = append(errs, s.finish(tx, name))
		}
		drop := slices.Clone(h.Orphans)
		if includeForeign {
			drop = append(drop, h.Foreign...)
		}
		for _, l := range drop {
			sec := s.Secrets
			if l.Service == TokenService {
				sec = s.Tokens
			}
			if err := ignoreNotFound(sec.Delete(l.Account)); err != nil {
				errs = append(errs, fmt.Errorf("remove the %s: %w", l, err))
				continue
			}
			s.step(StepRepaired)
		}
		for _, p := range h.Temps {
			if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, fileError("remove", p, err))
			}
		}
		return errors.Join(errs...)
	})
	return h, err
}

// finish completes the interrupted write of credential name: the staged
// item's secret goes to the canonical item, the metadata points back to
// it, the staged item goes.
func (s *Store) finish(tx *Tx, name string) error {
	c, ok := tx.Get(name)
	if !ok || c.SecretItem == "" {
		return nil
	}
	it, err := s.Secrets.Get(c.SecretItem)
	if err != nil {
		return fmt.Errorf("finish the interrupted write of %q: %w", name, err)
	}
	if err := checkItemOwner(c, it.Owner, tx.ID()); err != nil {
		return fmt.Errorf("finish the interrupted write of %q: %w", name, err)
	}
	if err := s.settle(tx, c, it, nil); err != nil {
		return fmt.Errorf("finish the interrupted write of %q: %w", name, err)
	}
	s.step(StepRepaired)
	return nil
}

// check is Check inside a transaction.
func (s *Store) check(tx *Tx) (Health, error) {
	var h Health
	id := tx.ID()
	// A copy of the config dir has the original's ID: what it does not
	// refer to may be the original's.
	mine := func(o Owner) bool { return id != "" && o.Dir == id }
	if m := tx.moved(); m != nil {
		h.MovedFrom = m.Was
		mine = func(Owner) bool { return false }
	}
	creds := tx.List()
	byName := make(map[string]*Credential, len(creds))
	for i := range creds {
		byName[creds[i].Name] = &creds[i]
	}
	temps, err := StaleTemps(s.Index.Dir())
	if err != nil {
		return h, err
	}
	h.Temps = temps

	secrets, listed, err := listItems(s.Secrets)
	if err != nil {
		return h, err
	}
	h.Listed = listed
	have := map[string]Owner{}
	for _, it := range secrets {
		have[it.Account] = it.Owner
		l := Leftover{Service: SecretService, Account: it.Account, Owner: it.Owner}
		name, staged, _, dir := parseAccount(it.Account)
		c := byName[name]
		switch {
		case staged && (dir != id || h.MovedFrom != "" && (c == nil || c.SecretItem != it.Account)):
			h.Foreign = append(h.Foreign, l)
		case staged && (c == nil || c.SecretItem != it.Account):
			h.Orphans = append(h.Orphans, l)
		case staged:
		case c == nil && mine(it.Owner):
			h.Orphans = append(h.Orphans, l)
		case c == nil:
			h.Foreign = append(h.Foreign, l)
		case c.SecretItem != "":
			// Unfinished: the canonical item is rewritten by Repair.
		default:
			if err := checkItemOwner(*c, it.Owner, id); err != nil {
				h.Mismatched = append(h.Mismatched, err.Error())
			}
		}
	}
	if listed && s.Tokens != nil {
		tokens, _, err := listItems(s.Tokens)
		if err != nil {
			return h, err
		}
		for _, it := range tokens {
			l := Leftover{Service: TokenService, Account: it.Account, Owner: it.Owner}
			c := byName[it.Account]
			switch {
			case c != nil && id != "" && it.Owner.Dir == id && it.Owner.Rev == c.Revision:
			case mine(it.Owner) || (c != nil && it.Owner.IsZero() && h.MovedFrom == ""):
				// Ours but stale, or an unowned token of one of ours
				// (written before owners existed): never used again.
				h.Orphans = append(h.Orphans, l)
			default:
				h.Foreign = append(h.Foreign, l)
			}
		}
	}
	for _, c := range creds {
		if c.SecretItem != "" {
			if _, ok := have[c.SecretItem]; ok || !listed {
				h.Unfinished = append(h.Unfinished, c.Name)
				continue
			}
		}
		if len(c.SecretKeys) == 0 {
			continue
		}
		acct := c.secretAccount()
		if listed {
			if _, ok := have[acct]; !ok {
				h.Missing = append(h.Missing, c.Name)
			}
			continue
		}
		it, err := s.Secrets.Get(acct)
		switch {
		case errors.Is(err, ErrNotFound):
			h.Missing = append(h.Missing, c.Name)
		case err != nil:
			return h, fmt.Errorf("check the secret of %q: %w", c.Name, err)
		default:
			if err := checkItemOwner(c, it.Owner, id); err != nil {
				h.Mismatched = append(h.Mismatched, err.Error())
			}
		}
	}
	sortLeftovers(h.Orphans)
	sortLeftovers(h.Foreign)
	return h, nil
}

// listItems lists sec's items if it can; listed is false where it cannot.
func listItems(sec Secrets) (items []Listed, listed bool, err error) {
	l, ok := sec.(Lister)
	if !ok || sec == nil {
		return nil, false, nil
	}
	items, err = l.List()
	if errors.Is(err, ErrListUnsupported) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("list the secret store: %w", err)
	}
	return items, true, nil
}

// sortLeftovers orders leftovers by service, then account.
func sortLeftovers(ls []Leftover) {
	slices.SortFunc(ls, func(a, b Leftover) int {
		if c := strings.Compare(a.Service, b.Service); c != 0 {
			return c
		}
		return strings.Compare(a.Account, b.Account)
	})
}
