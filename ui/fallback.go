package ui

import (
	"errors"
	"fmt"
	"strings"

	"github.com/credwiz/credwiz/internal/termsafe"
	"github.com/credwiz/credwiz/store"
)

// noteFallback says once, in one line on stderr, that auto chose the
// encrypted file store because no keychain answered, why, and what to do.
// It says nothing when the store was recorded or asked for.
func (f *Factory) noteFallback(st *store.Store) {
	if st.Fallback == nil || st.Kind != store.KindFile {
		return
	}
	f.fallbackOnce.Do(func() {
		where := store.SecretsDirName
		if st.File != nil {
			where = st.File.Dir()
		}
		fmt.Fprintf(f.IO.ErrOut, "No OS keychain answered (%s), so the secrets go to the encrypted file store in %s; to use a keychain instead, %s, then run credwiz migrate --to keychain.\n",
			fallbackWhy(st.Fallback), termsafe.String(where), fallbackFix(st.Fallback))
	})
}

// fallbackWhy says in a few words why no keychain answered.
func fallbackWhy(err error) string {
	var ue *store.UnavailableError
	if !errors.As(err, &ue) {
		return firstLine(err.Error())
	}
	switch ue.Reason {
	case store.ReasonNoBus:
		return "no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is unset or nothing listens there"
	case store.ReasonNoService:
		return "no Secret Service runs on the D-Bus session bus"
	case store.ReasonLocked:
		return "the keychain is locked"
	case store.ReasonTimeout:
		return "the keychain did not answer in time"
	}
	return "the keychain failed: " + firstLine(ue.Detail)
}

// fallbackFix says what makes a keychain answer.
func fallbackFix(err error) string {
	var ue *store.UnavailableError
	reason := store.ReasonOther
	if errors.As(err, &ue) {
		reason = ue.Reason
	}
	switch reason {
	case store.ReasonNoBus:
		return "run credwiz in a desktop session (or start one with dbus-run-session -- $SHELL and a Secret Service in it)"
	case store.ReasonNoService:
		return "start a Secret Service (gnome-keyring-daemon --start --components=secrets, or KeePassXC's)"
	case store.ReasonLocked:
		return "unlock the keychain (log in to the desktop, or use seahorse)"
	case store.ReasonTimeout:
		return "unlock or restart the keychain daemon"
	}
	return "get the OS keychain working (credwiz doctor helps)"
}

// firstLine returns s up to its first line break.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
