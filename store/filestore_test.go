package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"filippo.io/age"
)

// readIdentity decrypts dir's identity.age with pass, as an operator
// could with age itself.
func readIdentity(t testing.TB, f *FileStore, pass string) *age.X25519Identity {
	t.Helper()
	data, err := os.ReadFile(f.IdentityPath())
	if err != nil {
		t.Fatal(err)
	}
	idf, err := decodeIdentityFile(f.IdentityPath(), data)
	if err != nil {
		t.Fatal(err)
	}
	id, err := unwrapIdentity(f.IdentityPath(), idf, pass)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// noPrompt is a PassphraseFunc that fails the test: the operation must not
// need the passphrase.
func noPrompt(t testing.TB) PassphraseFunc {
	return func(req PassphraseRequest) (string, error) {
		t.Helper()
		t.Errorf("asked for the passphrase of %s (new: %v)", req.Path, req.New)
		return "", errors.New("no passphrase here")
	}
}

// TestFileStoreLayout: one age file per item in secrets/, modes 0700 and
// 0600, no plaintext, the owner in a clear stanza, and the files readable
// with age itself and the identity from identity.age.
func TestFileStoreLayout(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cfg")
	f := testFileStore(t, dir, "pw")
	const secret = "plaintext-canary-7f3a"
	o := Owner{Dir: "0123456789abcdef", Rev: 42}
	if err := f.Section(SecretService).Set("Prod.db", Item{Values: map[string]string{"client_secret": secret}, Owner: o}); err != nil {
		t.Fatal(err)
	}
	if err := f.Section(TokenService).Set("Prod.db", Item{Values: map[string]string{"access_token": "tok-" + secret}, Owner: o}); err != nil {
		t.Fatal(err)
	}
	assertMode(t, dir, 0o700|os.ModeDir)
	assertMode(t, f.Dir(), 0o700|os.ModeDir)
	assertMode(t, f.IdentityPath(), 0o600)
	ents, _ := os.ReadDir(f.Dir())
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
		p := filepath.Join(f.Dir(), e.Name())
		assertMode(t, p, 0o600)
		data, _ := os.ReadFile(p)
		if bytes.Contains(data, []byte(secret)) || bytes.Contains(data, []byte("client_secret")) {
			t.Fatalf("plaintext in %s", p)
		}
	}
	want := []string{"credwiz-token.%50rod%2Edb.age", "credwiz.%50rod%2Edb.age", "identity.age"}
	if !slicesEqual(names, want) {
		t.Fatalf("files %q, want %q", names, want)
	}
	item := filepath.Join(f.Dir(), "credwiz.%50rod%2Edb.age")
	data, _ := os.ReadFile(item)
	if !bytes.HasPrefix(data, []byte("age-encryption.org/v1\n-> credwiz-item credwiz 0123456789abcdef%2F42 ")) {
		t.Fatalf("item header: %q", data[:min(len(data), 90)])
	}
	// age alone decrypts the item with the identity in identity.age.
	r, err := age.Decrypt(bytes.NewReader(data), readIdentity(t, f, "pw"))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(r)
	if string(plain) != `{"client_secret":"`+secret+`"}` {
		t.Fatalf("item plaintext %q", plain)
	}
	idData, _ := os.ReadFile(f.IdentityPath())
	if !bytes.HasPrefix(idData, []byte(identityMagic+"\npublic-key age1")) || !bytes.Contains(idData, []byte("\nage-encryption.org/v1\n-> scrypt ")) {
		t.Fatalf("identity.age: %q", idData[:min(len(idData), 120)])
	}
}

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestFileStoreWritesNeedNoPassphrase: once the store exists, a process
// that cannot be asked anything writes, deletes, copies, lists and reads
// owners; only reading values needs the identity, and says so.
func TestFileStoreWritesNeedNoPassphrase(t *testing.T) {
	dir := t.TempDir()
	mustSet(t, testFileStore(t, dir, "pw").Section(SecretService), "a", map[string]string{"k": "1"})

	f := NewFileStore(dir, FileOptions{Passphrase: noPrompt(t)})
	sec := f.Section(SecretService)
	mustSet(t, sec, "b", map[string]string{"k": "2"})
	if err := sec.(Copier).Copy("b", "c"); err != nil {
		t.Fatal(err)
	}
	if err := sec.(Copier).Copy("nope", "d"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Copy of a missing item: %v", err)
	}
	if err := sec.Delete("a"); err != nil {
		t.Fatal(err)
	}
	if got := mustNames(t, sec.(Lister)); !slicesEqual(got, []string{"b", "c"}) {
		t.Fatalf("List = %q", got)
	}
	if o, err := sec.(OwnerReader).Owner("c"); err != nil || o != testOwner {
		t.Fatalf("Owner(c) = %+v, %v", o, err)
	}
	if _, err := sec.(OwnerReader).Owner("a"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Owner of a deleted item: %v", err)
	}
	if _, err := Probe(sec); err != nil {
		t.Fatal(err)
	}
	if _, err := sec.Get("zzz"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get of a missing item: %v", err)
	}

	locked := NewFileStore(dir, FileOptions{}) // nobody to ask
	if _, err := locked.Section(SecretService).Get("b"); !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "credwiz unlock") {
		t.Fatalf("Get without any identity: %v", err)
	}
	// The copy is the same item.
	assertSecret(t, testFileStore(t, dir, "pw").Section(SecretService), "c", map[string]string{"k": "2"})
}

