//go:build linux

package store

import (
	"errors"
	"os"
	"testing"
	"time"

	dbus "github.com/godbus/dbus/v5"

	"github.com/credwiz/credwiz/internal/testenv"
)

// TestKeychainServiceCrash: a Secret Service that leaves the bus in the
// middle of a call (it crashed: the bus answers NoReply) costs no
// command. The store asks again, the bus starts the service again (D-Bus
// activation, as a desktop session's does) and the call succeeds: a Get
// finds what was saved before the crash, a Set saves, a Delete deletes.
// The crash is staged on a private bus (onPrivateBus): the real daemon is
// SIGKILLed and a stand-in that takes its name drops the next call
// without an answer.
func TestKeychainServiceCrash(t *testing.T) {
	if !onPrivateBus(t, "killing a Secret Service") {
		return
	}
	svc := testService(t)
	k := testKeychain(svc, 10*time.Second)
	mustSet(t, k, "before-crash", map[string]string{"k": "v1"})
	mustSet(t, k, "to-delete", map[string]string{"k": "v2"})

	for _, step := range []struct {
		name string
		call func() error
	}{
		{"Get", func() error {
			it, err := k.Get("before-crash")
			if err == nil && it.Values["k"] != "v1" {
				return errors.New("Get returned another value than the one saved before the crash")
			}
			return err
		}},
		{"Set", func() error {
			return k.Set("after-crash", Item{Values: map[string]string{"k": "v3"}, Owner: testOwner})
		}},
		{"Delete", func() error { return k.Delete("to-delete") }},
		{"List", func() error { _, err := k.List(); return err }},
	} {
		dropped := crashSecretService(t)
		if err := step.call(); err != nil {
			t.Errorf("%s while the Secret Service crashed: %v", step.name, err)
		}
		select {
		case <-dropped:
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: the stand-in never got the call (the crash was not staged)", step.name)
		}
	}
	assertSecret(t, k, "after-crash", map[string]string{"k": "v3"})
	if _, err := k.Get("to-delete"); !errors.Is(err, ErrNotFound) {
		t.Errorf("to-delete after its Delete: %v, want not found", err)
	}
}

// crashSecretService SIGKILLs the Secret Service of the session bus and
// puts in its place a stand-in that leaves the bus, without answering, at
// the first call it gets (the bus then answers the caller NoReply, as when
// the daemon crashes in the middle of a call). The returned channel is
// closed when it has.
func crashSecretService(t *testing.T) <-chan struct{} {
	t.Helper()
	standIn := takeSecretServiceName(t)
	// From here on every message comes to msgs and none is answered (no
	// call comes before this function returns).
	msgs := make(chan *dbus.Message, 16)
	standIn.Eavesdrop(msgs)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m := range msgs {
			if m.Type == dbus.TypeMethodCall {
				_ = standIn.Close()
				return
			}
		}
	}()
	return done
}

// takeSecretServiceName SIGKILLs the Secret Service of the session bus
// and returns a new connection that owns its name, closed when t ends.
func takeSecretServiceName(t *testing.T) *dbus.Conn {
	t.Helper()
	return testenv.TakeSecretServiceName(t, os.Getenv("DBUS_SESSION_BUS_ADDRESS"))
}
