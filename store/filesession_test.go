package store

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"golang.org/x/crypto/ssh"

	"github.com/credwiz/credwiz/internal/kernelkeyring"
)

// needKeyring skips, loudly, where the kernel keyring cannot be used;
// CREDWIZ_REQUIRE_KEYRING=1 makes that a failure.
func needKeyring(t *testing.T) {
	t.Helper()
	err := kernelkeyring.Available()
	if err == nil {
		return
	}
	if os.Getenv("CREDWIZ_REQUIRE_KEYRING") == "1" {
		t.Fatalf("CREDWIZ_REQUIRE_KEYRING=1 but the kernel keyring is unusable: %v", err)
	}
	t.Skipf("KERNEL KEYRING TESTS SKIPPED: %v", err)
}

// lockAtEnd forgets f's session when the test ends.
func lockAtEnd(t *testing.T, f *FileStore) {
	t.Cleanup(func() { _, _ = f.Lock() })
}

// TestUnlockLockExpiry unlocks a store with the real kernel keyring: a
// store that cannot ask for anything then reads secrets, in this process
// and in another; lock forgets the session; a short session expires.
func TestUnlockLockExpiry(t *testing.T) {
	needKeyring(t)
	dir := t.TempDir()
	f := testFileStore(t, dir, "pw")
	mustSet(t, f.Section(SecretService), "a", map[string]string{"k": "v"})
	lockAtEnd(t, f)

	noAsk := func() *FileStore { return NewFileStore(dir, FileOptions{Passphrase: noPrompt(t)}) }
	if open, _, err := noAsk().Session(); open || err != nil {
		t.Fatalf("Session before unlock = %v, %v", open, err)
	}
	wrong := NewFileStore(dir, FileOptions{EnvPassphrase: "wrong", HasEnvPassphrase: true})
	if _, err := wrong.Unlock(time.Minute); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("Unlock with a wrong passphrase: %v", err)
	}
	until, err := testFileStore(t, dir, "pw").Unlock(time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(until); d <= 0 || d > time.Minute {
		t.Fatalf("until %v", until)
	}
	assertSecret(t, noAsk().Section(SecretService), "a", map[string]string{"k": "v"})
	open, left, err := noAsk().Session()
	if !open || err != nil || left <= 0 || left > time.Minute {
		t.Fatalf("Session = %v, %v, %v", open, left, err)
	}
	// Another process reads it too (unlock and the next command are two).
	out, err := helperCmd(t, "file-get", "HELPER_DIR="+dir, "HELPER_NAME=a").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "v" {
		t.Fatalf("another process: %s, %v", out, err)
	}
	// Another store's session does not open this one.
	other := testFileStore(t, t.TempDir(), "pw")
	mustSet(t, other.Section(SecretService), "x", map[string]string{"k": "x"})
	if open, _, _ := other.Session(); open {
		t.Fatal("another store is unlocked too")
	}

	if ok, err := noAsk().Lock(); !ok || err != nil {
		t.Fatalf("Lock = %v, %v", ok, err)
	}
	if ok, err := noAsk().Lock(); ok || err != nil {
		t.Fatalf("second Lock = %v, %v", ok, err)
	}
	locked := NewFileStore(dir, FileOptions{})
	if _, err := locked.Section(SecretService).Get("a"); !errors.Is(err, ErrLocked) {
		t.Fatalf("Get after Lock: %v", err)
	}

	// Expiry: a one-second session, polled (no timed assert).
	if _, err := testFileStore(t, dir, "pw").Unlock(time.Second); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := NewFileStore(dir, FileOptions{}).Section(SecretService).Get("a")
		if errors.Is(err, ErrLocked) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatal("the session outlived its 1 s by 9 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestSessionKeyMustMatch: a key in the keyring under the store's
// description that is not its identity is ignored, never used.
func TestSessionKeyMustMatch(t *testing.T) {
	needKeyring(t)
	dir := t.TempDir()
	f := testFileStore(t, dir, "pw")
	mustSet(t, f.Section(SecretService), "a", map[string]string{"k": "v"})
	lockAtEnd(t, f)
	pub, _ := f.PublicKey()
	intruder, _ := age.GenerateX25519Identity()
	if _, err := kernelkeyring.Put(sessionDescription(pub), []byte(intruder.String()), time.Minute); err != nil {
		t.Fatal(err)
	}
	if open, _, _ := f.Session(); open {
		t.Fatal("a foreign key counts as a session")
	}
	if _, err := NewFileStore(dir, FileOptions{}).Section(SecretService).Get("a"); !errors.Is(err, ErrLocked) {
		t.Fatalf("Get with a foreign key in the keyring: %v", err)
	}
}

// writeKeyFile writes a private key file (mode 0600) and returns its path.
func writeKeyFile(t *testing.T, data []byte) string {
	p := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// sshKeyPair returns an unencrypted OpenSSH private key (PEM) and its
// public key line, of type kind ("ed25519" or "rsa").
func sshKeyPair(t *testing.T, kind string) (priv []byte, pub string) {
	var key any
	var pubKey any
	switch kind {
	case "ed25519":
		p, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		key, pubKey = k, p
	case "rsa":
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		key, pubKey = k, &k.PublicKey
	}
	block, err := ssh.MarshalPrivateKey(key, "test@credwiz")
	if err != nil {
		t.Fatal(err)
	}
	sp, err := ssh.NewPublicKey(pubKey)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(block), strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sp))) + " test@credwiz"
}

