//go:build unix

package filestoretest

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// TestUnlockLockExpiry: credwiz unlock (passphrase on stdin) opens the
// store for later commands, which then read secrets without any
// passphrase; doctor says so; lock closes it; a short session expires.
func TestUnlockLockExpiry(t *testing.T) {
	requireKeyring(t)
	sb, key := fileSandbox(t, "pw")
	t.Cleanup(func() { sb.run("", "lock") })
	if r := sb.run("wrong\n", "unlock"); r.code != 1 || !strings.Contains(r.stderr, "does not open") {
		t.Fatalf("unlock with a wrong passphrase: %s", r)
	}
	r := sb.run("pw\n", "unlock", "--for", "10m")
	if r.code != 0 {
		if strings.Contains(r.stderr, "kernel keyring") {
			skipOrFail(t, "kernel keyring", nil)
		}
		t.Fatalf("unlock: %s", r)
	}
	if got := sb.token("d"); got != key {
		t.Fatalf("token after unlock = %q", got)
	}
	if d := sb.run("", "doctor"); !strings.Contains(d.stdout, "Session        unlocked for") {
		t.Fatalf("doctor: %s", d)
	}
	sb.must("", "show", "d")
	if r := sb.must("", "lock"); !strings.Contains(r.stderr, "Locked") {
		t.Fatalf("lock: %s", r)
	}
	if r := sb.run("", "token", "d"); r.code != 1 || !strings.Contains(r.stderr, "credwiz unlock") {
		t.Fatalf("token after lock: %s", r)
	}
	if r := sb.run("", "unlock", "--for", "0s"); r.code != 2 {
		t.Fatalf("--for 0s: %s", r)
	}
	sb.must("pw\n", "unlock", "--for", "1s")
	deadline := time.Now().Add(15 * time.Second)
	for sb.run("", "token", "d").code == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the 1 s session still opens the store after 15 s")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestSSHIdentity: a server's unencrypted ed25519 SSH key, added as a
// recipient, reads the secrets with CREDWIZ_IDENTITY_FILE and no
// passphrase, including those written after; removed, it reads nothing.
func TestSSHIdentity(t *testing.T) {
	sb, key := fileSandbox(t, "pw")
	keyFile, pubLine := sshKeyPair(t, sb.root)
	server := sb.with("CREDWIZ_IDENTITY_FILE=" + keyFile)
	if r := server.run("", "token", "d"); r.code != 1 || !strings.Contains(r.stderr, "credwiz recipients add") {
		t.Fatalf("before it is a recipient: %s", r)
	}
	if r := sb.must("pw\n", "recipients", "add", keyFile+".pub"); !strings.Contains(r.stderr, "Encrypted 1 item anew") {
		t.Fatalf("recipients add: %s", r)
	}
	list := sb.must("", "recipients", "list")
	if !strings.Contains(list.stdout, "(this store's identity") || !strings.Contains(list.stdout, pubLine) {
		t.Fatalf("recipients list: %s", list)
	}
	if got := server.token("d"); got != key {
		t.Fatalf("token with the SSH key = %q", got)
	}
	sb.addDrift("e", "key-e-0123456789")
	if got := server.token("e"); got != "key-e-0123456789" {
		t.Fatalf("token of an item written after = %q", got)
	}
	if r := sb.run("pw\n", "recipients", "add", keyFile); r.code != 2 || !strings.Contains(r.stderr, "private key") {
		t.Fatalf("adding a private key file: %s", r)
	}
	sb.must("pw\n", "recipients", "rm", strings.TrimSuffix(pubLine, " server@example"))
	if r := server.run("", "token", "d"); r.code != 1 {
		t.Fatalf("token after rm: %s", r)
	}
}

// TestDoctorLeavesARecipientsChangeToSync: recipients add killed once the
// new recipients list is written (before the items are encrypted anew)
// leaves items the new key cannot read; doctor says so, names recipients
// sync and exits 1; doctor --fix, even with the store's passphrase, does
// not encrypt them to the new key (that gives a key access to secrets: a
// key planted in recipients.txt, or one a restored backup brought back,
// looks the same), and still exits 1; recipients sync does it.
func TestDoctorLeavesARecipientsChangeToSync(t *testing.T) {
	sb, key := fileSandbox(t, "pw")
	sb.addDrift("e", "key-e-0123456789")
	keyFile, _ := sshKeyPair(t, sb.root)
	reached, r := sb.killAt("recipients-written", 1, "pw\n", "recipients", "add", keyFile+".pub")
	if !reached {
		t.Fatalf("recipients add never paused at recipients-written: %s", r)
	}
	server := sb.with("CREDWIZ_IDENTITY_FILE=" + keyFile)
	unreadable := func(when string) {
		t.Helper()
		for _, name := range []string{"d", "e"} {
			if r := server.run("", "token", name); r.code != 1 {
				t.Errorf("%s: the new key reads %s: %s", when, name, r)
			}
		}
	}
	unreadable("after the kill")
	d := sb.run("", "doctor")
	if d.code != 1 || !strings.Contains(d.stdout, "2 items not encrypted to the current recipients") || !strings.Contains(d.stdout, "credwiz recipients sync") {
		t.Fatalf("doctor after the kill: %s", d)
	}
	if r := sb.with("CREDWIZ_PASSPHRASE=pw").run("", "doctor", "--fix"); r.code != 1 || !strings.Contains(r.stdout, "credwiz recipients sync") {
		t.Errorf("doctor --fix with CREDWIZ_PASSPHRASE: want exit 1 naming recipients sync: %s", r)
	}
	unreadable("after doctor --fix")
	if r := sb.must("pw\n", "recipients", "sync"); !strings.Contains(r.stderr, "Encrypted 2 items anew") {
		t.Errorf("recipients sync: %s", r)
	}
	if got := server.token("d"); got != key {
		t.Errorf("token with the new key after recipients sync = %q", got)
	}
	if got := server.token("e"); got != "key-e-0123456789" {
		t.Errorf("token of e with the new key after recipients sync = %q", got)
	}
	if d := sb.run("", "doctor"); d.code != 0 {
		t.Errorf("doctor after recipients sync: %s", d)
	}
}

// sshKeyPair writes an unencrypted ed25519 SSH key (comment
// server@example) and its .pub into dir, and returns the private key's
// path and the .pub's line.
func sshKeyPair(t *testing.T, dir string) (keyFile, pubLine string) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "server@example")
	if err != nil {
		t.Fatal(err)
	}
	keyFile = filepath.Join(dir, "id_ed25519")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	sp, _ := ssh.NewPublicKey(pub)
	pubLine = strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sp))) + " server@example"
	if err := os.WriteFile(keyFile+".pub", []byte(pubLine+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return keyFile, pubLine
}
