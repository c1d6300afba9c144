//go:build !linux

package testenv

import (
	"errors"
	"testing"
)

// There is no private Secret Service on this system: it is gnome-keyring
// on a D-Bus bus of its own, which needs Linux.

// errNoKeyring says why there is no private Secret Service here.
var errNoKeyring = errors.New("a private Secret Service needs Linux (gnome-keyring on D-Bus)")

// NewKeyring returns an error: no private Secret Service here.
func NewKeyring() (*Keyring, error) { return nil, errNoKeyring }

// StartKeyring skips t loudly (Require): no private Secret Service here.
func StartKeyring(t testing.TB) *Keyring {
	t.Helper()
	Require(t, "KEYCHAIN", errNoKeyring, keyringFix)
	return nil
}

// Stop closes the keyring's connection.
func (k *Keyring) Stop() { k.closeConn() }
