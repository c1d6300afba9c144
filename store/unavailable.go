package store

import "fmt"

// toFile says how to keep secrets in the encrypted file instead.
const toFile = "keep the secrets in the encrypted file instead (credwiz migrate --to file; before the first save, --store file)"

// Reason says why the keychain did not answer.
type Reason int

// The reasons a keychain is unavailable.
const (
	// ReasonOther: any other failure of the keychain.
	ReasonOther Reason = iota
	// ReasonNoBus: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS unset,
	// or nothing listens there): an SSH session, cron, a container.
	ReasonNoBus
	// ReasonNoService: the bus answers, but no Secret Service runs on it.
	ReasonNoService
	// ReasonLocked: the keychain is locked and could not be unlocked.
	ReasonLocked
	// ReasonTimeout: no answer within the timeout (a prompt waiting, or a
	// hung daemon).
	ReasonTimeout
)

// UnavailableError reports a keychain that did not answer, why, and what
// to do. It wraps ErrUnavailable.
type UnavailableError struct {
	// Op is what was being done ("keychain read of \"prod-db\"").
	Op string
	// Reason is why.
	Reason Reason
	// Detail is the underlying failure, never a secret.
	Detail string
}

// Error says what failed, why and what to do, in one line.
func (e *UnavailableError) Error() string {
	op := e.Op
	if op == "" {
		op = "keychain"
	}
	return fmt.Sprintf("%s: %v: %s: %s", op, ErrUnavailable, e.Why(), e.Hint())
}

// Why says, in words, why the keychain did not answer.
func (e *UnavailableError) Why() string {
	switch e.Reason {
	case ReasonNoBus:
		return "no D-Bus session bus (" + e.Detail + ")"
	case ReasonNoService:
		return "no Secret Service runs on the D-Bus session bus (" + e.Detail + ")"
	case ReasonLocked:
		return "the keychain is locked (" + e.Detail + ")"
	}
	return e.Detail
}

// Hint returns the next step for the reason.
func (e *UnavailableError) Hint() string {
	switch e.Reason {
	case ReasonNoBus:
		return "run credwiz inside a desktop session (or start one: dbus-run-session), or " + toFile
	case ReasonNoService:
		return "start a Secret Service (gnome-keyring-daemon --start --components=secrets, or KeePassXC with its Secret Service integration), or " + toFile
	case ReasonLocked:
		return "unlock the keychain (log in to the desktop session, or use a keyring manager such as seahorse), or " + toFile
	case ReasonTimeout:
		return "unlock or restart the keychain daemon (on Linux the Secret Service, e.g. gnome-keyring), or " + toFile
	}
	return keychainHint
}

// Unwrap returns ErrUnavailable.
func (e *UnavailableError) Unwrap() error { return ErrUnavailable }
