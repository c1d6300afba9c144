// Package faulttest holds credwiz's fault-injection tests. They run the
// real credwiz binary, built once by TestMain, as child processes with a
// throw-away config dir, HOME and TMPDIR each, against the in-process
// vendor emulators of connectors/connectortest and local listeners
// (loopback only), and, for the keychain store, a Secret Service of their
// own (gnome-keyring on a private D-Bus bus, started per test by
// internal/testenv, which also builds the binary) so that doctor --fix in one test never sees,
// let alone removes, another test's items.
//
// What they prove: a hanging keychain fails every command that needs a
// secret within its timeout while list still works; a SIGKILL at every
// step of the store's write protocol in add, edit (rename, new secret),
// reauth and rm leaves every credential one consistent pair, the old one
// or the new one, touches no other config dir's item, and leaves only
// leftovers that doctor reports and doctor --fix finishes or removes;
// concurrent writers lose no update; network faults map to their error
// class in bounded time; every field of every connector refuses bad input
// with one line and changes nothing; and no secret value shows up in any
// file, output or argv.
//
// Keychain tests skip with a loud message when no Secret Service can be
// started (gnome-keyring, dbus-daemon, dbus-send and secret-tool are
// needed); with CREDWIZ_REQUIRE_KEYCHAIN=1 (CI) they fail instead.
//
//	go test -race -count=1 ./internal/faulttest/
package faulttest