// TestIdentityFile: an age identity and unencrypted SSH keys (ed25519,
// RSA) added as recipients read the secrets with CREDWIZ_IDENTITY_FILE
// and no passphrase; one that is not a recipient is told to be added;
// passphrase-protected and malformed keys are refused clearly.
func TestIdentityFile(t *testing.T) {
	ageID, _ := age.GenerateX25519Identity()
	edPriv, edPub := sshKeyPair(t, "ed25519")
	rsaPriv, rsaPub := sshKeyPair(t, "rsa")
	for _, tt := range []struct {
		name string
		priv []byte
		pub  string
	}{
		{"age", []byte("# a teammate's key\n" + ageID.String() + "\n"), ageID.Recipient().String()},
		{"ssh-ed25519", edPriv, edPub},
		{"ssh-rsa", rsaPriv, rsaPub},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			st := openFile(t, dir, func(PassphraseRequest) (string, error) { return "pw", nil })
			mustAdd(t, st, sampleCredential("a"), map[string]string{"client_secret": "before"})
			keyPath := writeKeyFile(t, tt.priv)

			reader := NewFileStore(dir, FileOptions{IdentityFile: keyPath, Passphrase: noPrompt(t)})
			_, err := reader.Section(SecretService).Get("a")
			if !errors.Is(err, ErrNotRecipient) || !strings.Contains(err.Error(), "credwiz recipients add") {
				t.Fatalf("before it is a recipient: %v", err)
			}
			r, err := ParseRecipient(tt.pub)
			if err != nil {
				t.Fatal(err)
			}
			ch, err := st.ChangeRecipients(bg, []Recipient{r}, nil)
			if err != nil || len(ch.Added) != 1 || ch.Reencrypted != 1 {
				t.Fatalf("ChangeRecipients = %+v, %v", ch, err)
			}
			mustAdd(t, st, sampleCredential("b"), map[string]string{"client_secret": "after"})
			reader = NewFileStore(dir, FileOptions{IdentityFile: keyPath, Passphrase: noPrompt(t)})
			assertSecret(t, reader.Section(SecretService), "a", map[string]string{"client_secret": "before"})
			assertSecret(t, reader.Section(SecretService), "b", map[string]string{"client_secret": "after"})

			// Removed again: it reads nothing any more.
			if _, err := st.ChangeRecipients(bg, nil, []string{tt.pub}); err != nil {
				t.Fatal(err)
			}
			reader = NewFileStore(dir, FileOptions{IdentityFile: keyPath, Passphrase: noPrompt(t)})
			if _, err := reader.Section(SecretService).Get("b"); !errors.Is(err, ErrNotRecipient) {
				t.Fatalf("after rm: %v", err)
			}
		})
	}
	t.Run("refused files", func(t *testing.T) {
		dir := t.TempDir()
		mustSet(t, testFileStore(t, dir, "pw").Section(SecretService), "a", map[string]string{"k": "v"})
		k, _ := rsa.GenerateKey(rand.Reader, 2048)
		enc, err := ssh.MarshalPrivateKeyWithPassphrase(k, "", []byte("secret"))
		if err != nil {
			t.Fatal(err)
		}
		for name, c := range map[string]struct {
			data []byte
			mode os.FileMode
			want string
		}{
			"passphrase-protected ssh": {pem.EncodeToMemory(enc), 0o600, "without a passphrase"},
			"garbage":                  {[]byte("hello\n"), 0o600, "neither an age identity file nor an SSH private key"},
			"world-writable":           {edPriv, 0o666, "writable by group or others"},
		} {
			p := writeKeyFile(t, c.data)
			if err := os.Chmod(p, c.mode); err != nil {
				t.Fatal(err)
			}
			_, err := NewFileStore(dir, FileOptions{IdentityFile: p}).Section(SecretService).Get("a")
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "CREDWIZ_IDENTITY_FILE") {
				t.Errorf("%s: %v", name, err)
			}
		}
		missing := filepath.Join(t.TempDir(), "none")
		if _, err := NewFileStore(dir, FileOptions{IdentityFile: missing}).Section(SecretService).Get("a"); err == nil || !strings.Contains(err.Error(), "does not exist") {
			t.Errorf("missing: %v", err)
		}
	})
}

