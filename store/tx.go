package store

import (
	"bytes"
	"slices"
)

// Tx is the index as seen inside Index.Update. Its methods change an
// in-memory copy; Update writes it when the function returns nil. A Tx is
// valid only during its Update call and is not safe for concurrent use.
type Tx struct {
	doc   *indexDoc
	dirty bool
	// checkpoint writes the document now, still under the lock; if the
	// transaction then fails, Update puts the file back as it was.
	checkpoint   func() error
	checkpointed bool
}

// Get returns a copy of the credential called name and whether it exists.
func (tx *Tx) Get(name string) (Credential, bool) {
	i, ok := tx.doc.find(name)
	if !ok {
		return Credential{}, false
	}
	return tx.doc.credentials[i].clone(), true
}

// List returns copies of every credential, sorted by name.
func (tx *Tx) List() []Credential {
	out := make([]Credential, len(tx.doc.credentials))
	for i, c := range tx.doc.credentials {
		out[i] = c.clone()
	}
	return out
}

// Put inserts c, or replaces the credential of the same name (and any
// duplicates of it a hand edit left). Putting an identical credential
// changes nothing.
func (tx *Tx) Put(c Credential) {
	c = c.clone()
	creds := tx.doc.credentials
	i, ok := tx.doc.find(c.Name)
	if !ok {
		tx.doc.credentials = slices.Insert(creds, i, c)
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
	tx.doc.credentials = slices.Delete(creds, i+1, j)
	tx.dirty = true
}

// Remove deletes the credential called name and reports whether it
// existed.
func (tx *Tx) Remove(name string) bool {
	creds := tx.doc.credentials
	i, ok := tx.doc.find(name)
	if !ok {
		return false
	}
	j := i + 1
	for j < len(creds) && creds[j].Name == name {
		j++
	}
	tx.doc.credentials = slices.Delete(creds, i, j)
	tx.dirty = true
	return true
}

// Kind returns the recorded secret store kind, "" when none.
func (tx *Tx) Kind() Kind { return tx.doc.store }

// SetKind records the secret store kind k.
func (tx *Tx) SetKind(k Kind) {
	if tx.doc.store != k {
		tx.doc.store = k
		tx.dirty = true
	}
}

// sameCredential reports whether a and b encode identically.
func sameCredential(a, b *Credential) bool {
	ab, aerr := marshalCredential(a, false)
	bb, berr := marshalCredential(b, false)
	return aerr == nil && berr == nil && bytes.Equal(ab, bb)
}
