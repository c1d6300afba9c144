//go:build linux

package store

import (
	"errors"
	"testing"

	dbus "github.com/godbus/dbus/v5"
)

// TestBusErrorReasons: a D-Bus error is classified by its name: a Secret
// Service that left the bus during the call (NoReply: it crashed or was
// stopped) is no Secret Service, not a locked keychain.
func TestBusErrorReasons(t *testing.T) {
	for name, want := range map[string]Reason{
		"org.freedesktop.DBus.Error.ServiceUnknown":    ReasonNoService,
		"org.freedesktop.DBus.Error.NoReply":           ReasonNoService,
		"org.freedesktop.Secret.Error.NoSession":       ReasonNoService,
		"org.freedesktop.DBus.Error.Spawn.ChildExited": ReasonNoService,
		"org.freedesktop.Secret.Error.IsLocked":        ReasonLocked,
		"org.freedesktop.DBus.Error.UnknownObject":     reasonGone,
		"org.example.Other":                            ReasonOther,
	} {
		err := busError(dbus.Error{Name: name, Body: []any{"Message recipient disconnected from message bus without replying"}})
		var ue *UnavailableError
		if !errors.As(err, &ue) || ue.Reason != want {
			t.Errorf("%s: %#v, want reason %v", name, err, want)
		}
	}
}
