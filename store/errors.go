package store

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"syscall"
)

// Errors of the store. Wrapped errors carry the detail; use errors.Is.
var (
	// ErrNotFound: no credential (or secret) of that name.
	ErrNotFound = errors.New("not found")
	// ErrExists: a credential of that name exists and replacing was not asked for.
	ErrExists = errors.New("already exists")
	// ErrUnavailable: the secret store did not answer (keychain absent,
	// locked or hanging past its timeout).
	ErrUnavailable = errors.New("secret store unavailable")
	// ErrWrongPassphrase: the encrypted file's passphrase does not open it.
	ErrWrongPassphrase = errors.New("wrong passphrase")
	// ErrInvalidName: a credential name outside the allowed form.
	ErrInvalidName = errors.New("invalid credential name")
	// ErrStoreMismatch: the requested store differs from the one the index records.
	ErrStoreMismatch = errors.New("secret store differs from the recorded one")
	// ErrListUnsupported: the secret store cannot enumerate its items on
	// this platform (the keychain outside Linux), so orphan items cannot
	// be found.
	ErrListUnsupported = errors.New("listing secrets is not supported here")
	// ErrCleanup: the change itself is committed, but a step after the
	// commit point (overwriting the canonical item, removing an old one)
	// failed. What is left, credwiz doctor --fix finishes or removes.
	ErrCleanup = errors.New("cleanup incomplete")
	// ErrNewerVersion: a file was written by a newer credwiz with a schema
	// this version does not know; it is neither read nor overwritten.
	ErrNewerVersion = errors.New("written by a newer credwiz")
	// ErrConflict: another credwiz changed or deleted the credential
	// while this command worked on it; nothing was saved.
	ErrConflict = errors.New("changed by another credwiz")
	// ErrUntrusted: a file or directory credwiz reads could have been
	// changed by someone else (owner, mode) or is not a regular file.
	ErrUntrusted = errors.New("untrusted file")
	// ErrForeignItem: a secret-store item belongs to another config dir,
	// or to another revision than the index records.
	ErrForeignItem = errors.New("secret item of another owner")
	// ErrTooBig: a value exceeds what the secret store can hold.
	ErrTooBig = errors.New("too large for the secret store")
	// ErrNoPassphrase: the encrypted file store needs a passphrase and has
	// none (CREDWIZ_PASSPHRASE unset or empty, nobody to ask).
	ErrNoPassphrase = errors.New("no passphrase")
	// ErrTampered: what a command was given to send a secret with (a
	// credential's settings as a cache lists them) is not what the
	// credential's own record holds, and no write of credwiz explains it:
	// nothing is sent.
	ErrTampered = errors.New("settings differ from the credential's own record")
)

// noPassphrase is an error of its own text that wraps ErrNoPassphrase.
type noPassphrase string

func (e noPassphrase) Error() string { return string(e) }

func (e noPassphrase) Unwrap() error { return ErrNoPassphrase }

// Hinter is implemented by errors that know the operator's next step.
type Hinter interface {
	// Hint returns the next step, one sentence.
	Hint() string
}

// ConflictError reports a write refused, or a read of a secret given up,
// because the credential changed (or went) since the command read it.
// Nothing was saved.
type ConflictError struct {
	// Name is the credential.
	Name string
	// Deleted is set when the credential no longer exists.
	Deleted bool
	// Read is set when the command only read the credential (its
	// secret): there was nothing to save.
	Read bool
}

// Error says what happened and what to do.
func (e *ConflictError) Error() string {
	what, when := "changed", "while this command ran; nothing was saved"
	if e.Deleted {
		what = "deleted"
	}
	if e.Read {
		when = "while this command read it"
	}
	return fmt.Sprintf("%s was %s by another credwiz %s; %s", e.Name, what, when, e.Hint())
}

// Unwrap returns ErrConflict.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// Hint returns the next step.
func (e *ConflictError) Hint() string { return "run the command again" }

// TamperedError reports a credential whose settings, as a cache listed
// them (the Vault store's index), differ from those its own entry holds at
// a version that certifies them: someone changed the cache outside
// credwiz. Its secret is not given out with those settings.
type TamperedError struct {
	// Name is the credential.
	Name string
	// What names the values that differ ("base_url", "the connector").
	What []string
	// Cache names the cache ("the index secret/credwiz/@index").
	Cache string
}

// Error says what differs, that nothing was sent, and what to do.
func (e *TamperedError) Error() string {
	return fmt.Sprintf("the settings of %s listed by %s (%s) differ from those its own entry holds, which no credwiz write does: someone changed the index outside credwiz, so the secret was not used with them: %s",
		e.Name, e.Cache, strings.Join(e.What, ", "), e.Hint())
}

// Unwrap returns ErrTampered.
func (e *TamperedError) Unwrap() error { return ErrTampered }

// Hint returns the next step.
func (e *TamperedError) Hint() string {
	return "run credwiz doctor --fix to rebuild the index from the entries, and check who may write it"
}

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
	line := ""
	if e.Line > 0 {
		line = fmt.Sprintf(" (line %d)", e.Line)
	}
	return fmt.Sprintf("%s is damaged%s: %v: %s; credwiz will not overwrite it",
		e.Path, line, e.Err, e.Hint())
}

// Hint returns the next step.
func (e *CorruptError) Hint() string {
	if filepath.Ext(e.Path) == ".json" {
		return "fix or move it"
	}
	return "restore it from a backup or move it away"
}

// Unwrap returns the parse error.
func (e *CorruptError) Unwrap() error { return e.Err }

// UntrustedError reports a path credwiz refuses to use, with the command
// that fixes it.
type UntrustedError struct {
	// Path is the file or directory.
	Path string
	// Problem says what is wrong ("is writable by group or others (mode 0666)").
	Problem string
	// Fix is the command or step that fixes it ("chmod 600 PATH").
	Fix string
}

// Error names the path, the problem and the fix, in one line.
func (e *UntrustedError) Error() string {
	return fmt.Sprintf("credwiz will not use %s: it %s: %s", e.Path, e.Problem, e.Fix)
}

// Unwrap returns ErrUntrusted.
func (e *UntrustedError) Unwrap() error { return ErrUntrusted }

// Hint returns the fix.
func (e *UntrustedError) Hint() string { return e.Fix }

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
