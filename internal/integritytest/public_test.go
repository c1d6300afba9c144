//go:build linux

package integritytest

import (
	"encoding/json"
	"testing"

	"github.com/credwiz/credwiz/internal/testenv"
)

// The reproductions read credwiz only as a user can (list --json, show
// --json, secret-tool, test, token), never its files, so that they run
// unchanged against an older credwiz (CREDWIZ_TEST_BINARY) and fail there
// for the reason each reproduction names, not for a file format.

// listed is the part of list --json and show --json the tests read.
type listed struct {
	Name           string            `json:"name"`
	Description    string            `json:"description"`
	Fields         map[string]string `json:"fields"`
	UntestedChange bool              `json:"untested_change"`
	LastTest       *struct {
		OK bool `json:"ok"`
	} `json:"last_test"`
}

// list returns sb's list --json by name.
func list(t testing.TB, sb *testenv.Sandbox) map[string]listed {
	t.Helper()
	r := sb.In(t).Run("", "list", "--json")
	if r.Code != 0 {
		t.Fatalf("list --json: want exit 0:\n%s", r)
	}
	var ls []listed
	if err := json.Unmarshal([]byte(r.Stdout), &ls); err != nil {
		t.Fatalf("list --json printed no JSON array: %v\n%s", err, r)
	}
	out := map[string]listed{}
	for _, l := range ls {
		out[l.Name] = l
	}
	return out
}

// keychainSecret returns what secret-tool finds as name's secret map in
// sb's keyring (nil when nothing).
func keychainSecret(t testing.TB, sb *testenv.Sandbox, name string) map[string]string {
	t.Helper()
	raw, ok := sb.Keyring.Lookup(t, testenv.SecretService, name)
	if !ok {
		return nil
	}
	m := map[string]string{}
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		t.Errorf("secret-tool lookup service credwiz username %s: not a JSON object of strings: %q", name, raw)
	}
	return m
}

// secretMarker returns the marker of name's secret as secret-tool finds
// it, "" when there is none.
func secretMarker(t testing.TB, sb *testenv.Sandbox, name string) string {
	t.Helper()
	m := keychainSecret(t, sb, name)
	for _, k := range []string{"client_secret", "api_key"} {
		if v, ok := m[k]; ok {
			return testenv.Marker(v)
		}
	}
	return ""
}

// onePair fails t unless name's metadata (as list shows it) and its
// secret (as secret-tool shows it) carry the same marker, and returns it.
// The marker of the metadata is the one of its client ID, or of its
// description for connectors without one.
func onePair(t testing.TB, sb *testenv.Sandbox, name string) string {
	t.Helper()
	l, ok := list(t, sb)[name]
	if !ok {
		t.Fatalf("%s is not listed", name)
	}
	meta := testenv.Marker(l.Fields["client_id"])
	if meta == "" {
		meta = l.Description
	}
	if sec := secretMarker(t, sb, name); sec != meta {
		t.Errorf("NOT ONE PAIR: %s's metadata says %q, its keychain secret is %q", name, meta, sec)
	}
	return meta
}

// hasItems reports which of credwiz's services hold an item of name.
func hasItems(t testing.TB, sb *testenv.Sandbox, name string) []string {
	t.Helper()
	var out []string
	for _, svc := range testenv.Services {
		if _, ok := sb.Keyring.Lookup(t, svc, name); ok {
			out = append(out, svc)
		}
	}
	return out
}
