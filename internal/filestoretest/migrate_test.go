//go:build unix

package filestoretest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// migrateCase is a migration killed at one step.
type migrateCase struct {
	from, to string
	step     string
	n        int
}

// TestMigrateKilledAtEveryStep runs credwiz migrate between the file store
// and the keychain, both ways, and kills it with SIGKILL at every step of
// the migration: the config dir then works (every token readable) with
// exactly one store, the one before the switch or after; doctor names what
// is left in the other and exits 1; doctor --fix removes it; and migrate
// runs to the end afterwards.
func TestMigrateKilledAtEveryStep(t *testing.T) {
	requireKeychain(t)
	var cases []migrateCase
	for _, way := range [][2]string{{"file", "keychain"}, {"keychain", "file"}} {
		for _, st := range []struct {
			step string
			max  int
		}{{"migrate-started", 1}, {"migrate-copied", 3}, {"migrate-switched", 1}, {"migrate-source-deleted", 3}} {
			for n := 1; n <= st.max; n++ {
				cases = append(cases, migrateCase{way[0], way[1], st.step, n})
			}
		}
	}
	for _, c := range cases {
		// One at a time: gnome-keyring answers one client at a time, and
		// a loaded machine would push it past credwiz's 3 s timeout.
		t.Run(fmt.Sprintf("%s to %s at %s #%d", c.from, c.to, c.step, c.n), func(t *testing.T) {
			sb := newSandbox(t, true).with("CREDWIZ_PASSPHRASE=mig-" + randomHex(6))
			tag := randomHex(4)
			keys := map[string]string{}
			src := sb.with("CREDWIZ_STORE=" + c.from)
			for _, n := range []string{"a", "b", "c"} {
				name := "mig-" + tag + "-" + n
				keys[name] = "key-" + randomHex(12)
				src.addDrift(name, keys[name])
			}
			t.Cleanup(func() {
				sb.run("", "rm", "--yes", "mig-"+tag+"-a")
				sb.run("", "rm", "--yes", "mig-"+tag+"-b")
				sb.run("", "rm", "--yes", "mig-"+tag+"-c")
			})
			reached, r := sb.killAt(c.step, c.n, "", "migrate", "--to", c.to)
			if !reached {
				t.Fatalf("migrate never paused at %s #%d: %s", c.step, c.n, r)
			}
			after := c.from
			if c.step == "migrate-switched" || c.step == "migrate-source-deleted" {
				after = c.to
			}
			check := func(want string) {
				t.Helper()
				d, _ := sb.doctorJSON()
				if d["store"] != want {
					t.Fatalf("the config dir uses the %v store, want %s", d["store"], want)
				}
				for name, key := range keys {
					if got := sb.token(name); got != key {
						t.Fatalf("token %s = %q, want its key", name, got)
					}
				}
			}
			check(after)
			d, dr := sb.doctorJSON()
			if dr.code != 1 || d["migration"] == nil {
				t.Fatalf("doctor after the kill: %s", dr)
			}
			text := sb.run("", "doctor")
			if !strings.Contains(text.stdout, "! Migration") || !strings.Contains(text.stdout, "credwiz migrate --to "+c.to+" was interrupted") {
				t.Fatalf("doctor's text: %s", text)
			}
			sb.must("", "doctor", "--fix")
			if r := sb.run("", "doctor"); r.code != 0 || strings.Contains(r.stdout, "Migration") {
				t.Fatalf("doctor after --fix: %s", r)
			}
			check(after)
			if after == c.from {
				r := sb.must("", "migrate", "--to", c.to)
				if !strings.Contains(r.stderr, "Moved the secrets of 3 credentials") {
					t.Fatalf("migrate again: %s", r)
				}
			}
			check(c.to)
			if r := sb.run("", "doctor"); r.code != 0 {
				t.Fatalf("doctor at the end: %s", r)
			}
		})
	}
}

