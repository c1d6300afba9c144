package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/credwiz/credwiz/store/vaultkv"
)

// vaultSurvey is everything doctor compares: the index, the folder's
// keys, every entry.
type vaultSurvey struct {
	st      indexState
	keys    []string
	entries map[string]entryRead
}

// survey reads the index, the keys and every entry (one request each).
func (v *vaultStore) survey(ctx context.Context) (vaultSurvey, error) {
	var sv vaultSurvey
	if err := v.kv.EnsureMount(ctx); err != nil {
		return sv, err
	}
	var ierr, kerr error
	both(func() { sv.st, ierr = v.readIndex(ctx) }, func() { sv.keys, kerr = v.kv.List(ctx) })
	if err := errors.Join(ierr, kerr); err != nil {
		return sv, v.fail("survey", err)
	}
	var err error
	sv.entries, err = v.readEntries(ctx, sv.keys)
	return sv, err
}

// truth returns the index as the entries say it should be, with the test
// results of the index where their credential is the same one.
func (sv vaultSurvey) truth() *vaultIndexDoc {
	doc := newVaultIndexDoc()
	for _, name := range sv.keys {
		r := sv.entries[name]
		applyRead(doc, name, r)
		if r.err != nil {
			continue
		}
		if old, ok := sv.st.doc.get(name); ok && old.CreatedAt.Equal(r.entry.cred.CreatedAt) {
			c, _ := doc.get(name)
			c.LastTest = old.LastTest
			doc.put(c)
		}
	}
	hideRenamed(doc, sv.entries)
	return doc
}

// stale returns the names whose index entry differs from the truth, and
// those with a mark.
func (sv vaultSurvey) stale(truth *vaultIndexDoc) []string {
	names := map[string]bool{}
	for n := range sv.st.doc.Pending {
		names[n] = true
	}
	for _, n := range sv.st.scrubbed {
		names[n] = true
	}
	for _, c := range truth.Credentials {
		if old, ok := sv.st.doc.get(c.Name); !ok || !sameCredential(&old, &c) {
			names[c.Name] = true
		}
	}
	for _, c := range sv.st.doc.Credentials {
		if _, ok := truth.find(c.Name); !ok {
			names[c.Name] = true
		}
	}
	return sortedKeys(names)
}

// check is Store.Check for the Vault store: the index against the
// entries, the entries credwiz cannot read, and the local cache of
// tokens and temporary files.
func (v *vaultStore) check(ctx context.Context) (Health, error) {
	var h Health
	err := v.s.Index.View(ctx, func(tx *Tx) error {
		sv, err := v.survey(ctx)
		if err != nil {
			return err
		}
		h, err = v.health(tx, sv)
		return err
	})
	return h, err
}

// health compares what sv found.
func (v *vaultStore) health(tx *Tx, sv vaultSurvey) (Health, error) {
	h := Health{Listed: true}
	truth := sv.truth()
	h.Unfinished = sv.stale(truth)
	if sv.st.lost {
		h.Mismatched = append(h.Mismatched, fmt.Sprintf("the index of %s in Vault is missing or unreadable: credwiz doctor --fix rebuilds it (the test results it held are lost)", v.where()))
	}
	for _, name := range sv.keys {
		var fe *foreignEntryError
		if err := sv.entries[name].err; errors.As(err, &fe) {
			h.Mismatched = append(h.Mismatched, fe.Error())
		} else if err != nil && vaultkv.KindOf(err) != vaultkv.KindNotFound {
			h.Mismatched = append(h.Mismatched, fmt.Sprintf("%s cannot be read: %v", name, err))
		}
	}
	moved := tx.moved()
	if moved != nil {
		h.MovedFrom = moved.Was
	}
	left, _, err := v.moveLeftovers(tx)
	if err != nil {
		h.Mismatched = append(h.Mismatched, "an interrupted migration's leftovers could not be looked for: "+err.Error())
	}
	if moved != nil {
		h.Foreign = append(h.Foreign, left...) // perhaps the original config dir's
	} else {
		h.Orphans = append(h.Orphans, left...)
	}
	temps, err := StaleTemps(v.s.Index.Dir())
	if err != nil {
		return h, err
	}
	h.Temps = temps
	tokens, listed, err := listItems(v.s.Tokens)
	if err != nil {
		return h, err
	}
	if !listed {
		return h, nil
	}
	id := tx.ID()
	for _, it := range tokens {
		l := Leftover{Service: TokenService, Account: it.Account, Owner: it.Owner}
		c, ok := truth.get(it.Account)
		switch {
		case id != "" && it.Owner.Dir == id && ok && certifies(c, it.Owner.Rev):
		case id != "" && it.Owner.Dir == id && moved == nil:
			h.Orphans = append(h.Orphans, l)
		default:
			h.Foreign = append(h.Foreign, l)
		}
	}
	sortLeftovers(h.Orphans)
	sortLeftovers(h.Foreign)
	return h, nil
}

