//go:build linux

package store

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	dbus "github.com/godbus/dbus/v5"
	ss "github.com/zalando/go-keyring/secret_service"
)

// throwawayKeyringPass is the password scripts/secret-service.sh gives the
// private, throw-away keyring it starts.
const throwawayKeyringPass = "throwaway-keyring-pass"

// TestKeychainLocked locks the login collection of the throw-away keyring
// that scripts/test.sh starts, then checks that reads and writes fail with
// ErrUnavailable within the timeout and change nothing. It runs only there
// (CREDWIZ_KEYCHAIN_TESTS=1), never against a developer's own keyring.
func TestKeychainLocked(t *testing.T) {
	requireKeychain(t)
	if os.Getenv("CREDWIZ_KEYCHAIN_TESTS") != "1" {
		t.Skip("locking a keyring is tested only on the throw-away one of scripts/test.sh (CREDWIZ_KEYCHAIN_TESTS=1)")
	}
	svc := testService(t)
	k := testKeychain(svc, 2*time.Second)
	mustSet(t, k, "before-lock", map[string]string{"k": "v"})

	conn, err := dbus.SessionBus()
	if err != nil {
		t.Fatal(err)
	}
	const collection = dbus.ObjectPath("/org/freedesktop/secrets/collection/login")
	service := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets")
	if err := service.Call("org.freedesktop.Secret.Service.Lock", 0, []dbus.ObjectPath{collection}).Err; err != nil {
		t.Fatalf("lock the collection: %v", err)
	}
	t.Cleanup(func() { unlockThrowaway(t, conn, collection) })

	for name, call := range map[string]func() error{
		"Get":    func() error { _, err := k.Get("before-lock"); return err },
		"Set":    func() error { return k.Set("while-locked", Item{Values: map[string]string{"k": "v"}}) },
		"Delete": func() error { return k.Delete("before-lock") },
		"Names":  func() error { _, err := k.List(); return err },
	} {
		start := time.Now()
		err := call()
		if !errors.Is(err, ErrUnavailable) {
			t.Errorf("%s on a locked keychain: err = %v, want ErrUnavailable", name, err)
		}
		// Two timeouts in a row would mean a second call after the first
		// timed out.
		if d := time.Since(start); d > 4*time.Second {
			t.Errorf("%s took %s with a 2s timeout", name, d)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error is not one line: %q", name, err)
		}
		t.Logf("%s: %v", name, err)
	}

	unlockThrowaway(t, conn, collection)
	assertSecret(t, k, "before-lock", map[string]string{"k": "v"})
	if _, err := k.Get("while-locked"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a Set on the locked keychain left an item: %v", err)
	}
}

// unlockThrowaway unlocks the collection with the throw-away password
// through gnome-keyring's own interface (no prompt).
func unlockThrowaway(t *testing.T, conn *dbus.Conn, collection dbus.ObjectPath) {
	t.Helper()
	service := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets")
	var out dbus.Variant
	var session dbus.ObjectPath
	if err := service.Call("org.freedesktop.Secret.Service.OpenSession", 0, "plain", dbus.MakeVariant("")).Store(&out, &session); err != nil {
		t.Fatalf("open a session: %v", err)
	}
	secret := ss.NewSecret(session, throwawayKeyringPass)
	err := service.Call("org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface.UnlockWithMasterPassword", 0, collection, secret).Err
	if err != nil {
		t.Fatalf("unlock the throw-away collection: %v", err)
	}
}
