package testenv

import (
	"encoding/json"
	"fmt"
	"strconv"
	"testing"

	dbus "github.com/godbus/dbus/v5"
)

// The Secret Service's D-Bus names.
const (
	ssDest       = "org.freedesktop.secrets"
	ssPath       = dbus.ObjectPath("/org/freedesktop/secrets")
	ssLogin      = dbus.ObjectPath("/org/freedesktop/secrets/collection/login")
	ssService    = "org.freedesktop.Secret.Service"
	ssItem       = "org.freedesktop.Secret.Item"
	ssCollection = "org.freedesktop.Secret.Collection"
)

// The item attributes credwiz writes: go-keyring's two, which secret-tool
// looks up, and the owner.
const (
	attrService = "service"
	attrAccount = "username"
	attrDir     = "credwiz_dir"
	attrRev     = "credwiz_rev"
)

// ssSecret is the Secret Service's Secret struct.
type ssSecret struct {
	Session     dbus.ObjectPath
	Parameters  []byte
	Value       []byte
	ContentType string
}

// ssConn is a connection to one bus with a plain-text session open (the
// bus is private to the test).
type ssConn struct {
	conn    *dbus.Conn
	session dbus.ObjectPath
}

func dialSS(addr string) (*ssConn, error) {
	conn, err := dbus.Connect(addr)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", addr, err)
	}
	var out dbus.Variant
	var session dbus.ObjectPath
	err = conn.Object(ssDest, ssPath).Call(ssService+".OpenSession", 0, "plain", dbus.MakeVariant("")).Store(&out, &session)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("open a Secret Service session on %s: %w", addr, err)
	}
	return &ssConn{conn: conn, session: session}, nil
}

func (c *ssConn) close() { _ = c.conn.Close() }

// with runs f on the keyring's connection, dialling it on first use, and
// runs it once more (on a new connection) should the dial or f fail: the
// bus may have dropped the connection, or gnome-keyring may have died in
// the middle of the call (it aborts on a GLib assertion now and then, as
// store's ssCall says; CI saw it answer OpenSession with NoReply right
// after a test SIGKILLed credwiz). The bus then starts it again on the
// next call, with the same keyring file, so nothing it held is lost and
// the second attempt reads what the first one would have.
func (k *Keyring) with(f func(c *ssConn) error) error {
	k.connMu.Lock()
	defer k.connMu.Unlock()
	var err error
	for try := 0; try < 2; try++ {
		if k.conn == nil {
			if k.conn, err = dialSS(k.Addr); err != nil {
				continue
			}
		}
		if err = f(k.conn); err == nil {
			return nil
		}
		k.conn.close()
		k.conn = nil
	}
	return err
}