// repair is Store.Repair for the Vault store: it finishes interrupted
// renames (deletes the old name), rewrites the index from the entries
// (keeping the test results of unchanged credentials; none when the index
// was lost), drops every mark, and removes this config dir's stale cached
// tokens and temporary files (and, with includeForeign, the other config
// dirs' tokens).
func (v *vaultStore) repair(ctx context.Context, includeForeign bool) (Health, error) {
	var h Health
	err := v.local(ctx, func(tx *Tx, id string) error {
		sv, err := v.survey(ctx)
		if err != nil {
			return err
		}
		if h, err = v.health(tx, sv); err != nil {
			return err
		}
		var errs []error
		for n, m := range sv.st.doc.Pending {
			old := sv.entries[n]
			if m.Op == "rename" && old.err == nil && old.entry.cred.Revision == m.From && renamedTo(sv.entries[m.To], n, m.From) {
				if _, err := v.bury(ctx, n, m.From, false); err != nil {
					errs = append(errs, fmt.Errorf("finish the rename of %s to %s: %w", n, m.To, err))
					continue
				}
				e, err := v.readEntryResult(ctx, n)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				sv.entries[n] = e
			}
		}
		if len(h.Unfinished) > 0 || sv.st.lost {
			truth := sv.truth()
			cas := sv.st.version
			if _, err := v.writeIndex(ctx, truth, cas); err != nil {
				errs = append(errs, v.fail("rewrite the index of", err))
			} else {
				v.s.step(StepRepaired)
			}
		}
		drop := slices.Clone(h.Orphans)
		if includeForeign {
			drop = append(drop, h.Foreign...)
		}
		_, moved, err := v.moveLeftovers(tx)
		if err != nil {
			errs = append(errs, err)
		}
		for _, l := range drop {
			store := v.s.Tokens
			if l.In != "" {
				store = moved
			}
			if store == nil {
				continue
			}
			if err := ignoreNotFound(store.Delete(l.Account)); err != nil {
				errs = append(errs, fmt.Errorf("remove the %s: %w", l, err))
				continue
			}
			v.s.step(StepRepaired)
		}
		if m := tx.doc.Move; m != nil && len(errs) == 0 && h.MovedFrom == "" {
			tx.doc.Move = nil
			tx.dirty = true
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

// readEntryResult reads name's entry as readEntries does.
func (v *vaultStore) readEntryResult(ctx context.Context, name string) (entryRead, error) {
	rs, err := v.readEntries(ctx, []string{name})
	if err != nil {
		return entryRead{}, err
	}
	return rs[name], nil
}

// moveLeftovers returns the items an interrupted migration left in the
// local store that this config dir does not use (the source's secrets
// after the switch to Vault, or the copies before the switch from it),
// and that store's secrets.
func (v *vaultStore) moveLeftovers(tx *Tx) ([]Leftover, Secrets, error) {
	m := tx.doc.Move
	if m == nil || tx.Kind() != KindVault {
		return nil, nil, nil
	}
	in := m.To
	if m.To == KindVault {
		in = m.From
	}
	sec, _, _, err := localBackends(in, v.s.Index.Dir(), v.opts)
	if err != nil {
		return nil, nil, err
	}
	var out []Leftover
	for _, acct := range ownedItems(sec, tx.ID(), nil) {
		out = append(out, Leftover{Service: SecretService, Account: acct, In: in})
	}
	return out, sec, nil
}
