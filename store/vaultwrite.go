package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/credwiz/credwiz/store/vaultkv"
)

// maxPatchAttempts bounds how often a change is read and applied again
// when a teammate's write lands between its read and its write.
const maxPatchAttempts = 8

// current reads name's entry for a write: the entry when it is live; the
// version a write must check-and-set on (the live, deleted or destroyed
// latest version, 0 for a new key); and whether it is live.
func (v *vaultStore) current(ctx context.Context, name string) (e vaultEntry, cas int64, live bool, err error) {
	e, err = v.readEntry(ctx, name)
	var ke *vaultkv.Error
	var fe *foreignEntryError
	switch {
	case err == nil:
		return e, e.cred.Revision, true, nil
	case errors.As(err, &ke) && ke.Kind == vaultkv.KindNotFound:
		return vaultEntry{}, int64(ke.Version), false, nil
	case errors.As(err, &fe):
		return vaultEntry{}, fe.version, true, err
	}
	return vaultEntry{}, 0, false, v.fail("read "+name+" from", err)
}

// vaultWrite is one write of a credential's entry.
type vaultWrite struct {
	// cred is the credential as written: Revision and SecretRevision set
	// to the version the write creates (or keeps), LastTest the result to
	// record (nil keeps the index's, carried over a rename).
	cred   Credential
	secret map[string]string
	book   entryBookkeeping
	// cas is the version the entry must be at.
	cas int64
	// from, for a rename, is the old name's entry, deleted once the new
	// one is written.
	from *vaultEntry
	// carry says the index's last test of the credential (of the old
	// name, for a rename) carries over: a change, not an add.
	carry bool
	// valuesChanged says the old name's test results do not carry over.
	valuesChanged bool
}

// commit writes w with the index protocol (see indexKey): mark, write,
// index. Before the entry is written, an error leaves everything as it
// was (a KindCASMismatch error when the entry is no longer at w.cas);
// after, an error wraps ErrCleanup and the change stands.
func (v *vaultStore) commit(ctx context.Context, w vaultWrite) (Credential, error) {
	name := w.cred.Name
	mine := []string{name}
	if w.from != nil {
		mine = append(mine, w.from.cred.Name)
	}
	data, err := encodeEntry(w.cred, w.secret, w.book)
	if err != nil {
		return Credential{}, err
	}
	mark := vaultMark{Op: "write", From: w.cas, By: v.author(), At: v.s.now()}
	st, err := v.updateIndex(ctx, indexState{}, mine, func(doc *vaultIndexDoc) error {
		doc.mark(name, mark)
		if w.from != nil {
			doc.mark(w.from.cred.Name, vaultMark{Op: "rename", From: w.from.cred.Revision, To: name, By: mark.By, At: mark.At})
		}
		return nil
	})
	if err != nil {
		return Credential{}, v.denied(ctx, name, err)
	}
	v.s.step(StepVaultMarked)

	n, err := v.kv.Write(ctx, name, data, int(w.cas))
	var ke *vaultkv.Error
	if errors.As(err, &ke) && ke.Written > 0 {
		err = nil // only the key's updated_by is not set; the version names its writer
	}
	if err != nil {
		v.unmark(ctx, st, mine)
		return Credential{}, err
	}
	v.s.step(StepVaultWritten)
	saved := w.cred
	if int64(n) != w.cas+1 {
		// Not the version check-and-set promises: readers will take the
		// values as changed outside credwiz, and so does this write.
		saved.Revision, saved.SecretRevision = int64(n), int64(n)
	}

	var cleanup []error
	oldGone := int64(0)
	if w.from != nil {
		old := w.from.cred
		tomb, err := v.bury(ctx, old.Name, old.Revision, false)
		switch {
		case vaultkv.KindOf(err) == vaultkv.KindCASMismatch:
			cleanup = append(cleanup, fmt.Errorf("%s was changed by another credwiz meanwhile and remains under its old name: delete it if it is not needed (%w)", old.Name, err))
		case err != nil:
			cleanup = append(cleanup, fmt.Errorf("%s still exists under its old name (%w)", old.Name, err))
		default:
			oldGone = tomb
		}
	}
	_, err = v.updateIndex(ctx, st, mine, func(doc *vaultIndexDoc) error {
		c := saved
		if c.LastTest == nil {
			prev, ok := doc.get(name)
			if w.from != nil {
				prev, ok = doc.get(w.from.cred.Name)
			}
			if ok && prev.LastTest != nil && w.carry {
				t := *prev.LastTest
				switch {
				case w.from == nil:
				case !w.valuesChanged && certifies(prev, t.Revision):
					t.Revision = c.Revision
				default:
					t.Revision = 0 // a test of other values
				}
				c.LastTest = &t
			}
		}
		doc.put(c)
		delete(doc.Pending, name)
		if w.from != nil {
			if oldGone > 0 {
				doc.remove(w.from.cred.Name, oldGone)
				delete(doc.Pending, w.from.cred.Name)
			} else {
				doc.remove(w.from.cred.Name, 0) // hidden: renamed; doctor finishes
			}
		}
		saved.LastTest = c.LastTest
		return nil
	})
	if err != nil {
		cleanup = append(cleanup, fmt.Errorf("the index of %s is not up to date (%w)", v.where(), err))
	} else {
		v.s.step(StepVaultIndexed)
	}
	v.forget(name)
	if w.from != nil {
		v.forget(w.from.cred.Name)
	}
	return settled(saved), v.s.cleanup(name, errors.Join(cleanup...))
}

