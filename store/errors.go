package store

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"syscall"
)

// More errors of the store, beside those in api.go.
var (
	// ErrListUnsupported: the secret store cannot enumerate its items on
	// this platform (the keychain outside Linux), so orphan secrets cannot
	// be found.
	ErrListUnsupported = errors.New("listing secrets is not supported here")
	// ErrCleanup: the operation itself succeeded (the index is committed),
	// but removing a now-unused secret or cached token failed. What is left
	// is an orphan that Store.Orphans finds.
	ErrCleanup = errors.New("cleanup incomplete")
	// ErrNewerVersion: a file was written by a newer credwiz with a schema
	// this version does not know; it is neither read nor overwritten.
	ErrNewerVersion = errors.New("written by a newer credwiz")
)

// CorruptError reports a store file that does not parse. Such a file is
// never overwritten: every read and update returns this error until the
// operator fixes or moves the file.
type CorruptError struct {
	// Path is the file's path.
	Path string
	// Line is the 1-based line of the problem; 0 when not known.
	Line int
	// Err is the parse error. It never holds a secret value.
	Err error
}

// Error says which file is damaged, where, and what to do.
func (e *CorruptError) Error() string {
	what := "is not valid JSON"
	fix := "fix or move it"
	if filepath.Ext(e.Path) == ".age" {
		what = "is damaged"
		fix = "restore it from a backup or move it away"
	}
	line := ""
	if e.Line > 0 {
		line = fmt.Sprintf(" (line %d)", e.Line)
	}
	return fmt.Sprintf("%s at %s %s%s: %v: %s; credwiz will not overwrite it",
		filepath.Base(e.Path), e.Path, what, line, e.Err, fix)
}

// Unwrap returns the parse error.
func (e *CorruptError) Unwrap() error { return e.Err }

// fileError turns an I/O error on path into one line that names the path
// and says what to do. op is "read", "write" or "lock".
func fileError(op, path string, err error) error {
	dir := filepath.Dir(path)
	var errno syscall.Errno
	switch {
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("cannot %s %s: permission denied: make it and its directory %s readable and writable by your user (chmod 700 %s; chmod 600 %s) or choose another directory with --config-dir: %w",
			op, path, dir, dir, path, err)
	case errors.As(err, &errno) && errno == syscall.ENOTDIR:
		return fmt.Errorf("cannot %s %s: a parent of %s is not a directory: move that file away or choose another directory with --config-dir: %w",
			op, path, dir, err)
	case errors.As(err, &errno) && errno == syscall.EISDIR:
		return fmt.Errorf("cannot %s %s: it is a directory: move it away: %w", op, path, err)
	case errors.As(err, &errno) && errno == syscall.EROFS:
		return fmt.Errorf("cannot %s %s: the file system is read-only: choose another directory with --config-dir: %w", op, path, err)
	case errors.As(err, &errno) && errno == syscall.ENOSPC:
		return fmt.Errorf("cannot %s %s: no space left on the device: free some space and retry: %w", op, path, err)
	}
	return fmt.Errorf("cannot %s %s: %w", op, path, err)
}

// readOnlyError reports a file whose owner-write bit is off: credwiz treats
// that as the operator's wish not to change it (even as root).
func readOnlyError(path string) error {
	return fmt.Errorf("cannot write %s: the file is read-only: make it writable (chmod 600 %s) to let credwiz change it: %w",
		path, path, fs.ErrPermission)
}
