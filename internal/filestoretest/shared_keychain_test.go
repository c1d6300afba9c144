//go:build unix

package filestoretest

import (
	"os"
	"os/exec"
	"path/filepath"
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

// A config dir copied with cp -a (a backup restored beside it, a trial
// copy) keeps the original's ID: the copy refuses to add (so the
// original's doctor --fix never meets an item of the copy's under its
// ID), and the copy's doctor --fix keeps the original's new item, saying
// on a "!" line where the dir was created; once the original is gone and
// the move confirmed (doctor --fix --moved), the copy works as before.
func TestCopiedConfigDirLeavesTheOriginalAlone(t *testing.T) {
	requireKeychain(t)
	a := newSandbox(t, true).with("CREDWIZ_STORE=keychain")
	tag := randomHex(4)
	p1, p2, p3 := "p1-"+tag, "p2-"+tag, "p3-"+tag
	t.Cleanup(func() {
		for _, n := range []string{p1, p2, p3} {
			a.run("", "rm", "--yes", n)
		}
	})
	a.addDrift(p1, "key-one-"+randomHex(8))
	b := a.with("CREDWIZ_CONFIG_DIR=" + filepath.Join(a.root, "copy"))
	if out, err := exec.Command("cp", "-a", a.dir, filepath.Join(a.root, "copy")).CombinedOutput(); err != nil {
		t.Fatalf("cp -a: %v: %s", err, out)
	}
	r := b.run("api_key=copy-only-key\n", "add", "drift", "--name", p2, "--field", "base_url=http://127.0.0.1:9", "--secrets-stdin", "--no-test")
	if r.code != 1 || !strings.Contains(r.stderr, "doctor --fix --moved") {
		t.Fatalf("add in the copy: %s", r)
	}
	a.must("", "doctor", "--fix")

	p3Key := "key-three-" + randomHex(8)
	a.addDrift(p3, p3Key)
	r = b.run("", "doctor", "--fix")
	if r.code != 1 || !strings.Contains(r.stdout, "! Moved?") || !strings.Contains(r.stdout, a.dir) || strings.Contains(r.stdout, "removed") {
		t.Fatalf("doctor --fix in the copy: %s", r)
	}
	if got := a.token(p3); got != p3Key {
		t.Fatalf("the original's %s after the copy's doctor --fix: %q", p3, got)
	}
	if d, _ := b.doctorJSON(); d["moved_from"] != a.dir {
		t.Fatalf("doctor --json in the copy: moved_from %v", d["moved_from"])
	}

	// While the original is there, the copy can confirm no move, and
	// --include-unknown removes nothing (the original's items are among
	// the "unknown" ones).
	if r = b.run("", "doctor", "--fix", "--moved"); r.code != 1 || !strings.Contains(r.stderr, "still exists") {
		t.Fatalf("doctor --fix --moved with the original in place: %s", r)
	}
	if r = b.run("", "doctor", "--fix", "--include-unknown"); r.code != 1 || strings.Contains(r.stdout, "removed") {
		t.Fatalf("doctor --fix --include-unknown in the copy: %s", r)
	}
	if got := a.token(p3); got != p3Key {
		t.Fatalf("the original's %s after the copy's refused repairs: %q", p3, got)
	}

	// The original is gone: the copy is the config dir now.
	if err := os.RemoveAll(a.dir); err != nil {
		t.Fatal(err)
	}
	r = b.must("", "doctor", "--fix", "--moved")
	if !strings.Contains(r.stdout, "moved here from "+a.dir) || !strings.Contains(r.stdout, "removed secret "+p3) {
		t.Fatalf("doctor --fix --moved: %s", r)
	}
	b.addDrift(p2, "key-two-"+randomHex(8))
	b.must("", "doctor")
}
