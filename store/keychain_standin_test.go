//go:build linux

package store

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	dbus "github.com/godbus/dbus/v5"
)

// A stand-in Secret Service, exported on the private bus of a test in
// place of gnome-keyring: just what the keychain backend calls, with the
// failures a test stages. The login collection holds items 1 and 2.
const (
	standInRoot    = dbus.ObjectPath("/org/freedesktop/secrets")
	standInColl    = dbus.ObjectPath("/org/freedesktop/secrets/collection/login")
	standInSession = dbus.ObjectPath("/org/freedesktop/secrets/session/s1")
)

// standIn counts the calls it gets and fails the ones a test asks for.
type standIn struct {
	searches, unlocks, attrReads atomic.Int32
	changes                      atomic.Int32 // Delete and CreateItem calls
	// failFirstSearch, when set, is the D-Bus error the first
	// SearchItems answers (NoReply: a crash; ChildExited: the service
	// being started died).
	failFirstSearch string
	// noSessionAtFirstCreate: the first CreateItem answers NoSession (a
	// service started again since the session was opened).
	noSessionAtFirstCreate bool
	creates                atomic.Int32
	// noReplyAtAttrRead: this attribute read (1-based) answers NoReply.
	noReplyAtAttrRead int32
	// slowSecondUnlock: the second Unlock takes this long (a restarted
	// daemon waiting on a password prompt).
	slowSecondUnlock time.Duration
}

type standInService struct{ s *standIn }

func (v standInService) OpenSession(string, dbus.Variant) (dbus.Variant, dbus.ObjectPath, *dbus.Error) {
	return dbus.MakeVariant(""), standInSession, nil
}

func (v standInService) Unlock(p []dbus.ObjectPath) ([]dbus.ObjectPath, dbus.ObjectPath, *dbus.Error) {
	if v.s.unlocks.Add(1) == 2 {
		time.Sleep(v.s.slowSecondUnlock)
	}
	return p, "/", nil
}

type standInRootProps struct{}

func (standInRootProps) Get(string, string) (dbus.Variant, *dbus.Error) {
	return dbus.MakeVariant([]dbus.ObjectPath{standInColl}), nil
}

type standInCollection struct{ s *standIn }

func (c standInCollection) SearchItems(map[string]string) ([]dbus.ObjectPath, *dbus.Error) {
	if c.s.searches.Add(1) == 1 && c.s.failFirstSearch != "" {
		return nil, &dbus.Error{Name: c.s.failFirstSearch, Body: []any{"staged crash"}}
	}
	return []dbus.ObjectPath{standInColl + "/1", standInColl + "/2"}, nil
}

func (c standInCollection) CreateItem(map[string]dbus.Variant, struct {
	Session     dbus.ObjectPath
	Parameters  []byte
	Value       []byte
	ContentType string
}, bool) (dbus.ObjectPath, dbus.ObjectPath, *dbus.Error) {
	if c.s.creates.Add(1) == 1 && c.s.noSessionAtFirstCreate {
		return "/", "/", &dbus.Error{Name: noSession, Body: []any{"The session wrapping the secret does not exist"}}
	}
	c.s.changes.Add(1)
	return standInColl + "/3", "/", nil
}

type standInItem struct {
	s       *standIn
	account string
}

func (i standInItem) Get(string, string) (dbus.Variant, *dbus.Error) {
	if i.s.attrReads.Add(1) == i.s.noReplyAtAttrRead {
		return dbus.Variant{}, &dbus.Error{Name: noReply, Body: []any{"staged crash"}}
	}
	return dbus.MakeVariant(map[string]string{attrService: "svc", attrAccount: i.account, attrDir: "d", attrRev: "1"}), nil
}

func (i standInItem) Delete() (dbus.ObjectPath, *dbus.Error) {
	i.s.changes.Add(1)
	return "/", nil
}

type standInSessionObj struct{}

func (standInSessionObj) Close() *dbus.Error { return nil }

