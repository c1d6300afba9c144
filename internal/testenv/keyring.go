package testenv

import "sync"

// Keyring is a Secret Service the harness reads and writes over D-Bus:
// usually a private one (gnome-keyring, unlocked, on a D-Bus bus of its
// own, from StartKeyring, SharedKeyring or NewKeyring), so that a test's
// items (and its doctor --fix) never meet another test's or the
// developer's.
type Keyring struct {
	// Addr is its DBUS_SESSION_BUS_ADDRESS.
	Addr string

	// pid is the bus daemon's, home the daemons' files and log their
	// output, for a keyring the harness started.
	pid  int
	home string
	log  string

	connMu sync.Mutex
	conn   *ssConn
}

// KeyringAt returns a client of the Secret Service on the D-Bus address
// addr, started by someone else (Stop only closes its connection).
func KeyringAt(addr string) *Keyring { return &Keyring{Addr: addr} }

// closeConn closes the keyring's D-Bus connection, if open.
func (k *Keyring) closeConn() {
	k.connMu.Lock()
	defer k.connMu.Unlock()
	if k.conn != nil {
		k.conn.close()
		k.conn = nil
	}
}
