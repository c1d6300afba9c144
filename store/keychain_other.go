//go:build !linux

package store

import (
	"fmt"
	"runtime"
)

// keychainHint says how to get a working keychain on this OS.
const keychainHint = "unlock your login keychain, or use --store file"

// Names is not supported outside Linux: it returns an error wrapping
// ErrListUnsupported, so orphan secrets cannot be found there.
func (k *Keychain) Names() ([]string, error) {
	return nil, fmt.Errorf("keychain service %q on %s: %w", k.service, runtime.GOOS, ErrListUnsupported)
}