// TestFileStorePassphraseTries: a wrong passphrase is said at once and
// asked again, at most three times; from the environment, it is not asked
// again.
func TestFileStorePassphraseTries(t *testing.T) {
	dir := t.TempDir()
	mustSet(t, testFileStore(t, dir, "right").Section(SecretService), "a", map[string]string{"k": "v"})
	for _, tt := range []struct {
		name    string
		answers []string
		ok      bool
	}{
		{"right at once", []string{"right"}, true},
		{"right at the third", []string{"wrong1", "wrong2", "right"}, true},
		{"three wrong", []string{"w1", "w2", "w3", "right"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var reqs []PassphraseRequest
			f := NewFileStore(dir, FileOptions{Passphrase: func(req PassphraseRequest) (string, error) {
				reqs = append(reqs, req)
				return tt.answers[len(reqs)-1], nil
			}})
			_, err := f.Section(SecretService).Get("a")
			if tt.ok != (err == nil) {
				t.Fatalf("Get: %v", err)
			}
			want := min(len(tt.answers), MaxPassphraseTries)
			if len(reqs) != want {
				t.Fatalf("asked %d times, want %d", len(reqs), want)
			}
			for i, r := range reqs {
				if r.Attempt != i+1 || (i == 0) != (r.Retry == nil) || r.New || r.Path != f.IdentityPath() {
					t.Fatalf("request %d = %+v", i, r)
				}
				if i > 0 && !errors.Is(r.Retry, ErrWrongPassphrase) {
					t.Fatalf("request %d: Retry = %v", i, r.Retry)
				}
			}
			if !tt.ok {
				if !errors.Is(err, ErrWrongPassphrase) || !strings.Contains(err.Error(), "3 tries") {
					t.Fatalf("after three wrong: %v", err)
				}
				// The process does not ask again.
				if _, err2 := f.Section(TokenService).Get("a"); len(reqs) != 3 || err2 == nil {
					t.Fatalf("asked again after giving up: %d, %v", len(reqs), err2)
				}
			}
		})
	}
	t.Run("from the environment", func(t *testing.T) {
		f := NewFileStore(dir, FileOptions{EnvPassphrase: "wrong", HasEnvPassphrase: true, Passphrase: noPrompt(t)})
		_, err := f.Section(SecretService).Get("a")
		if !errors.Is(err, ErrWrongPassphrase) || !strings.Contains(err.Error(), "CREDWIZ_PASSPHRASE does not open") {
			t.Fatalf("Get: %v", err)
		}
	})
}

