package ui

import (
	"context"
	"errors"
	"fmt"
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

// usageHelpf returns a *UsageError with a formatted message that names
// the --help to read.
func usageHelpf(format string, a ...any) error {
	return &UsageError{Err: fmt.Errorf(format, a...), NamesHelp: true}
}

// ExitCode maps an error returned by a command to the process exit code:
// 0 success, 1 failure, 2 usage error, 130 cancelled.
func ExitCode(err error) int {
	var ue *UsageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, ErrCancelled), errors.Is(err, context.Canceled):
		return 130
	case errors.As(err, &ue):
		return 2
	}
	return 1
}
