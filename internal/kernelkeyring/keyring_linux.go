//go:build linux

package kernelkeyring

import (
	"errors"
	"fmt"
	"math"
	"time"

	"golang.org/x/sys/unix"
)

// keyType is the kernel key type credwiz uses: an opaque payload readable
// by its possessor.
const keyType = "user"

// maxPayload is the largest payload Read accepts (the kernel's limit for a
// user key is 32 KiB).
const maxPayload = 32 << 10

// Put stores payload under description in the session keyring (see
// sessionRing), replacing a key of the same description there, and makes
// the kernel forget it after ttl (rounded up to a whole second). It
// returns the key's serial number.
func Put(description string, payload []byte, ttl time.Duration) (int, error) {
	if ttl <= 0 {
		return 0, fmt.Errorf("add key %q: the timeout must be positive", description)
	}
	ring, err := sessionRing()
	if err != nil {
		return 0, err
	}
	id, err := unix.AddKey(keyType, description, payload, ring)
	if err != nil {
		return 0, keyError("add key", description, err)
	}
	secs := int(math.Ceil(ttl.Seconds()))
	if _, err := unix.KeyctlInt(unix.KEYCTL_SET_TIMEOUT, id, secs, 0, 0); err != nil {
		_, _ = unix.KeyctlInt(unix.KEYCTL_INVALIDATE, id, 0, 0, 0)
		return 0, keyError("set the timeout of key", description, err)
	}
	return id, nil
}

// Get returns the payload of the key of description in the session
// keyring, or an error wrapping ErrNotFound when there is none (never
// added, expired, revoked).
func Get(description string) ([]byte, error) {
	id, err := find(description)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, 512)
	for {
		n, err := unix.KeyctlBuffer(unix.KEYCTL_READ, id, buf, 0)
		if err != nil {
			return nil, keyError("read key", description, err)
		}
		if n <= len(buf) {
			return buf[:n], nil
		}
		if n > maxPayload {
			return nil, fmt.Errorf("read key %q: its payload is %d bytes, more than %d", description, n, maxPayload)
		}
		clear(buf)
		buf = make([]byte, n)
	}
}

// Remaining returns how long the key of description has left before the
// kernel forgets it, read from /proc/keys; ok is false when that is not
// known (no /proc/keys entry visible, or the key never expires).
func Remaining(description string) (d time.Duration, ok bool, err error) {
	id, err := find(description)
	if err != nil {
		return 0, false, err
	}
	d, ok = procKeysTimeout(id)
	return d, ok, nil
}

// Remove invalidates the key of description, so that no process can read
// it any more. An absent key is an error wrapping ErrNotFound.
func Remove(description string) error {
	id, err := find(description)
	if err != nil {
		return err
	}
	if _, err := unix.KeyctlInt(unix.KEYCTL_INVALIDATE, id, 0, 0, 0); err != nil {
		if errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.EINVAL) {
			// Kernels before 3.5 have no invalidate: revoke instead.
			_, err = unix.KeyctlInt(unix.KEYCTL_REVOKE, id, 0, 0, 0)
		}
		if err != nil {
			return keyError("remove key", description, err)
		}
	}
	return nil
}

// Available reports whether the session keyring can be used: nil, or an
// error wrapping ErrUnsupported that says why.
func Available() error {
	_, err := sessionRing()
	return err
}

// sessionRing returns the serial number of the process's session
// keyring, without creating one: where the login set none up (no
// pam_keyinit: a container, a plain su), the kernel answers with the
// user's session keyring, which every process of the user without a
// session keyring shares. Adding to KEY_SPEC_SESSION_KEYRING itself would
// create a new session keyring for this process alone, which dies with
// it.
func sessionRing() (int, error) {
	id, err := unix.KeyctlGetKeyringID(unix.KEY_SPEC_SESSION_KEYRING, false)
	if err != nil {
		return 0, keyError("find the session keyring", "", err)
	}
	return id, nil
}

// find searches the session keyring (and the keyrings it links to) for a
// user key of description.
func find(description string) (int, error) {
	id, err := unix.KeyctlSearch(unix.KEY_SPEC_SESSION_KEYRING, keyType, description, 0)
	if err != nil {
		return 0, keyError("find key", description, err)
	}
	return id, nil
}

// keyError maps keyctl's errors: a key that is not there, has expired or
// was revoked is ErrNotFound; a system call that is missing or denied is
// ErrUnsupported.
func keyError(op, description string, err error) error {
	what := op
	if description != "" {
		what = fmt.Sprintf("%s %q", op, description)
	}
	switch {
	case errors.Is(err, unix.ENOKEY), errors.Is(err, unix.EKEYEXPIRED), errors.Is(err, unix.EKEYREVOKED):
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	case errors.Is(err, unix.ENOSYS), errors.Is(err, unix.EPERM):
		return fmt.Errorf("%s: %w (%v; a container's seccomp profile may deny the keyctl system calls)", what, ErrUnsupported, err)
	case errors.Is(err, unix.EDQUOT):
		return fmt.Errorf("%s: the kernel keyring quota of this user is full (%v): remove keys with keyctl, or raise /proc/sys/kernel/keys/maxbytes", what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}