// TestFileStoreDamagedIdentity flips every byte of identity.age in turn:
// each is reported as damage, never as a wrong passphrase, and the file is
// never rewritten.
func TestFileStoreDamagedIdentity(t *testing.T) {
	dir := t.TempDir()
	f := testFileStore(t, dir, "pw")
	mustSet(t, f.Section(SecretService), "a", map[string]string{"k": "v"})
	good, _ := os.ReadFile(f.IdentityPath())
	for i := range good {
		bad := bytes.Clone(good)
		bad[i] ^= 0x01
		if err := os.WriteFile(f.IdentityPath(), bad, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := testFileStore(t, dir, "pw").Section(SecretService).Get("a")
		var ce *CorruptError
		if !errors.As(err, &ce) || errors.Is(err, ErrWrongPassphrase) || !strings.Contains(err.Error(), "damaged") {
			t.Fatalf("byte %d flipped: err = %v, want a *CorruptError (damaged)", i, err)
		}
		if after, _ := os.ReadFile(f.IdentityPath()); !bytes.Equal(after, bad) {
			t.Fatalf("byte %d flipped: the file was rewritten", i)
		}
	}
	if err := os.WriteFile(f.IdentityPath(), good, 0o600); err != nil {
		t.Fatal(err)
	}
	// The wrong passphrase on the intact file is a wrong passphrase.
	f2 := NewFileStore(dir, FileOptions{EnvPassphrase: "nope", HasEnvPassphrase: true})
	if _, err := f2.Section(SecretService).Get("a"); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}
}

// TestFileStoreDamagedItem flips bytes of an item's header and body: Get
// says the file is damaged (or, for a recipient stanza, that no identity
// of the store opens an item that was encrypted to it), never returns
// wrong values, and List never fails on a damaged body.
func TestFileStoreDamagedItem(t *testing.T) {
	dir := t.TempDir()
	f := testFileStore(t, dir, "pw")
	sec := f.Section(SecretService)
	mustSet(t, sec, "a", map[string]string{"k": "value"})
	path := filepath.Join(f.Dir(), "credwiz.a.age")
	good, _ := os.ReadFile(path)
	hdrEnd := bytes.Index(good, []byte("\n---")) + 1
	reader := testFileStore(t, dir, "pw").Section(SecretService) // its identity stays resolved
	for i := range good {
		bad := bytes.Clone(good)
		bad[i] ^= 0x01
		if err := os.WriteFile(path, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		it, err := reader.Get("a")
		if err == nil {
			t.Fatalf("byte %d flipped: Get = %v, no error", i, it.Values)
		}
		var ce *CorruptError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), "damaged") {
			t.Fatalf("byte %d (header ends at %d) flipped: err = %v, want damaged", i, hdrEnd, err)
		}
	}
	if err := os.WriteFile(path, good, 0o600); err != nil {
		t.Fatal(err)
	}
	assertSecret(t, sec, "a", map[string]string{"k": "value"})
}

// TestFileStoreSwappedItems: an item file moved under another name or
// service is refused (its owner or service says so), and a file that is
// not credwiz's is damage.
func TestFileStoreSwappedItems(t *testing.T) {
	dir := t.TempDir()
	f := testFileStore(t, dir, "pw")
	mustSet(t, f.Section(TokenService), "a", map[string]string{"access_token": "t"})
	tok := filepath.Join(f.Dir(), "credwiz-token.a.age")
	sec := filepath.Join(f.Dir(), "credwiz.a.age")
	if err := os.Rename(tok, sec); err != nil {
		t.Fatal(err)
	}
	_, err := f.Section(SecretService).Get("a")
	var ce *CorruptError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), `service "credwiz-token"`) {
		t.Fatalf("a token file under a secret's name: %v", err)
	}
	if _, err := f.Section(SecretService).(Lister).List(); !errors.As(err, &ce) {
		t.Fatalf("List with a misplaced item: %v", err)
	}
	if err := os.WriteFile(sec, []byte("hello\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Section(SecretService).Get("a"); !errors.As(err, &ce) || !strings.Contains(err.Error(), "not an age file") {
		t.Fatalf("not an age file: %v", err)
	}
}

