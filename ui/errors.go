package ui

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/credwiz/credwiz/store"
)

// ErrCancelled is returned when the operator cancels (Esc, Ctrl-C); the
// process exits 130.
var ErrCancelled = errors.New("cancelled")

// ErrSilent is returned by a command that has already told the operator
// everything (e.g. test printed every failure): exit 1, print nothing more.
var ErrSilent = errors.New("failed")

// UsageError is a problem with the command line or its input: a bad flag,
// a missing or invalid field. The process exits 2.
type UsageError struct {
	Err error
	// NamesHelp is set when Err already says which --help to read; else
	// the command's is named after it.
	NamesHelp bool
}

// Error implements error.
func (e *UsageError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *UsageError) Unwrap() error { return e.Err }

// usagef returns a *UsageError with a formatted message.
func usagef(format string, a ...any) error {
	return &UsageError{Err: fmt.Errorf(format, a...)}
}

// ExitStatus is an exit code other than credwiz's own: the program credwiz
// exec ran ended with Code, or could not be run (127: not found, 126: not
// executable, as shells say). Err, when set, is printed; the program's own
// exit needs no message.
type ExitStatus struct {
	Code int
	Err  error
}

// Error implements error.
func (e *ExitStatus) Error() string {
	if e.Err != nil {
		return e.Err.Error()
	}
	return fmt.Sprintf("exit status %d", e.Code)
}

// Unwrap returns Err.
func (e *ExitStatus) Unwrap() error { return e.Err }

// usageHelpf returns a *UsageError with a formatted message that names
// the --help to read.
func usageHelpf(format string, a ...any) error {
	return &UsageError{Err: fmt.Errorf(format, a...), NamesHelp: true}
}

// ExitCode maps an error returned by a command to the process exit code:
// 0 success, 1 failure, 2 usage error, 130 cancelled, or the exit code of
// the program credwiz exec ran. store.ErrNoPassphrase is missing or
// invalid input, 2: creating the encrypted file store with no terminal and
// no CREDWIZ_PASSPHRASE, or CREDWIZ_PASSPHRASE set but empty wherever it
// is read (test reports that per credential, and exits 1 as for any failed
// test). A store that exists and is locked, with CREDWIZ_PASSPHRASE unset,
// is a store that does not answer, 1, as a locked keychain is: test --all
// in cron reports it as a failure, not as a mistake in its command line.
func ExitCode(err error) int {
	var ue *UsageError
	var es *ExitStatus
	switch {
	case err == nil:
		return 0
	case errors.As(err, &es):
		return es.Code
	case errors.Is(err, ErrCancelled), errors.Is(err, context.Canceled):
		return 130
	case errors.As(err, &ue), errors.Is(err, store.ErrNoPassphrase):
		return 2
	}
	return 1
}

// about says which credential err is about: "VERB "NAME": err", unless
// err names the credential itself (the store's write errors say
// "save "NAME": nothing was saved: …"), which would say it twice.
func about(verb, name string, err error) error {
	if strings.Contains(err.Error(), strconv.Quote(name)) {
		return err
	}
	return fmt.Errorf("%s %q: %w", verb, name, err)
}
