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

// keychainReasons says, for each reason a keychain did not answer, why in
// a few words and what makes it answer.
var keychainReasons = map[store.Reason]struct{ why, fix string }{
	store.ReasonNoBus: {"no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is unset or nothing listens there",
		"run credwiz in a desktop session (or start one with dbus-run-session -- $SHELL and a Secret Service in it)"},
	store.ReasonNoService: {"no Secret Service runs on the D-Bus session bus",
		"start a Secret Service (gnome-keyring-daemon --start --components=secrets, or KeePassXC's)"},
	store.ReasonLocked: {"the keychain is locked",
		"unlock the keychain (log in to the desktop, or use seahorse)"},
	store.ReasonTimeout: {"the keychain did not answer in time",
		"unlock or restart the keychain daemon"},
}

// fallbackWhy says in a few words why no keychain answered.
func fallbackWhy(err error) string {
	var ue *store.UnavailableError
	if !errors.As(err, &ue) {
		return firstLine(err.Error())
	}
	if r, ok := keychainReasons[ue.Reason]; ok {
		return r.why
	}
	return "the keychain failed: " + firstLine(ue.Detail)
}

// fallbackFix says what makes a keychain answer.
func fallbackFix(err error) string {
	var ue *store.UnavailableError
	if errors.As(err, &ue) {
		if r, ok := keychainReasons[ue.Reason]; ok {
			return r.fix
		}
	}
	return "get the OS keychain working (credwiz doctor helps)"
}

// firstLine returns s up to its first line break.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