// TestMigrateMessages: migrating to the store in use says so; a keychain
// config dir asked for the file store is told to migrate; unlock on a
// keychain config dir says it is for the file store.
func TestMigrateMessages(t *testing.T) {
	requireKeychain(t)
	sb := newSandbox(t, true)
	name := "msg-" + randomHex(4)
	sb.with("CREDWIZ_STORE=keychain").addDrift(name, "key-"+randomHex(8))
	t.Cleanup(func() { sb.run("", "rm", "--yes", name) })
	if r := sb.must("", "migrate", "--to", "keychain"); !strings.Contains(r.stderr, "already keeps its secrets in the keychain store") {
		t.Fatalf("migrate to the store in use: %s", r)
	}
	r := sb.with("CREDWIZ_STORE=file").run("", "token", name)
	if r.code != 1 || !strings.Contains(r.stderr, "credwiz migrate --to file") || strings.Contains(r.stderr, "--store file") {
		t.Fatalf("--store file on a keychain config dir: %s", r)
	}
	r = sb.run("", "unlock")
	if r.code != 1 || !strings.Contains(r.stderr, "credwiz migrate --to file") {
		t.Fatalf("unlock on a keychain config dir: %s", r)
	}
	// Without a Vault configured, --to vault says what is missing.
	if r := sb.run("", "migrate", "--to", "vault"); r.code != 1 || !strings.Contains(r.stderr, "no Vault token") {
		t.Fatalf("migrate --to vault without a Vault: %s", r)
	}
	if r := sb.run("", "migrate", "--to", "nowhere"); r.code != 2 {
		t.Fatalf("migrate --to nowhere: %s", r)
	}
}

// TestMigrateOldFormat moves a config dir in the older format (a version
// 1 index, secrets.age, items without owners) to the keychain: every key
// readable there, nothing left in the file store, doctor clean.
func TestMigrateOldFormat(t *testing.T) {
	requireKeychain(t)
	sb := newSandbox(t, true).with("CREDWIZ_PASSPHRASE=old-pass")
	tag := randomHex(4)
	keys := map[string]string{"old-" + tag + "-a": "key-a-" + tag + "0123", "old-" + tag + "-b": "key-b-" + tag + "0123"}
	writeOldFormat(t, sb.dir, "old-pass", keys)
	t.Cleanup(func() {
		for n := range keys {
			sb.run("", "rm", "--yes", n)
		}
	})
	if r := sb.must("", "migrate", "--to", "keychain"); !strings.Contains(r.stderr, "Moved the secrets of 2 credentials") {
		t.Fatalf("migrate: %s", r)
	}
	for n, k := range keys {
		if got := sb.token(n); got != k {
			t.Fatalf("token %s = %q", n, got)
		}
	}
	if r := sb.run("", "doctor"); r.code != 0 || !strings.Contains(r.stdout, "keychain") {
		t.Fatalf("doctor: %s", r)
	}
	if _, err := os.Stat(filepath.Join(sb.dir, "secrets.age")); !os.IsNotExist(err) {
		t.Fatalf("secrets.age left: %v", err)
	}
	ents, _ := os.ReadDir(filepath.Join(sb.dir, "secrets"))
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".age") && e.Name() != "identity.age" {
			t.Fatalf("left in the file store: %s", e.Name())
		}
	}
}

// TestMigrateAwayClosesTheSession: migrating an unlocked file store's
// secrets to the keychain closes the session credwiz unlock opened (its
// identity would stay readable in the kernel keyring, and credwiz lock, now
// about the keychain, could not close it): moved back, the file store asks
// for its passphrase again.
func TestMigrateAwayClosesTheSession(t *testing.T) {
	requireKeychain(t)
	pass := "pass-" + randomHex(6)
	sb := newSandbox(t, true)
	name := "sess-" + randomHex(4)
	key := "key-" + randomHex(8)
	t.Cleanup(func() { sb.run("", "rm", "--yes", name) })
	sb.with("CREDWIZ_STORE=file", "CREDWIZ_PASSPHRASE="+pass).addDrift(name, key)
	sb.must(pass+"\n", "unlock")
	if got := sb.token(name); got != key {
		t.Fatalf("token after unlock: %q", got)
	}
	r := sb.must(pass+"\n", "migrate", "--to", "keychain")
	if !strings.Contains(r.stderr, "Closed the encrypted file store's unlocked session") {
		t.Fatalf("migrate --to keychain from an unlocked file store: %s", r)
	}
	sb.must("", "migrate", "--to", "file")
	if r := sb.run("", "token", name); r.code == 0 {
		t.Fatalf("the file store's old session still reads secrets after the migrations: %s", r)
	}
}