// TestRecipientsChange: adding encrypts every item to the new set
// (secrets and tokens, owners kept); an interrupted change is finished by
// a sync; the own identity cannot be removed; unknown keys are refused.
func TestRecipientsChange(t *testing.T) {
	dir := t.TempDir()
	st := openFile(t, dir, func(PassphraseRequest) (string, error) { return "pw", nil })
	c := mustAdd(t, st, sampleCredential("a"), map[string]string{"client_secret": "s"})
	if errs, err := st.Record(bg, []Record{{Name: "a", Revision: c.Revision, Token: map[string]string{"access_token": "t"}}}); err != nil || errs[0] != nil {
		t.Fatal(err, errs)
	}
	own, _ := st.File.PublicKey()
	mate, _ := age.GenerateX25519Identity()
	r, _ := ParseRecipient(mate.Recipient().String() + " mate@example.com")
	ch, err := st.ChangeRecipients(bg, []Recipient{r, r}, nil)
	if err != nil || len(ch.Added) != 1 || ch.Reencrypted != 2 {
		t.Fatalf("add = %+v, %v", ch, err)
	}
	rs, _ := st.File.Recipients()
	if len(rs) != 2 || !rs[0].Own || rs[0].Key != own || rs[1].Comment != "mate@example.com" {
		t.Fatalf("Recipients = %+v", rs)
	}
	// The teammate reads both items; owners are kept.
	mateFile := writeKeyFile(t, []byte(mate.String()+"\n"))
	mf := NewFileStore(dir, FileOptions{IdentityFile: mateFile})
	it, err := mf.Section(TokenService).Get("a")
	if err != nil || it.Values["access_token"] != "t" || it.Owner.Rev != c.Revision {
		t.Fatalf("token as the teammate: %+v, %v", it, err)
	}
	if ch, err := st.ChangeRecipients(bg, []Recipient{r}, nil); err != nil || len(ch.Added) != 0 || ch.Reencrypted != 0 {
		t.Fatalf("adding again = %+v, %v", ch, err)
	}
	// An interrupted change: recipients.txt without the items encrypted anew.
	third, _ := age.GenerateX25519Identity()
	r3, _ := ParseRecipient(third.Recipient().String())
	if err := os.WriteFile(st.File.RecipientsPath(), formatRecipientsFile([]Recipient{r, r3}), 0o600); err != nil {
		t.Fatal(err)
	}
	if stale, err := st.File.Stale(); err != nil || len(stale) != 2 {
		t.Fatalf("Stale = %v, %v", stale, err)
	}
	thirdFile := writeKeyFile(t, []byte(third.String()+"\n"))
	if _, err := NewFileStore(dir, FileOptions{IdentityFile: thirdFile}).Section(SecretService).Get("a"); !errors.Is(err, ErrNotRecipient) || !strings.Contains(err.Error(), "recipients sync") {
		t.Fatalf("a stale item read by the new recipient: %v", err)
	}
	if ch, err := st.ChangeRecipients(bg, nil, nil); err != nil || ch.Reencrypted != 2 {
		t.Fatalf("sync = %+v, %v", ch, err)
	}
	assertSecret(t, NewFileStore(dir, FileOptions{IdentityFile: thirdFile}).Section(SecretService), "a", map[string]string{"client_secret": "s"})
	if _, err := st.ChangeRecipients(bg, nil, []string{own}); err == nil || !strings.Contains(err.Error(), "own identity") {
		t.Fatalf("removing the own identity: %v", err)
	}
	if _, err := st.ChangeRecipients(bg, nil, []string{"age1notakey"}); err == nil {
		t.Fatal("removing an invalid key succeeded")
	}
	stranger, _ := age.GenerateX25519Identity()
	if _, err := st.ChangeRecipients(bg, nil, []string{stranger.Recipient().String()}); err == nil || !strings.Contains(err.Error(), "not a recipient") {
		t.Fatalf("removing a stranger: %v", err)
	}
	// Removing the teammate: it reads nothing after.
	if ch, err := st.ChangeRecipients(bg, nil, []string{mate.Recipient().String()}); err != nil || len(ch.Removed) != 1 || ch.Reencrypted != 2 {
		t.Fatalf("rm = %+v, %v", ch, err)
	}
	if _, err := NewFileStore(dir, FileOptions{IdentityFile: mateFile}).Section(SecretService).Get("a"); !errors.Is(err, ErrNotRecipient) {
		t.Fatalf("removed teammate: %v", err)
	}
}