// TestFileStoreConcurrentCreate: goroutines of one process and two
// processes' stores creating the store at once agree on one identity,
// and every item written is readable.
func TestFileStoreConcurrentCreate(t *testing.T) {
	dir := t.TempDir()
	stores := []*FileStore{testFileStore(t, dir, "pw"), testFileStore(t, dir, "pw")}
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			if err := stores[i%2].Section(SecretService).Set(fmt.Sprintf("n%02d", i), Item{Values: map[string]string{"k": fmt.Sprint(i)}}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	fresh := testFileStore(t, dir, "pw").Section(SecretService)
	for i := range 16 {
		assertSecret(t, fresh, fmt.Sprintf("n%02d", i), map[string]string{"k": fmt.Sprint(i)})
	}
	if n := mustNames(t, fresh.(Lister)); len(n) != 16 {
		t.Fatalf("%d items", len(n))
	}
}

// TestFileStoreCreatedMeanwhile: two commands each chose a new passphrase
// for a store that did not exist (Prepare, before the index lock); the
// first to write creates the store. The second's write is refused, and
// nothing of it written, when its passphrase does not open that store (it
// would believe its own protects what it saved); with the same passphrase
// (CREDWIZ_PASSPHRASE in two scripts) it writes, and reads back.
func TestFileStoreCreatedMeanwhile(t *testing.T) {
	dir := t.TempDir()
	first, other, same := testFileStore(t, dir, "passphrase one"), testFileStore(t, dir, "passphrase two"), testFileStore(t, dir, "passphrase one")
	for _, f := range []*FileStore{first, other, same} {
		if err := f.Prepare(); err != nil {
			t.Fatal(err)
		}
	}
	mustSet(t, first.Section(SecretService), "a", map[string]string{"k": "one"})
	err := other.Section(SecretService).Set("b", Item{Values: map[string]string{"k": "two"}})
	if err == nil || !strings.Contains(err.Error(), "another credwiz created the encrypted file store") || !strings.Contains(err.Error(), "run the command again") {
		t.Fatalf("a write under a passphrase that does not open the store created meanwhile: err = %v", err)
	}
	if _, err := first.Section(SecretService).Get("b"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the refused item was written: %v", err)
	}
	mustSet(t, same.Section(SecretService), "c", map[string]string{"k": "three"})
	assertSecret(t, same.Section(SecretService), "a", map[string]string{"k": "one"})
	assertSecret(t, testFileStore(t, dir, "passphrase one").Section(SecretService), "c", map[string]string{"k": "three"})
}

// TestFileStorePrepare: Prepare asks for a new store's passphrase (marked
// New) once and nothing for an existing store.
func TestFileStorePrepare(t *testing.T) {
	dir := t.TempDir()
	var reqs []PassphraseRequest
	f := NewFileStore(dir, FileOptions{Passphrase: func(req PassphraseRequest) (string, error) {
		reqs = append(reqs, req)
		return "new-pass", nil
	}})
	f.WorkFactor = testWorkFactor
	if err := f.Prepare(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(f.Dir()); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("Prepare created the store")
	}
	mustSet(t, f.Section(SecretService), "a", map[string]string{"k": "v"})
	if len(reqs) != 1 || !reqs[0].New {
		t.Fatalf("requests %+v, want one for a new passphrase", reqs)
	}
	if err := NewFileStore(dir, FileOptions{Passphrase: noPrompt(t)}).Prepare(); err != nil {
		t.Fatal(err)
	}
	assertSecret(t, testFileStore(t, dir, "new-pass").Section(SecretService), "a", map[string]string{"k": "v"})
	// Nobody to ask for a new store's passphrase: said, nothing created.
	dir2 := t.TempDir()
	err := NewFileStore(dir2, FileOptions{}).Section(SecretService).Set("a", Item{})
	if err == nil || !strings.Contains(err.Error(), "set CREDWIZ_PASSPHRASE") {
		t.Fatalf("create without a passphrase: %v", err)
	}
	if ents, _ := os.ReadDir(dir2); len(ents) != 0 {
		t.Fatalf("files left: %v", ents)
	}
}

// TestChangePassphrase: only identity.age changes; the old passphrase no
// longer opens it, the new one does, and the items are untouched.
func TestChangePassphrase(t *testing.T) {
	dir := t.TempDir()
	f := testFileStore(t, dir, "old")
	mustSet(t, f.Section(SecretService), "a", map[string]string{"k": "v"})
	item := filepath.Join(f.Dir(), "credwiz.a.age")
	before, _ := os.ReadFile(item)
	pub, _ := f.PublicKey()

	wrong := NewFileStore(dir, FileOptions{EnvPassphrase: "bad", HasEnvPassphrase: true})
	if err := wrong.ChangePassphrase(func() (string, error) { t.Fatal("asked for a new passphrase"); return "", nil }); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("with a wrong current passphrase: %v", err)
	}
	c := testFileStore(t, dir, "old")
	if err := c.ChangePassphrase(func() (string, error) { return "new", nil }); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(item); !bytes.Equal(before, after) {
		t.Fatal("an item changed")
	}
	if p, _ := c.PublicKey(); p != pub {
		t.Fatal("the identity changed")
	}
	if _, err := NewFileStore(dir, FileOptions{EnvPassphrase: "old", HasEnvPassphrase: true}).Section(SecretService).Get("a"); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("the old passphrase still opens it: %v", err)
	}
	assertSecret(t, testFileStore(t, dir, "new").Section(SecretService), "a", map[string]string{"k": "v"})
	assertMode(t, f.IdentityPath(), 0o600)
}

