//go:build unix

package filestoretest

import (
	"strings"
	"testing"
)

// Two config dirs on one keychain, one credential name in both: moving
// the second's secrets from its encrypted file into the keychain refuses,
// naming the credential and both ways out, and changes nothing (the
// first's key, its only copy, still works; the second still uses its
// file); --force moves them, overwriting the item as asked.
func TestMigrateRefusesAnotherConfigDirsItem(t *testing.T) {
	requireKeychain(t)
	a := newSandbox(t, true).with("CREDWIZ_STORE=keychain")
	b := newSandbox(t, true).with("CREDWIZ_PASSPHRASE=pp-" + randomHex(6))
	name := "shared-" + randomHex(4)
	t.Cleanup(func() { a.run("", "rm", "--yes", name) })
	a.addDrift(name, "a-only-key-"+randomHex(8))
	aKey := a.token(name)
	b.with("CREDWIZ_STORE=file").addDrift(name, "b-own-key-"+randomHex(8))

	r := b.run("", "migrate", "--to", "keychain")
	if r.code != 1 || !strings.Contains(r.stderr, `"`+name+`"`) || !strings.Contains(r.stderr, "--force") || !strings.Contains(r.stderr, "nothing was moved") {
		t.Fatalf("migrate over another config dir's item: %s", r)
	}
	if got := a.token(name); got != aKey {
		t.Fatalf("the first config dir's key after the refusal: %q", got)
	}
	if d, _ := b.doctorJSON(); d["store"] != "file" {
		t.Fatalf("the second config dir uses the %v store after the refusal", d["store"])
	}
	bKey := b.token(name)
	b.must("", "migrate", "--to", "keychain", "--force")
	if got := b.token(name); got != bKey {
		t.Fatalf("after migrate --force: %q, want %q", got, bKey)
	}
	if r := a.run("", "token", name); r.code != 1 || !strings.Contains(r.stderr, "another config dir") {
		t.Fatalf("the overwritten config dir: %s", r)
	}
}