func TestParseRecipient(t *testing.T) {
	x, _ := age.GenerateX25519Identity()
	_, edPub := sshKeyPair(t, "ed25519")
	for _, tt := range []struct {
		in, key, comment, err string
	}{
		{in: x.Recipient().String(), key: x.Recipient().String()},
		{in: "  " + x.Recipient().String() + "  me@host ", key: x.Recipient().String(), comment: "me@host"},
		{in: edPub, key: strings.TrimSuffix(edPub, " test@credwiz"), comment: "test@credwiz"},
		{in: "age1pq1" + strings.Repeat("q", 40), err: "post-quantum"},
		{in: "age1yubikey1" + strings.Repeat("q", 40), err: "plugin"},
		{in: "age1qqqq", err: "not a valid age recipient"},
		{in: "ecdsa-sha2-nistp256 AAAA", err: "cannot be age recipients"},
		{in: "ssh-ed25519", err: "no base64 part"},
		{in: "ssh-ed25519 AAAAnotbase64", err: "not a valid ssh-ed25519"},
		{in: "AGE-SECRET-KEY-1XYZ", err: "not a public key"},
		{in: "x age-secret-key-1xyz", err: "private key"},
		{in: "-----BEGIN OPENSSH PRIVATE KEY-----", err: "private key"},
		{in: "", err: "empty"},
	} {
		r, err := ParseRecipient(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseRecipient(%q) = %+v, %v; want an error with %q", tt.in, r, err, tt.err)
			}
			// What follows the key type is never quoted whole: a
			// mistyped key may be a secret pasted in the wrong place.
			if _, rest, ok := strings.Cut(tt.in, " "); ok && len(rest) > 8 && err != nil && strings.Contains(err.Error(), rest) {
				t.Errorf("ParseRecipient(%q) quotes %q: %v", tt.in, rest, err)
			}
			continue
		}
		if err != nil || r.Key != tt.key || r.Comment != tt.comment {
			t.Errorf("ParseRecipient(%q) = %+v, %v", tt.in, r, err)
		}
	}
}

// TestSessionLeftExact: the time an unlocked session has left is known to
// the second, not in the kernel's whole units (2h30m is not "2h").
func TestSessionLeftExact(t *testing.T) {
	needKeyring(t)
	dir := t.TempDir()
	f := testFileStore(t, dir, "pw")
	mustSet(t, f.Section(SecretService), "a", map[string]string{"k": "v"})
	lockAtEnd(t, f)
	if _, err := f.Unlock(2*time.Hour + 30*time.Minute); err != nil {
		t.Fatal(err)
	}
	open, left, err := NewFileStore(dir, FileOptions{Passphrase: noPrompt(t)}).Session()
	if !open || err != nil || left <= 2*time.Hour+29*time.Minute || left > 2*time.Hour+30*time.Minute {
		t.Fatalf("Session = %v, %v, %v", open, left, err)
	}
	if ok, err := f.Lock(); !ok || err != nil {
		t.Fatalf("Lock = %v, %v", ok, err)
	}
	pub, err := f.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kernelkeyring.Get(sessionUntilDescription(pub)); !errors.Is(err, kernelkeyring.ErrNotFound) {
		t.Errorf("the deadline key outlives the lock: %v", err)
	}
}