// TestRenameAndDeleteNeedNoKey: on the file store, Store.Change renames a
// credential by copying its item, and Delete removes it, without asking
// for the passphrase.
func TestRenameAndDeleteNeedNoKey(t *testing.T) {
	dir := t.TempDir()
	st := openFile(t, dir, func(PassphraseRequest) (string, error) { return "pw", nil })
	a := mustAdd(t, st, sampleCredential("a"), map[string]string{"client_secret": "s-a"})
	mustAdd(t, st, sampleCredential("b"), map[string]string{"client_secret": "s-b"})

	st = openFile(t, dir, noPrompt(t))
	if _, err := st.Change(bg, "a", a.Revision, Change{Name: "z", Description: desc("renamed")}); err != nil {
		t.Fatal(err)
	}
	if err := st.Delete(bg, "b"); err != nil {
		t.Fatal(err)
	}
	if h, err := st.Check(bg); err != nil || !h.Clean() {
		t.Fatalf("Check: %+v, %v", h, err)
	}
	st = openFile(t, dir, func(PassphraseRequest) (string, error) { return "pw", nil })
	if m, err := secretOf(st, "z"); err != nil || m["client_secret"] != "s-a" {
		t.Fatalf("secret of z = %v, %v", m, err)
	}
	if ents, _ := os.ReadDir(st.File.Dir()); len(ents) != 2 {
		t.Fatalf("files: %v", ents)
	}
}