// bury removes the version cas of name: it writes a tombstone over it
// (check-and-set, so that a teammate's newer version is never removed, a
// KindCASMismatch error then, and no write based on version cas can bring
// it back), then deletes both versions (an admin can undelete them), or,
// with destroy, nothing more (the caller destroys every version). It
// returns the tombstone's version. If only the deletion fails, the
// tombstone stands: readers take the credential as deleted.
func (v *vaultStore) bury(ctx context.Context, name string, cas int64, destroy bool) (int64, error) {
	n, err := v.kv.Write(ctx, name, map[string]string{entryDeleted: v.author()}, int(cas))
	var ke *vaultkv.Error
	if errors.As(err, &ke) && ke.Written > 0 {
		n, err = ke.Written, nil
	}
	if err != nil {
		return 0, err
	}
	v.s.step(StepVaultBuried)
	if !destroy {
		if err := v.kv.DeleteVersions(ctx, name, []int{int(cas), n}); err != nil {
			return int64(n), fmt.Errorf("%s is deleted (a tombstone marks it), but its versions are not: %w", name, err)
		}
		v.s.step(StepVaultOldDeleted)
	}
	return int64(n), nil
}

// unmark removes this write's marks, best effort: a mark left behind only
// makes readers read the entry.
func (v *vaultStore) unmark(ctx context.Context, st indexState, names []string) {
	_, _ = v.updateIndex(ctx, st, names, func(doc *vaultIndexDoc) error {
		for _, n := range names {
			delete(doc.Pending, n)
		}
		return nil
	})
}

// denied makes a refusal of the index write name the credential's own
// path when the token may not write that either, so that the operator
// learns the first thing to ask for.
func (v *vaultStore) denied(ctx context.Context, name string, err error) error {
	if vaultkv.KindOf(err) != vaultkv.KindPermission {
		return err
	}
	if rerr := v.ready(ctx, name); rerr != nil && vaultkv.KindOf(rerr) == vaultkv.KindPermission {
		return rerr
	}
	return err
}

// checkSettings refuses settings of credential name that its connector
// says are secrets: written as settings, they would be shown and indexed.
func (v *vaultStore) checkSettings(name, connector string, fields map[string]string) error {
	if k := v.secretSetting(connector, fields); k != "" {
		return fmt.Errorf("the field %q of %q is a secret of the %s connector, and is never saved as a setting: pass it with the secrets", k, name, connector)
	}
	return nil
}

// author is who writes, as recorded in marks.
func (v *vaultStore) author() string { return v.kv.Author() }

// dropToken deletes name's locally cached token (under the local lock).
func (v *vaultStore) dropToken(name string) error {
	return v.s.dropToken(name)
}

