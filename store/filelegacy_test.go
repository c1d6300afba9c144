package store

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
)

// writeLegacy writes secrets.age as credwiz wrote it before per-item
// files: one scrypt age file holding every service's items as JSON, the
// owner in the reserved member.
func writeLegacy(t testing.TB, path, pass string, services map[string]map[string]Item) {
	t.Helper()
	c := legacyContent{Version: 1, Services: map[string]map[string]map[string]string{}}
	for svc, items := range services {
		c.Services[svc] = map[string]map[string]string{}
		for acct, it := range items {
			c.Services[svc][acct] = withOwner(it.Values, it.Owner)
		}
	}
	r, err := age.NewScryptRecipient(pass)
	if err != nil {
		t.Fatal(err)
	}
	r.SetWorkFactor(testWorkFactor)
	fh, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	w, err := age.Encrypt(fh, r)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.NewEncoder(w).Encode(c); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := fh.Close(); err != nil {
		t.Fatal(err)
	}
}

// legacyConfigDir makes a config dir in today's format: an index with
// credentials a and b (owned items) and secrets.age holding their secrets,
// a's cached token, and an item of another config dir.
func legacyConfigDir(t *testing.T, pass string) (dir string, a, b Credential) {
	dir = t.TempDir()
	st := &Store{Index: NewIndex(dir), Secrets: NewMemory(), Tokens: NewMemory(), Kind: KindFile}
	a = mustAdd(t, st, sampleCredential("a"), map[string]string{"client_secret": "sa"})
	b = mustAdd(t, st, sampleCredential("b"), map[string]string{"client_secret": "sb"})
	id, _ := st.DirID()
	writeLegacy(t, filepath.Join(dir, AgeFileName), pass, map[string]map[string]Item{
		SecretService: {
			"a":     {Values: map[string]string{"client_secret": "sa"}, Owner: Owner{Dir: id, Rev: a.SecretRevision}},
			"b":     {Values: map[string]string{"client_secret": "sb"}, Owner: Owner{Dir: id, Rev: b.SecretRevision}},
			"other": {Values: map[string]string{"client_secret": "so"}, Owner: Owner{Dir: "0000000000000000", Rev: 9}},
		},
		TokenService: {"a": {Values: map[string]string{"access_token": "ta"}, Owner: Owner{Dir: id, Rev: a.Revision}}},
	})
	return dir, a, b
}

// TestLegacyReadThenConvert: a config dir in today's format is read as it
// is, then converted by its first write, keeping the passphrase, the
// owners, the tokens and the other config dir's item; secrets.age goes.
func TestLegacyReadThenConvert(t *testing.T) {
	dir, a, _ := legacyConfigDir(t, "old-pass")
	var asked int
	st := openFile(t, dir, func(req PassphraseRequest) (string, error) {
		asked++
		if req.New {
			t.Error("asked for a new passphrase during a conversion")
		}
		return "old-pass", nil
	})
	if state, _ := st.File.State(); state != FileLegacy {
		t.Fatalf("State = %v", state)
	}
	if m, err := st.Secret(a); err != nil || m["client_secret"] != "sa" {
		t.Fatalf("Secret before conversion = %v, %v", m, err)
	}
	if tok, err := st.CachedToken(a); err != nil || tok["access_token"] != "ta" {
		t.Fatalf("CachedToken before conversion = %v, %v", tok, err)
	}
	if _, err := os.Stat(st.File.Dir()); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a read converted the store")
	}
	mustAdd(t, st, sampleCredential("c"), map[string]string{"client_secret": "sc"})
	if asked != 1 {
		t.Fatalf("asked %d times, want once", asked)
	}
	if _, err := os.Stat(filepath.Join(dir, AgeFileName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("secrets.age is still there")
	}
	// A fresh process with the same passphrase reads everything.
	st = openFile(t, dir, func(PassphraseRequest) (string, error) { return "old-pass", nil })
	for n, want := range map[string]string{"a": "sa", "b": "sb", "c": "sc"} {
		if m, err := secretOf(st, n); err != nil || m["client_secret"] != want {
			t.Fatalf("secret of %s = %v, %v", n, m, err)
		}
	}
	if tok, err := st.CachedToken(mustCred(t, st, "a")); err != nil || tok["access_token"] != "ta" {
		t.Fatalf("token after conversion = %v, %v", tok, err)
	}
	h, err := st.Check(bg)
	if err != nil || len(h.Foreign) != 1 || h.Foreign[0].Account != "other" || len(h.Orphans)+len(h.Missing)+len(h.Mismatched) != 0 {
		t.Fatalf("Check after conversion = %+v, %v", h, err)
	}
}

