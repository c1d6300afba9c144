// Package kernelkeyring keeps short-lived secrets in the Linux kernel
// keyring: a "user" key in the session keyring, with a timeout after which
// the kernel forgets it. Nothing is written to disk, and only processes
// that possess the session keyring can read the key: the login session's
// processes, or, where the login set up no session keyring (no
// pam_keyinit: containers, su), every process of the user that has none
// of its own (the user's session keyring).
//
// credwiz's encrypted file store keeps its decrypted identity there
// between `credwiz unlock` and `credwiz lock` (or the timeout). Outside
// Linux every call returns an error wrapping ErrUnsupported.
package kernelkeyring

import "errors"

// Errors of the package; use errors.Is.
var (
	// ErrNotFound: no key of that description, or it expired or was revoked.
	ErrNotFound = errors.New("no such key in the session keyring")
	// ErrUnsupported: the system has no kernel keyring credwiz can use
	// (not Linux, or the keyctl system calls are blocked, as in containers
	// whose seccomp profile denies them).
	ErrUnsupported = errors.New("the kernel keyring is not available")
)