// add is Store.Add for the Vault store.
func (v *vaultStore) add(ctx context.Context, c Credential, secret map[string]string, o AddOptions) (Credential, error) {
	if err := v.checkSettings(c.Name, c.Connector, c.Fields); err != nil {
		return Credential{}, err
	}
	var saved Credential
	err := v.local(ctx, func(tx *Tx, id string) error {
		_, cas, live, err := v.current(ctx, c.Name)
		var fe *foreignEntryError
		if err != nil && !errors.As(err, &fe) {
			return err
		}
		if live && !o.Replace {
			return fmt.Errorf("credential %q: %w", c.Name, ErrExists)
		}
		t := v.s.now()
		next := cas + 1
		c.Revision, c.SecretRevision, c.SecretItem = next, next, ""
		c.SecretKeys = sortedKeys(secret)
		c.CreatedAt, c.UpdatedAt, c.SecretsUpdatedAt = t, t, t
		c.LastTest = certify(o.Test, next)
		book := entryBookkeeping{Version: next, ValuesVersion: next, DescriptionVersion: next,
			CreatedAt: t, UpdatedAt: t, SecretsUpdatedAt: t}
		saved, err = v.commit(ctx, vaultWrite{cred: c, secret: secret, book: book, cas: cas})
		switch {
		case vaultkv.KindOf(err) == vaultkv.KindCASMismatch && !live && !o.Replace:
			return fmt.Errorf("credential %q: %w", c.Name, ErrExists)
		case vaultkv.KindOf(err) == vaultkv.KindCASMismatch:
			return &ConflictError{Name: c.Name}
		case err != nil && !errors.Is(err, ErrCleanup):
			return err
		}
		if live {
			err = errors.Join(err, v.s.cleanup(c.Name, v.dropToken(c.Name)))
		}
		return err
	})
	return saved, err
}

// change is Store.Change for the Vault store. base is the KV version the
// caller read. A change of values (or a test result) needs the values
// unchanged since base; a new description needs the description unchanged
// since base (a teammate's is never overwritten); a rename applies on top.
// Otherwise a *ConflictError, and nothing is saved. A teammate's write
// between this read and this write is met by reading again.
func (v *vaultStore) change(ctx context.Context, name string, base int64, ch Change) (Credential, error) {
	newName := name
	if ch.Name != "" {
		newName = ch.Name
	}
	rename := newName != name
	var saved Credential
	err := v.local(ctx, func(tx *Tx, id string) error {
		for attempt := 0; ; attempt++ {
			var err error
			saved, err = v.changeOnce(ctx, name, newName, base, ch, attempt == 0)
			if vaultkv.KindOf(err) != vaultkv.KindCASMismatch || attempt+1 >= maxPatchAttempts {
				if vaultkv.KindOf(err) == vaultkv.KindCASMismatch {
					return &ConflictError{Name: name}
				}
				if err != nil && !errors.Is(err, ErrCleanup) {
					return err
				}
				var drops []error
				if ch.changesValues() || rename {
					drops = append(drops, v.dropToken(name))
				}
				if rename {
					drops = append(drops, v.dropToken(newName))
				}
				return errors.Join(err, v.s.cleanup(newName, errors.Join(drops...)))
			}
		}
	})
	return saved, err
}

// changeOnce reads the credential (first: the copy this process read at
// base will do) and writes the change once; a KindCASMismatch error means
// a teammate wrote between.
func (v *vaultStore) changeOnce(ctx context.Context, name, newName string, base int64, ch Change, first bool) (Credential, error) {
	// The entry this process read at base, if any: the check-and-set
	// below tells when it is no longer the latest.
	cur, ok := v.recall(name, base)
	var err error
	if !first || !ok {
		cur, err = v.readEntry(ctx, name)
	}
	if vaultkv.KindOf(err) == vaultkv.KindNotFound {
		return Credential{}, &ConflictError{Name: name, Deleted: true}
	}
	if err != nil {
		return Credential{}, v.fail("read "+name+" from", err)
	}
	c, b := cur.cred, cur.book
	switch {
	case base > c.Revision,
		(ch.changesValues() || ch.Test != nil) && b.ValuesVersion > base,
		ch.Description != nil && *ch.Description != c.Description && b.DescriptionVersion > base:
		return Credential{}, &ConflictError{Name: name}
	}
	rename := newName != name
	cas, targetLive := c.Revision, false
	if rename {
		var err error
		var fe *foreignEntryError
		_, cas, targetLive, err = v.current(ctx, newName)
		if err != nil && !errors.As(err, &fe) {
			return Credential{}, err
		}
		if targetLive && !ch.Replace {
			return Credential{}, fmt.Errorf("credential %q: %w", newName, ErrExists)
		}
	}
	t := v.s.now()
	next := cas + 1
	n := c.clone()
	n.Name = newName
	n.UpdatedAt = t
	n.Revision = next
	n.LastTest = nil
	if ch.Description != nil && *ch.Description != c.Description {
		n.Description = *ch.Description
		b.DescriptionVersion = next
	}
	n.Fields = patchFields(n.Fields, ch.Fields)
	if err := v.checkSettings(name, n.Connector, ch.Fields); err != nil {
		return Credential{}, err
	}
	secret := cur.secret
	if ch.Secret != nil {
		secret = ch.Secret
		n.SecretsUpdatedAt = t
	}
	if ch.changesValues() {
		b.ValuesVersion = next
	}
	if rename {
		// A new key: its versions start a new line.
		b.ValuesVersion, b.DescriptionVersion = next, next
		b.RenamedFrom = &entryRef{Name: name, Version: c.Revision}
	}
	// Otherwise a rename's mark stays true: until the old name's entry is
	// deleted (by the next write, or doctor), it stays hidden.
	b.MigratedFrom = ""
	b.Version = next
	b.UpdatedAt, b.SecretsUpdatedAt = t, n.SecretsUpdatedAt
	n.SecretRevision = b.ValuesVersion
	if ch.Test != nil {
		n.LastTest = certify(ch.Test, next)
	}
	w := vaultWrite{cred: n, secret: secret, book: b, cas: cas, carry: true, valuesChanged: ch.changesValues()}
	if rename {
		w.from = &cur
	}
	return v.commit(ctx, w)
}