// TestLegacyWrongPassphraseAndDamage: the old file's wrong passphrase is
// said (with the caveat that it cannot tell damage apart), and a file that
// is not age at all is damaged; nothing is converted.
func TestLegacyWrongPassphraseAndDamage(t *testing.T) {
	dir, a, _ := legacyConfigDir(t, "old-pass")
	st := openFile(t, dir, func(PassphraseRequest) (string, error) { return "nope", nil })
	_, err := st.Secret(a)
	if !errors.Is(err, ErrWrongPassphrase) || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("wrong passphrase: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, AgeFileName), []byte("not age\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	st = openFile(t, dir, func(PassphraseRequest) (string, error) { return "old-pass", nil })
	var ce *CorruptError
	if _, err := st.Secret(a); !errors.As(err, &ce) {
		t.Fatalf("damaged: %v", err)
	}
	if err := addErr(st, sampleCredential("c"), map[string]string{"k": "v"}); !errors.As(err, &ce) {
		t.Fatalf("a write over a damaged secrets.age: %v", err)
	}
	if _, err := os.Stat(st.File.IdentityPath()); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("converted a damaged file")
	}
}

// TestLegacyConversionInterrupted: a conversion that fails before its
// commit leaves the old file in use; one killed after its commit leaves
// secrets.age behind, which nothing reads and doctor removes.
func TestLegacyConversionInterrupted(t *testing.T) {
	dir, a, _ := legacyConfigDir(t, "old-pass")
	pass := func(PassphraseRequest) (string, error) { return "old-pass", nil }
	// Before the commit: an item file cannot be written.
	blocker := filepath.Join(dir, SecretsDirName, "credwiz.b.age")
	if err := os.MkdirAll(blocker, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, SecretsDirName), 0o700); err != nil {
		t.Fatal(err)
	}
	st := openFile(t, dir, pass)
	if err := addErr(st, sampleCredential("c"), map[string]string{"k": "v"}); err == nil {
		t.Fatal("the conversion went through a blocked item")
	}
	st = openFile(t, dir, pass)
	if state, _ := st.File.State(); state != FileLegacy {
		t.Fatalf("State after a failed conversion = %v", state)
	}
	if m, err := st.Secret(a); err != nil || m["client_secret"] != "sa" {
		t.Fatalf("Secret after a failed conversion = %v, %v", m, err)
	}
	if err := os.Remove(blocker); err != nil {
		t.Fatal(err)
	}
	// After the commit: the process dies before removing secrets.age.
	st = openFile(t, dir, pass)
	st.Hook = func(s Step) {
		if s == StepConverted {
			panic("killed")
		}
	}
	func() {
		defer func() { _ = recover() }()
		_ = addErr(st, sampleCredential("c"), map[string]string{"k": "v"})
	}()
	st = openFile(t, dir, pass)
	if state, _ := st.File.State(); state != FileReady {
		t.Fatalf("State after the commit = %v", state)
	}
	if m, err := st.Secret(a); err != nil || m["client_secret"] != "sa" {
		t.Fatalf("Secret after the commit = %v, %v", m, err)
	}
	h, err := st.Check(bg)
	if err != nil || len(h.Temps) != 1 || filepath.Base(h.Temps[0]) != AgeFileName {
		t.Fatalf("Check = %+v, %v; want secrets.age as a leftover", h, err)
	}
	if _, err := st.Repair(bg, false); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, AgeFileName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("Repair left secrets.age")
	}
}

// TestLegacyHostile: secrets.age as a link to /dev/zero is refused at
// once, by a read and by a write.
func TestLegacyHostile(t *testing.T) {
	dir := t.TempDir()
	mustSymlink(t, "/dev/zero", filepath.Join(dir, AgeFileName))
	st := openFile(t, dir, func(PassphraseRequest) (string, error) { return "pw", nil })
	if _, err := st.Secrets.Get("a"); !errors.Is(err, ErrUntrusted) {
		t.Fatalf("Get: %v", err)
	}
	if err := st.Secrets.Set("a", Item{}); !errors.Is(err, ErrUntrusted) {
		t.Fatalf("Set: %v", err)
	}
}
