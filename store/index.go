package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Index is the metadata file, credentials.json in the config dir. Reads
// take no lock: writes replace the file atomically, so a reader sees the
// old or the new file, never a half-written one. Update serialises writers
// across processes with a lock on a sibling file.
//
// A file that does not parse is never overwritten; every call returns a
// *CorruptError naming it until it is fixed or moved. Every read checks the
// config dir and the file first (CheckDir, openTrusted) and is capped at
// MaxIndexSize.
type Index struct {
	dir  string
	path string

	// LockTimeout bounds the wait for another process's lock in Update;
	// zero means DefaultLockTimeout.
	LockTimeout time.Duration
	// Waiting, when set, is called once when Update has waited a second
	// for another process's lock, with a description of that process.
	Waiting func(holder string)

	// failWrite, when set (by tests), runs before each write of the file
	// and fails it with its error.
	failWrite func() error
}

// NewIndex returns the index in config dir dir. It touches nothing on
// disk until written.
func NewIndex(dir string) *Index {
	return &Index{dir: dir, path: filepath.Join(dir, IndexFile)}
}

// Path returns the index file's path.
func (ix *Index) Path() string { return ix.path }

// Dir returns the config dir.
func (ix *Index) Dir() string { return ix.dir }

// List returns every credential sorted by name: one read and one decode of
// the file, no lock. A missing file is an empty list.
func (ix *Index) List() ([]Credential, error) {
	doc, _, err := ix.read()
	if err != nil {
		return nil, err
	}
	return doc.Credentials, nil
}

// Get returns the credential called name, or an error wrapping
// ErrNotFound.
func (ix *Index) Get(name string) (Credential, error) {
	doc, _, err := ix.read()
	if err != nil {
		return Credential{}, err
	}
	if i, ok := doc.find(name); ok {
		return doc.Credentials[i], nil
	}
	return Credential{}, notFound(name)
}

// Kind returns the secret store kind the index records, "" when none. It
// reads only the head of the file.
func (ix *Index) Kind() (Kind, error) {
	h, err := ix.peek()
	return h.kind, err
}

// Update runs fn on the index under the exclusive cross-process lock and
// writes the result atomically (temp file next to it, fsync, rename; mode
// 0600) when fn returns nil and changed something. fn may also commit
// midway with Tx.Commit; what it committed stays committed whatever fn
// returns. If fn returns an error before any commit, the file is
// untouched.
//
// The wait for the lock ends with ctx's error when ctx is done. Before fn
// runs, Update makes sure the file can be written (the directory takes a
// new file and the file is not read-only), so fn does not write a secret
// for a reason known upfront.
func (ix *Index) Update(ctx context.Context, fn func(tx *Tx) error) error {
	return ix.locked(ctx, true, fn)
}

// View runs fn on the index under the lock, so that no write is in flight
// meanwhile, and writes nothing (Tx.Commit fails). A config dir that does
// not exist is not created: fn sees an empty index.
func (ix *Index) View(ctx context.Context, fn func(tx *Tx) error) error {
	if _, err := os.Stat(ix.dir); errors.Is(err, os.ErrNotExist) {
		return fn(&Tx{doc: newIndexDoc(), ix: ix, ctx: ctx, readOnly: true})
	}
	return ix.locked(ctx, false, fn)
}

// locked runs fn under the lock; write says whether it may write.
func (ix *Index) locked(ctx context.Context, write bool, fn func(tx *Tx) error) error {
	if err := ensureDir(ix.dir); err != nil {
		return err
	}
	unlock, err := lockFile(ctx, ix.path+lockSuffix, lockOptions{timeout: ix.LockTimeout, waiting: ix.Waiting})
	if err != nil {
		return err
	}
	defer unlock()

	doc, fi, err := ix.read()
	if err != nil {
		return err
	}
	tx := &Tx{doc: doc, ix: ix, ctx: ctx, readOnly: !write}
	if !write {
		return fn(tx)
	}
	if fi != nil && fi.Mode().Perm()&0o200 == 0 {
		return readOnlyError(ix.path)
	}
	pf, err := newPendingFile(ix.path)
	if err != nil {
		return fileError("write", ix.path, err)
	}
	_ = pf.Cleanup()

	if doc.version < indexVersion && fi != nil {
		doc.convert()
		tx.dirty = true
	}
	if err := fn(tx); err != nil {
		return err
	}
	if !tx.dirty {
		return nil
	}
	return tx.Commit()
}

// replace writes data as the index file atomically: a temp file in the
// same directory (never $TMPDIR), fsync, rename; mode 0600.
func (ix *Index) replace(data []byte) error {
	if ix.failWrite != nil {
		if err := ix.failWrite(); err != nil {
			return fileError("write", ix.path, err)
		}
	}
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

// read reads and decodes the index; a missing file is an empty document
// and a nil FileInfo.
func (ix *Index) read() (*indexDoc, os.FileInfo, error) {
	if err := CheckDir(ix.dir); err != nil {
		return nil, nil, err
	}
	data, fi, err := readTrusted(ix.path, MaxIndexSize)
	if errors.Is(err, os.ErrNotExist) {
		return newIndexDoc(), nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	doc, err := decodeIndex(ix.path, data)
	if err != nil {
		return nil, nil, err
	}
	return doc, fi, nil
}

// notFound is the error for a credential that does not exist.
func notFound(name string) error {
	return fmt.Errorf("credential %q: %w", name, ErrNotFound)
}

// newDirID returns a random config dir ID.
func newDirID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