// remove is Store.Delete (destroy false) and Store.Destroy for the Vault
// store. It writes a tombstone version over the one read (check-and-set:
// a teammate's write since keeps the credential alive, a *ConflictError;
// and no write based on the version read can bring it back), then deletes
// the tombstone and the version read (a Vault admin can undelete and roll
// back to it), or destroys every version; then the index and the cached
// token follow.
func (v *vaultStore) remove(ctx context.Context, name string, destroy bool) error {
	return v.local(ctx, func(tx *Tx, id string) error {
		_, cas, live, err := v.current(ctx, name)
		var fe *foreignEntryError
		if err != nil && !errors.As(err, &fe) {
			return err
		}
		if !live {
			v.forgetGone(ctx, name, cas)
			return notFound(name)
		}
		need := vaultkv.Need{Area: "delete", Key: name, AnyOf: []string{"update"}}
		if destroy {
			need.Area = "destroy"
		}
		if err := v.kv.Require(ctx, vaultkv.Need{Area: "data", Key: name, AnyOf: []string{"update"}}, need,
			vaultkv.Need{Area: "data", Key: indexKey, AnyOf: []string{"update", "create"}}); err != nil {
			return err
		}
		mine := []string{name}
		st, err := v.updateIndex(ctx, indexState{}, mine, func(doc *vaultIndexDoc) error {
			doc.mark(name, vaultMark{Op: "delete", From: cas, By: v.author(), At: v.s.now()})
			return nil
		})
		if err != nil {
			return err
		}
		v.s.step(StepVaultMarked)
		tomb, err := v.bury(ctx, name, cas, destroy)
		if tomb == 0 && vaultkv.KindOf(err) == vaultkv.KindCASMismatch {
			v.unmark(ctx, st, mine)
			return &ConflictError{Name: name}
		}
		if tomb == 0 {
			v.unmark(ctx, st, mine)
			return err
		}
		v.forget(name)
		var cleanup []error
		if err != nil {
			cleanup = append(cleanup, err)
		} else if destroy {
			if err := v.destroyAll(ctx, name, tomb); err != nil {
				cleanup = append(cleanup, err)
			} else {
				v.s.step(StepVaultOldDeleted)
			}
		}
		if _, err := v.updateIndex(ctx, st, mine, func(doc *vaultIndexDoc) error {
			doc.remove(name, tomb)
			delete(doc.Pending, name)
			return nil
		}); err != nil {
			cleanup = append(cleanup, fmt.Errorf("the index of %s is not up to date (%w)", v.where(), err))
		} else {
			v.s.step(StepVaultIndexed)
		}
		cleanup = append(cleanup, v.dropToken(name))
		if err := errors.Join(cleanup...); err != nil {
			return fmt.Errorf("%s is deleted, but %w (credwiz doctor --fix finishes it): %w", name, ErrCleanup, err)
		}
		return nil
	})
}