// Items returns every item of the given services (both of credwiz's when
// none is given), with owners and values, read over D-Bus.
func (k *Keyring) Items(t testing.TB, services ...string) Items {
	t.Helper()
	if len(services) == 0 {
		services = Services
	}
	var out Items
	err := k.with(func(c *ssConn) error {
		out = out[:0]
		for _, svc := range services {
			var unlocked, locked []dbus.ObjectPath
			if err := c.conn.Object(ssDest, ssPath).Call(ssService+".SearchItems", 0,
				map[string]string{attrService: svc}).Store(&unlocked, &locked); err != nil {
				return fmt.Errorf("search the items of service %s: %w", svc, err)
			}
			if len(locked) > 0 {
				return fmt.Errorf("%d items of service %s are locked", len(locked), svc)
			}
			for _, p := range unlocked {
				it, err := c.item(p)
				if err != nil {
					return err
				}
				if it.Service == svc {
					out = append(out, it)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("read the Secret Service at %s: %v", k.Addr, err)
	}
	sortItems(out)
	return out
}

// item reads one item's attributes and secret.
func (c *ssConn) item(p dbus.ObjectPath) (Item, error) {
	obj := c.conn.Object(ssDest, p)
	v, err := obj.GetProperty(ssItem + ".Attributes")
	if err != nil {
		return Item{}, fmt.Errorf("read the attributes of %s: %w", p, err)
	}
	attrs, ok := v.Value().(map[string]string)
	if !ok {
		return Item{}, fmt.Errorf("item %s has attributes of type %T", p, v.Value())
	}
	var s ssSecret
	if err := obj.Call(ssItem+".GetSecret", 0, c.session).Store(&s); err != nil {
		return Item{}, fmt.Errorf("read the secret of %s: %w", p, err)
	}
	it := Item{Service: attrs[attrService], Account: attrs[attrAccount], Raw: string(s.Value)}
	if rev, err := strconv.ParseInt(attrs[attrRev], 10, 64); err == nil && attrs[attrDir] != "" {
		it.Owner = Owner{Dir: attrs[attrDir], Rev: rev}
	}
	it.Values = decodeValues(it.Raw)
	return it, nil
}

// Put writes it into the keyring as credwiz would (owner attributes
// included), replacing any item of the same service and account: Values,
// JSON-encoded, unless Raw is set.
func (k *Keyring) Put(t testing.TB, it Item) {
	t.Helper()
	err := k.with(func(c *ssConn) error {
		if err := c.remove(it.Service, it.Account); err != nil {
			return err
		}
		return c.create(it)
	})
	if err != nil {
		t.Fatalf("write %s into the Secret Service at %s: %v", it.Key(), k.Addr, err)
	}
}

// Create writes items into the keyring like Put, without first looking
// for items of the same service and account: for seeding many items into
// a keyring that has none of them.
func (k *Keyring) Create(t testing.TB, items ...Item) {
	t.Helper()
	err := k.with(func(c *ssConn) error {
		for _, it := range items {
			if err := c.create(it); err != nil {
				return fmt.Errorf("write %s: %w", it.Key(), err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("write into the Secret Service at %s: %v", k.Addr, err)
	}
}

// create makes one item.
func (c *ssConn) create(it Item) error {
	raw := it.Raw
	if raw == "" {
		b, err := json.Marshal(it.Values)
		if err != nil {
			return err
		}
		raw = string(b)
	}
	attrs := map[string]string{attrService: it.Service, attrAccount: it.Account}
	if it.Owner != (Owner{}) {
		attrs[attrDir], attrs[attrRev] = it.Owner.Dir, strconv.FormatInt(it.Owner.Rev, 10)
	}
	props := map[string]dbus.Variant{
		ssItem + ".Label":      dbus.MakeVariant(fmt.Sprintf("credwiz: %s (%s)", it.Account, it.Service)),
		ssItem + ".Attributes": dbus.MakeVariant(attrs),
	}
	sec := ssSecret{Session: c.session, Value: []byte(raw), ContentType: "text/plain"}
	var item, prompt dbus.ObjectPath
	return c.conn.Object(ssDest, ssLogin).Call(ssCollection+".CreateItem", 0, props, sec, true).Store(&item, &prompt)
}

// Remove deletes every item of service and account (none is fine).
func (k *Keyring) Remove(t testing.TB, service, account string) {
	t.Helper()
	if err := k.with(func(c *ssConn) error { return c.remove(service, account) }); err != nil {
		t.Fatalf("delete %s/%s from the Secret Service at %s: %v", service, account, k.Addr, err)
	}
}

// Clear deletes the items of the given accounts in each of credwiz's
// services, for a test's cleanup: errors are ignored (a keyring that is
// gone holds nothing to clean).
func (k *Keyring) Clear(accounts ...string) {
	for _, a := range accounts {
		for _, svc := range Services {
			_ = k.with(func(c *ssConn) error { return c.remove(svc, a) })
		}
	}
}

// remove deletes the items of service and account.
func (c *ssConn) remove(service, account string) error {
	var unlocked, locked []dbus.ObjectPath
	if err := c.conn.Object(ssDest, ssPath).Call(ssService+".SearchItems", 0,
		map[string]string{attrService: service, attrAccount: account}).Store(&unlocked, &locked); err != nil {
		return err
	}
	for _, p := range append(unlocked, locked...) {
		var prompt dbus.ObjectPath
		if err := c.conn.Object(ssDest, p).Call(ssItem+".Delete", 0).Store(&prompt); err != nil {
			return err
		}
	}
	return nil
}

// Replace makes the keyring hold exactly items among the given services'
// items (both of credwiz's when none is given): it restores a snapshot
// taken with Items.
func (k *Keyring) Replace(t testing.TB, items Items, services ...string) {
	t.Helper()
	for _, it := range k.Items(t, services...) {
		k.Remove(t, it.Service, it.Account)
	}
	for _, it := range items {
		k.Put(t, it)
	}
}
