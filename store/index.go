package store

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Index is the metadata file, credentials.json in the config dir. Reads
// take no lock: writes replace the file atomically, so a reader sees the
// old or the new file, never a half-written one. Update serialises writers
// across processes with a lock on a sibling file.
//
// A file that does not parse is never overwritten; every call returns a
// *CorruptError naming it until it is fixed or moved.
type Index struct {
	dir  string
	path string

	// LockTimeout bounds the wait for another process's lock in Update;
	// zero means DefaultLockTimeout.
	LockTimeout time.Duration
}

// NewIndex returns the index in config dir dir. It touches nothing on
// disk until written.
func NewIndex(dir string) *Index {
	return &Index{dir: dir, path: filepath.Join(dir, IndexFile)}
}

// Path returns the index file's path.
func (ix *Index) Path() string { return ix.path }

// Dir returns the config dir holding the index.
func (ix *Index) Dir() string { return ix.dir }

// List returns every credential sorted by name: one read and one decode of
// the file, no lock. A missing file is an empty list.
func (ix *Index) List() ([]Credential, error) {
	doc, _, err := ix.read()
	if err != nil {
		return nil, err
	}
	return doc.credentials, nil
}

// Get returns the credential called name, or an error wrapping
// ErrNotFound.
func (ix *Index) Get(name string) (Credential, error) {
	doc, _, err := ix.read()
	if err != nil {
		return Credential{}, err
	}
	if i, ok := doc.find(name); ok {
		return doc.credentials[i], nil
	}
	return Credential{}, notFound(name)
}

// Kind returns the secret store kind the index records, "" when none. It
// reads only the head of the file.
func (ix *Index) Kind() (Kind, error) {
	h, err := ix.peek()
	return h.kind, err
}

// Put inserts c, or replaces the credential of the same name.
func (ix *Index) Put(c Credential) error {
	if err := ValidateName(c.Name); err != nil {
		return err
	}
	return ix.Update(func(tx *Tx) error {
		tx.Put(c)
		return nil
	})
}

// Remove deletes the credential called name, or returns an error wrapping
// ErrNotFound.
func (ix *Index) Remove(name string) error {
	return ix.Update(func(tx *Tx) error {
		if !tx.Remove(name) {
			return notFound(name)
		}
		return nil
	})
}

// RecordTest sets the LastTest of the credential called name to r and
// changes nothing else; an error wrapping ErrNotFound if it is gone.
func (ix *Index) RecordTest(name string, r TestResult) error {
	return ix.Update(func(tx *Tx) error {
		c, ok := tx.Get(name)
		if !ok {
			return notFound(name)
		}
		c.LastTest = &r
		tx.Put(c)
		return nil
	})
}

// Update runs fn on the index under an exclusive cross-process lock and
// writes the result atomically (temp file, fsync, rename; mode 0600), only
// if fn returned nil and changed something. If fn returns an error the
// file is untouched and Update returns that error.
//
// Before fn runs, Update makes sure the file can be written (the directory
// takes a new file and the file is not read-only), so a caller that writes
// a secret inside fn does not leave an orphan for a reason known upfront.
func (ix *Index) Update(fn func(tx *Tx) error) error {
	if err := ensureDir(ix.dir); err != nil {
		return err
	}
	timeout := ix.LockTimeout
	if timeout <= 0 {
		timeout = DefaultLockTimeout
	}
	unlock, err := lockFile(ix.path+lockSuffix, timeout)
	if err != nil {
		return err
	}
	defer unlock()

	doc, fi, raw, err := ix.readRaw()
	if err != nil {
		return err
	}
	if fi != nil && fi.Mode().Perm()&0o200 == 0 {
		return readOnlyError(ix.path)
	}
	// Make sure a write can start before fn runs.
	pf, err := newPendingFile(ix.path)
	if err != nil {
		return fileError("write", ix.path, err)
	}
	_ = pf.Cleanup()

	tx := &Tx{doc: doc}
	tx.checkpoint = func() error {
		data, err := encodeIndex(doc)
		if err != nil {
			return fmt.Errorf("write %s: %w", ix.path, err)
		}
		if err := ix.replace(data); err != nil {
			return err
		}
		tx.checkpointed = true
		return nil
	}
	if err := fn(tx); err != nil {
		if tx.checkpointed {
			// Put back the file as it was, byte for byte.
			if rerr := ix.restore(raw, fi != nil); rerr != nil {
				return errors.Join(err, rerr)
			}
		}
		return err
	}
	if !tx.dirty {
		return nil
	}
	return tx.checkpoint()
}

// replace writes data as the index file atomically (temp file, fsync,
// rename; mode 0600).
func (ix *Index) replace(data []byte) error {
	pf, err := newPendingFile(ix.path)
	if err != nil {
		return fileError("write", ix.path, err)
	}
	defer func() { _ = pf.Cleanup() }()
	if _, err := pf.Write(data); err != nil {
		return fileError("write", ix.path, err)
	}
	if err := pf.CloseAtomicallyReplace(); err != nil {
		return fileError("write", ix.path, err)
	}
	return nil
}

// restore puts back the index file's earlier bytes, or removes the file
// when there was none.
func (ix *Index) restore(raw string, existed bool) error {
	if !existed {
		if err := os.Remove(ix.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fileError("restore", ix.path, err)
		}
		return nil
	}
	return ix.replace([]byte(raw))
}

// read reads and decodes the index; a missing file is an empty document
// and a nil FileInfo.
func (ix *Index) read() (*indexDoc, fs.FileInfo, error) {
	doc, fi, _, err := ix.readRaw()
	return doc, fi, err
}

// readRaw is read that also returns the file's text.
func (ix *Index) readRaw() (*indexDoc, fs.FileInfo, string, error) {
	f, err := os.Open(ix.path)
	if errors.Is(err, fs.ErrNotExist) {
		return &indexDoc{version: indexVersion}, nil, "", nil
	}
	if err != nil {
		return nil, nil, "", fileError("read", ix.path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, "", fileError("read", ix.path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, "", fmt.Errorf("cannot read %s: not a regular file: move it away", ix.path)
	}
	// Read into a string: the decoded credentials' strings are substrings
	// of it, which saves an allocation per string.
	var text strings.Builder
	text.Grow(int(fi.Size()) + 512)
	if _, err := io.Copy(&text, f); err != nil {
		return nil, nil, "", fileError("read", ix.path, err)
	}
	doc, err := decodeIndex(ix.path, text.String())
	if err != nil {
		return nil, nil, "", err
	}
	return doc, fi, text.String(), nil
}

// find returns the position of the credential called name.
func (d *indexDoc) find(name string) (int, bool) {
	return slices.BinarySearchFunc(d.credentials, name, func(c Credential, n string) int {
		return strings.Compare(c.Name, n)
	})
}

// notFound is the error for a credential that does not exist.
func notFound(name string) error {
	return fmt.Errorf("credential %q: %w", name, ErrNotFound)
}