// startStandIn puts s in place of the Secret Service of t's private bus,
// until the connection it returns is closed (at the latest when t ends).
func startStandIn(t *testing.T, s *standIn) *dbus.Conn {
	t.Helper()
	conn := takeSecretServiceName(t)
	for _, e := range []struct {
		v     any
		path  dbus.ObjectPath
		iface string
	}{
		{standInService{s}, standInRoot, "org.freedesktop.Secret.Service"},
		{standInRootProps{}, standInRoot, "org.freedesktop.DBus.Properties"},
		{standInCollection{s}, standInColl, "org.freedesktop.Secret.Collection"},
		{standInItem{s, "a"}, standInColl + "/1", "org.freedesktop.DBus.Properties"},
		{standInItem{s, "b"}, standInColl + "/2", "org.freedesktop.DBus.Properties"},
		{standInItem{s, "a"}, standInColl + "/1", "org.freedesktop.Secret.Item"},
		{standInItem{s, "b"}, standInColl + "/2", "org.freedesktop.Secret.Item"},
		{standInSessionObj{}, standInSession, "org.freedesktop.Secret.Session"},
	} {
		if err := conn.Export(e.v, e.path, e.iface); err != nil {
			t.Fatal(err)
		}
	}
	return conn
}

// TestKeychainListAfterCrashListsOnce: a Secret Service that crashes
// while List reads the items' attributes is asked again, and the second
// attempt's list replaces the first's: each item once.
func TestKeychainListAfterCrashListsOnce(t *testing.T) {
	if !onPrivateBus(t, "replacing a Secret Service") {
		return
	}
	s := &standIn{noReplyAtAttrRead: 2}
	startStandIn(t, s)
	l, err := NewKeychain("svc", 10*time.Second).List()
	if err != nil {
		t.Fatal(err)
	}
	if len(l) != 2 || l[0].Account != "a" || l[1].Account != "b" {
		t.Errorf("List after a crash in the middle: %v, want a and b once each", l)
	}
	if s.searches.Load() != 2 {
		t.Errorf("%d searches, want 2 (the crash staged was not met)", s.searches.Load())
	}
}

// TestKeychainNoWriteAfterTimeout: a Set whose first attempt meets a
// crashed Secret Service, and whose second waits on the restarted
// service (a password prompt, here 1.5 s) past the keychain's timeout,
// fails at the timeout and changes nothing later: no item is deleted or
// created after the caller was told the write failed.
func TestKeychainNoWriteAfterTimeout(t *testing.T) {
	if !onPrivateBus(t, "replacing a Secret Service") {
		return
	}
	s := &standIn{failFirstSearch: noReply, slowSecondUnlock: 1500 * time.Millisecond}
	startStandIn(t, s)
	k := NewKeychain("svc", 300*time.Millisecond)
	err := k.Set("a", Item{Values: map[string]string{"k": "v"}, Owner: testOwner})
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Set past its timeout: %v, want the keychain unavailable", err)
	}
	time.Sleep(2500 * time.Millisecond) // past the slow Unlock
	if s.unlocks.Load() < 2 {
		t.Fatalf("%d unlocks, want the second (slow) one: the staging failed", s.unlocks.Load())
	}
	if n := s.changes.Load(); n != 0 {
		t.Errorf("%d deletes and creates reached the Secret Service after Set timed out, want none", n)
	}
}

// TestKeychainRetriesAfterARestart: the other signs of a Secret Service
// started again in the middle of an operation are asked again too: a call
// that reaches the new service with the old session (NoSession), and a
// call for which the bus was starting a service that died (ChildExited).
// The write then succeeds once.
func TestKeychainRetriesAfterARestart(t *testing.T) {
	if !onPrivateBus(t, "replacing a Secret Service") {
		return
	}
	for _, c := range []struct {
		name string
		s    *standIn
	}{
		{"NoSession at CreateItem", &standIn{noSessionAtFirstCreate: true}},
		{"ChildExited at SearchItems", &standIn{failFirstSearch: childExited}},
	} {
		conn := startStandIn(t, c.s)
		k := NewKeychain("svc", 10*time.Second)
		if err := k.Set("a", Item{Values: map[string]string{"k": "v"}, Owner: testOwner}); err != nil {
			t.Errorf("%s: Set: %v", c.name, err)
		}
		if n := c.s.searches.Load(); n != 2 {
			t.Errorf("%s: %d searches, want 2 (one attempt, then one more)", c.name, n)
		}
		_ = conn.Close() // gives the name back: the next case takes it again
	}
}
