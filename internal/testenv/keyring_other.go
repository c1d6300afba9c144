//go:build !linux

package testenv

import (
	"errors"
	"testing"
)

// Keyring is a private Secret Service; there is none on this system (it
// is gnome-keyring on a D-Bus bus of its own, which needs Linux).
type Keyring struct {
	// Addr is its DBUS_SESSION_BUS_ADDRESS.
	Addr string
}

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

// Stop does nothing.
func (k *Keyring) Stop() {}
