package store

import (
	"encoding/json"
	"slices"
)

// pendingKey is the index's top-level member listing the names whose
// secret is being written or deleted while they have no metadata: a new
// credential between its secret write and its metadata write, a deleted or
// renamed one between its metadata removal and its secret deletion. After
// a crash, a name still listed here marks a secret item as this index's
// own orphan, which doctor may remove; any other secret item without
// metadata may belong to another config dir sharing the keychain, and is
// only reported. The member is absent when nothing is pending.
const pendingKey = "pending_secrets"

// pending returns the names in the journal.
func (d *indexDoc) pending() []string {
	raw, ok := d.extra[pendingKey]
	if !ok {
		return nil
	}
	var names []string
	if err := json.Unmarshal(raw, &names); err != nil {
		return nil // a hand-mangled journal: treat as empty
	}
	return names
}

// setPending replaces the journal; an empty one removes the member.
func (tx *Tx) setPending(names []string) {
	d := tx.doc
	if len(names) == 0 {
		if _, ok := d.extra[pendingKey]; ok {
			delete(d.extra, pendingKey)
			tx.dirty = true
		}
		return
	}
	slices.Sort(names)
	names = slices.Compact(names)
	raw, _ := json.Marshal(names)
	if d.extra == nil {
		d.extra = map[string]json.RawMessage{}
	}
	d.extra[pendingKey] = raw
	tx.dirty = true
}

// markPending adds name to the journal.
func (tx *Tx) markPending(name string) {
	if slices.Contains(tx.doc.pending(), name) {
		return
	}
	tx.setPending(append(tx.doc.pending(), name))
}

// clearPending removes name from the journal.
func (tx *Tx) clearPending(name string) {
	p := tx.doc.pending()
	if i := slices.Index(p, name); i >= 0 {
		tx.setPending(slices.Delete(p, i, i+1))
	}
}

// Pending returns the names the journal lists (see pendingKey).
func (ix *Index) Pending() ([]string, error) {
	doc, _, err := ix.read()
	if err != nil {
		return nil, err
	}
	return doc.pending(), nil
}