// destroyAll destroys every version of name up to tomb (the tombstone),
// then checks that no teammate wrote a newer one meanwhile (a
// KindCASMismatch error: that one lives on).
func (v *vaultStore) destroyAll(ctx context.Context, name string, tomb int64) error {
	m, err := v.kv.Meta(ctx, name)
	if err != nil {
		return err
	}
	var versions []int
	for _, n := range m.Versions {
		if int64(n) <= tomb {
			versions = append(versions, n)
		}
	}
	if err := v.kv.DestroyVersions(ctx, name, versions); err != nil {
		return err
	}
	if int64(m.CurrentVersion) != tomb {
		return &vaultkv.Error{Kind: vaultkv.KindCASMismatch, Op: "destroy", Detail: fmt.Sprintf("%s was written again (version %d) while it was destroyed; that version remains", name, m.CurrentVersion)}
	}
	return nil
}

// entryFor returns credential name's entry, as this process read it or
// read now, provided its values are still those of revision rev; else a
// *ConflictError.
func (v *vaultStore) entryFor(ctx context.Context, name string, rev int64) (vaultEntry, error) {
	v.mu.Lock()
	e, ok := v.seen[name]
	v.mu.Unlock()
	if !ok || !certifies(e.cred, rev) {
		var err error
		e, err = v.readEntry(ctx, name)
		if vaultkv.KindOf(err) == vaultkv.KindNotFound {
			return vaultEntry{}, &ConflictError{Name: name, Deleted: true}
		}
		if err != nil {
			return vaultEntry{}, err
		}
	}
	if !certifies(e.cred, rev) {
		return vaultEntry{}, &ConflictError{Name: name}
	}
	return e, nil
}

// forgetGone drops name from the index when it lists a credential that
// is gone, best effort.
func (v *vaultStore) forgetGone(ctx context.Context, name string, deleted int64) {
	st, err := v.readIndex(ctx)
	if err != nil || st.lost || st.absent {
		return
	}
	if old, ok := st.doc.get(name); ok && old.Revision <= deleted {
		st.doc.remove(name, deleted)
		v.saveQuietly(ctx, st.doc, st.version)
	}
}

// record is Store.Record for the Vault store: the test results go to the
// index in one write (each only if its credential's values are still the
// ones tested); the tokens go to the local cache, never to Vault.
func (v *vaultStore) record(ctx context.Context, recs []Record) ([]error, error) {
	errs := make([]error, len(recs))
	creds := make([]*Credential, len(recs))
	err := v.local(ctx, func(tx *Tx, id string) error {
		var rerr error
		if slices.ContainsFunc(recs, func(r Record) bool { return r.Result != nil }) {
			_, rerr = v.updateIndex(ctx, indexState{}, nil, func(doc *vaultIndexDoc) error {
				for i, r := range recs {
					if r.Result == nil {
						continue
					}
					errs[i], creds[i] = nil, nil
					c, ok := doc.get(r.Name)
					if !ok || !certifies(c, r.Revision) {
						// The index may lag the entry: the entry says.
						e, err := v.readEntry(ctx, r.Name)
						switch {
						case vaultkv.KindOf(err) == vaultkv.KindNotFound:
							errs[i] = &ConflictError{Name: r.Name, Deleted: true}
							continue
						case err != nil:
							errs[i] = err
							continue
						case !certifies(e.cred, r.Revision):
							errs[i] = &ConflictError{Name: r.Name}
							continue
						}
						c = e.cred
					}
					c.LastTest = certify(r.Result, r.Revision)
					doc.put(c)
					creds[i] = &c
				}
				return nil
			})
			if rerr != nil {
				rerr = fmt.Errorf("test results are kept in Vault only, and %w", rerr)
				for i, r := range recs {
					if r.Result != nil && errs[i] == nil {
						creds[i] = nil
					}
				}
			} else {
				v.s.step(StepIndexCommitted)
			}
		}
		for i, r := range recs {
			if r.Token == nil || errs[i] != nil {
				continue
			}
			// The token is bound to the entry's settings (the ones its
			// secret was given out with), never to the index's.
			e, err := v.entryFor(ctx, r.Name, r.Revision)
			if err != nil {
				errs[i] = err
				continue
			}
			vals := maps.Clone(r.Token)
			vals[tokenCreatedKey] = stamp(e.cred.CreatedAt)
			vals[tokenBoundKey] = v.binding(e.cred)
			if err := v.s.Tokens.Set(r.Name, Item{Values: vals, Owner: Owner{Dir: id, Rev: r.Revision}}); err != nil {
				errs[i] = fmt.Errorf("cache the access token of %q: %w", r.Name, err)
				continue
			}
			v.s.step(StepTokenWritten)
		}
		return rerr
	})
	return errs, err
}
