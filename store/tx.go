package store

import (
	"context"
	"errors"
	"slices"

	"github.com/go-json-experiment/json"
)

// Tx is the index as seen inside Index.Update, under the lock. Its methods
// change an in-memory copy; Commit writes it (Update commits at the end
// when something changed). A Tx is valid only during its Update call and
// is not safe for concurrent use.
type Tx struct {
	doc      *indexDoc
	ix       *Index
	ctx      context.Context
	dirty    bool
	readOnly bool
}

// Get returns a copy of the credential called name and whether it exists.
func (tx *Tx) Get(name string) (Credential, bool) {
	i, ok := tx.doc.find(name)
	if !ok {
		return Credential{}, false
	}
	return tx.doc.Credentials[i].clone(), true
}

// List returns copies of every credential, sorted by name.
func (tx *Tx) List() []Credential {
	out := make([]Credential, len(tx.doc.Credentials))
	for i, c := range tx.doc.Credentials {
		out[i] = c.clone()
	}
	return out
}

// Put inserts c, or replaces the credential of the same name (and any
// duplicates of it a hand edit left). Putting an identical credential
// changes nothing.
func (tx *Tx) Put(c Credential) {
	c = c.clone()
	creds := tx.doc.Credentials
	i, ok := tx.doc.find(c.Name)
	if !ok {
		tx.doc.Credentials = slices.Insert(creds, i, c)
		tx.dirty = true
		return
	}
	j := i + 1
	for j < len(creds) && creds[j].Name == c.Name {
		j++
	}
	if j == i+1 && sameCredential(&creds[i], &c) {
		return
	}
	creds[i] = c
	tx.doc.Credentials = slices.Delete(creds, i+1, j)
	tx.dirty = true
}

// Remove deletes the credential called name and reports whether it
// existed.
func (tx *Tx) Remove(name string) bool {
	creds := tx.doc.Credentials
	i, ok := tx.doc.find(name)
	if !ok {
		return false
	}
	j := i + 1
	for j < len(creds) && creds[j].Name == name {
		j++
	}
	tx.doc.Credentials = slices.Delete(creds, i, j)
	tx.dirty = true
	return true
}

// Kind returns the recorded secret store kind, "" when none.
func (tx *Tx) Kind() Kind { return tx.doc.Store }

// SetKind records the secret store kind k.
func (tx *Tx) SetKind(k Kind) {
	if tx.doc.Store != k {
		tx.doc.Store = k
		tx.dirty = true
	}
}

// Vault returns the recorded Vault settings, nil when none.
func (tx *Tx) Vault() *VaultSettings {
	if tx.doc.Vault == nil {
		return nil
	}
	v := *tx.doc.Vault
	return &v
}

// SetVault records the Vault settings v (nil removes them).
func (tx *Tx) SetVault(v *VaultSettings) {
	cur := tx.doc.Vault
	switch {
	case v == nil && cur == nil:
		return
	case v != nil && cur != nil && v.sameFolder(*cur) && v.Address == cur.Address && v.Namespace == cur.Namespace:
		return
	}
	if v != nil {
		c := *v
		v = &c
	}
	tx.doc.Vault = v
	tx.dirty = true
}

// ID returns the config dir's ID, "" before the first write.
func (tx *Tx) ID() string { return tx.doc.ID }

// ensureID gives the config dir its ID, committing it at once, so that an
// item written next names an owner the index records even if the write
// after it fails.
func (tx *Tx) ensureID() (string, error) {
	if tx.doc.ID != "" {
		return tx.doc.ID, nil
	}
	tx.doc.ID = newDirID()
	tx.recordPlace()
	tx.dirty = true
	if err := tx.Commit(); err != nil {
		return "", err
	}
	return tx.doc.ID, nil
}

// nextRevision allocates a revision, unique in this config dir.
func (tx *Tx) nextRevision() int64 {
	tx.doc.Revision++
	tx.dirty = true
	return tx.doc.Revision
}

// Commit writes the document now, still under the lock.
func (tx *Tx) Commit() error {
	if tx.readOnly {
		return errors.New("internal error: a commit inside Index.View")
	}
	data, err := encodeIndex(tx.doc)
	if err != nil {
		return err
	}
	if err := tx.ix.replace(data); err != nil {
		return err
	}
	tx.dirty = false
	return nil
}

// sameCredential reports whether a and b encode identically.
func sameCredential(a, b *Credential) bool {
	ab, aerr := json.Marshal(a, json.Deterministic(true))
	bb, berr := json.Marshal(b, json.Deterministic(true))
	return aerr == nil && berr == nil && string(ab) == string(bb)
}