// openFile opens the file store of config dir dir with a low work factor
// and passphrase function ask (CREDWIZ_PASSPHRASE unset).
func openFile(t testing.TB, dir string, ask PassphraseFunc) *Store {
	t.Helper()
	unsetEnv(t, "CREDWIZ_PASSPHRASE")
	unsetEnv(t, "CREDWIZ_IDENTITY_FILE")
	st, err := Open(Options{Dir: dir, Kind: KindFile, Passphrase: ask, WorkFactor: testWorkFactor})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// unsetEnv unsets key for the test, restoring it after.
func unsetEnv(t testing.TB, key string) {
	if v, ok := os.LookupEnv(key); ok {
		t.Cleanup(func() { os.Setenv(key, v) })
		os.Unsetenv(key)
	}
}

// TestFileStoreParallelAdds: 20 concurrent adds through the protocol all
// land, each readable.
func TestFileStoreParallelAdds(t *testing.T) {
	dir := t.TempDir()
	st := openFile(t, dir, func(PassphraseRequest) (string, error) { return "pw", nil })
	mustAdd(t, st, sampleCredential("seed"), map[string]string{"k": "seed"})
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			s := openFile(t, dir, noPrompt(t))
			n := fmt.Sprintf("p%02d", i)
			if err := addErr(s, sampleCredential(n), map[string]string{"k": n}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	creds, _ := st.Index.List()
	if len(creds) != 21 {
		t.Fatalf("%d credentials, want 21", len(creds))
	}
	for _, c := range creds {
		m, err := st.Secret(c)
		if err != nil || m["k"] != c.Name {
			t.Fatalf("%s: %v, %v", c.Name, m, err)
		}
	}
}

// TestFileStoreReadsEveryOwner: the protocol's owner checks hold on the
// file store: an item of another config dir is refused, not returned.
func TestFileStoreReadsEveryOwner(t *testing.T) {
	dir := t.TempDir()
	st := openFile(t, dir, func(PassphraseRequest) (string, error) { return "pw", nil })
	c := mustAdd(t, st, sampleCredential("a"), map[string]string{"k": "mine"})
	if err := st.Secrets.Set("a", Item{Values: map[string]string{"k": "theirs"}, Owner: Owner{Dir: "ffffffffffffffff", Rev: c.SecretRevision}}); err != nil {
		t.Fatal(err)
	}
	if m, err := st.Secret(c); !errors.Is(err, ErrForeignItem) {
		t.Fatalf("Secret of a foreign item = %v, %v", m, err)
	}
	h, err := st.Check(bg)
	if err != nil || len(h.Mismatched) != 1 {
		t.Fatalf("Check = %+v, %v", h, err)
	}
	_ = maps.Clone(map[string]string{})
}

// TestFileStoreHostileDir: a secrets dir others can write, or owned by
// someone else, or a symlink's target a file, is refused with its fix.
func TestFileStoreHostileDir(t *testing.T) {
	dir := t.TempDir()
	f := testFileStore(t, dir, "pw")
	mustSet(t, f.Section(SecretService), "a", map[string]string{"k": "v"})
	if err := os.Chmod(f.Dir(), 0o777); err != nil {
		t.Fatal(err)
	}
	for op, err := range map[string]error{
		"Get":  func() error { _, err := testFileStore(t, dir, "pw").Section(SecretService).Get("a"); return err }(),
		"Set":  testFileStore(t, dir, "pw").Section(SecretService).Set("b", Item{}),
		"List": func() error { _, err := f.Section(SecretService).(Lister).List(); return err }(),
	} {
		if !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), "chmod 700 "+f.Dir()) {
			t.Errorf("%s with a 0777 secrets dir: %v", op, err)
		}
	}
	if err := os.Chmod(f.Dir(), 0o700); err != nil {
		t.Fatal(err)
	}
	// A regular file where the secrets dir belongs.
	dir2 := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir2, SecretsDirName), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := testFileStore(t, dir2, "pw").Section(SecretService).Set("a", Item{}); !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), "not a directory") {
		t.Fatalf("a file as the secrets dir: %v", err)
	}
}
