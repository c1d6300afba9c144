package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/go-json-experiment/json/jsontext"
)

// dirPlace says where a config dir is: the index records it with the
// config dir's ID, so that a copy of the directory (a backup restored
// beside it, a trial copy), which keeps the ID and so claims the
// original's keychain items, knows it is not the original.
type dirPlace struct {
	// Path is the directory's absolute path, symbolic links resolved.
	Path string `json:"path"`
	// Inode is its inode number (0 where unknown): a directory renamed
	// or reached by another path (a bind mount) keeps it, a copy does
	// not.
	Inode uint64 `json:"inode,omitempty"`
	// Device is the number of the file system the directory is on (0
	// where unknown, and in places recorded before it was): inode
	// numbers repeat across file systems (every fresh tmpfs's root
	// directory is inode 2), so an inode says "same directory" only on
	// the same device.
	Device uint64 `json:"device,omitempty"`
	// Unknown holds members this version does not know, verbatim.
	Unknown jsontext.Value `json:",embed"`
}

// placeOf returns where dir is. A part it cannot learn is left empty.
func placeOf(dir string) dirPlace {
	p := dirPlace{Path: dir}
	if abs, err := filepath.Abs(dir); err == nil {
		p.Path = abs
	}
	if real, err := filepath.EvalSymlinks(p.Path); err == nil {
		p.Path = real
	}
	if fi, err := os.Stat(p.Path); err == nil {
		p.Inode, p.Device = inodeOf(fi), deviceOf(fi)
	}
	return p
}

// samePlace reports whether a directory recorded at rec is the one now at
// cur: the same path, or the same inode on the same device (renamed, or
// reached by another path).
func samePlace(rec, cur dirPlace) bool {
	if rec.Path == cur.Path {
		return true
	}
	return rec.Inode != 0 && rec.Inode == cur.Inode && (rec.Device == 0 || rec.Device == cur.Device)
}

// ErrMoved: the config dir is not where its index says it was created (a
// copy, or a move the operator has not confirmed).
var ErrMoved = errors.New("config dir moved or copied")

// MovedError reports a config dir found elsewhere than where its ID was
// given: a copy shares the original's ID, and so its keychain items.
type MovedError struct {
	// Was is where the index says the config dir was; Now where it is.
	Was, Now string
}

// Error says what happened and what to do.
func (e *MovedError) Error() string {
	return fmt.Sprintf("this config dir was created at %s but is now at %s, and a copy of a config dir shares the keychain items of the original, so credwiz does not write them from here: %s",
		e.Was, e.Now, e.Hint())
}

// Unwrap returns ErrMoved.
func (e *MovedError) Unwrap() error { return ErrMoved }

// Hint returns the next step.
func (e *MovedError) Hint() string {
	return "if it was moved, run credwiz doctor --fix --moved to record its new place; if it is a copy, use the original, or start a new config dir (--config-dir) and add its credentials there"
}

// moved returns a *MovedError when the config dir of tx is not where its
// index recorded it, nil when it is (or when nothing is recorded).
func (tx *Tx) moved() *MovedError {
	rec := tx.doc.Dir
	if rec == nil || tx.doc.ID == "" {
		return nil
	}
	cur := placeOf(tx.ix.dir)
	if samePlace(*rec, cur) {
		return nil
	}
	return &MovedError{Was: rec.Path, Now: cur.Path}
}

// recordPlace records where the config dir is now.
func (tx *Tx) recordPlace() {
	p := placeOf(tx.ix.dir)
	if rec := tx.doc.Dir; rec != nil {
		if rec.Path == p.Path && rec.Inode == p.Inode && rec.Device == p.Device {
			return
		}
		p.Unknown = rec.Unknown
	}
	tx.doc.Dir = &p
	tx.dirty = true
}

// sharesItems reports whether this store's items live outside the config
// dir under its ID (the OS keychain, memory), so that a copy of the config
// dir would claim them; the encrypted file store's items move with it,
// and the Vault store keeps only cached tokens.
func (s *Store) sharesItems() bool {
	return s.remote == nil && s.Kind != KindFile
}

// checkPlace refuses a write of a store whose items a copy would share
// (see sharesItems), or into keychain (when writesKeychain), from a config
// dir that is not where its ID was given, until the operator confirms a
// move (ConfirmMove).
func (s *Store) checkPlace(tx *Tx, writesKeychain bool) error {
	if !s.sharesItems() && !writesKeychain {
		return nil
	}
	if m := tx.moved(); m != nil {
		return m
	}
	return nil
}

// MovedFrom returns where the index says the config dir was created when
// it is now elsewhere (a copy, or a move not yet confirmed), "" when it is
// where it was.
func (ix *Index) MovedFrom(ctx context.Context) (string, error) {
	was := ""
	err := ix.View(ctx, func(tx *Tx) error {
		if m := tx.moved(); m != nil {
			was = m.Was
		}
		return nil
	})
	return was, err
}

// ConfirmMove records that the config dir was moved (not copied) to where
// it is now: its items are its own again, for writes and for doctor. It
// returns where the index said it was ("" when it was already here). It
// refuses (ErrMoved) while the original place still holds an index of
// the same ID: that is a copy.
func (ix *Index) ConfirmMove(ctx context.Context) (string, error) {
	was := ""
	err := ix.Update(ctx, func(tx *Tx) error {
		if tx.ID() == "" {
			return nil
		}
		if m := tx.moved(); m != nil {
			if h, err := NewIndex(m.Was).peek(); err == nil && h.id == tx.ID() {
				return fmt.Errorf("%w: the config dir at %s still exists and holds this config dir's ID, so this one is a copy, not a move: confirmed, either one's doctor --fix would delete the other's secrets. Use the original, or start a new config dir (--config-dir) and add the credentials there; if the original is no longer used, remove its %s first",
					ErrMoved, m.Was, IndexFile)
			}
			was = m.Was
		}
		tx.recordPlace()
		return nil
	})
	return was, err
}
