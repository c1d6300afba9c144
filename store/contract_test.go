package store

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// strconvI formats n.
func strconvI(n int64) string { return strconv.FormatInt(n, 10) }

// newSecretsPair returns two Secrets of one backend: the secrets service
// and the tokens service, both empty.
type newSecretsPair func(t *testing.T) (secrets, tokens Secrets)

// runSecretsContract is the behaviour every Secrets implementation shares.
func runSecretsContract(t *testing.T, newPair newSecretsPair) {
	t.Run("round trip with unicode", func(t *testing.T) {
		s, _ := newPair(t)
		want := map[string]string{
			"client_secret": "s3cr€t-ü-日本語-🔑",
			"multi":         "line1\nline2\t\"quoted\" \\ back\x01slash",
			"empty":         "",
		}
		mustSet(t, s, "alpha", want)
		assertSecret(t, s, "alpha", want)
	})
	t.Run("overwrite replaces the whole map", func(t *testing.T) {
		s, _ := newPair(t)
		mustSet(t, s, "a", map[string]string{"k1": "v1", "k2": "v2"})
		mustSet(t, s, "a", map[string]string{"k3": "v3"})
		assertSecret(t, s, "a", map[string]string{"k3": "v3"})
	})
	t.Run("empty and nil maps", func(t *testing.T) {
		s, _ := newPair(t)
		mustSet(t, s, "empty", map[string]string{})
		assertSecret(t, s, "empty", map[string]string{})
		mustSet(t, s, "nil", nil)
		assertSecret(t, s, "nil", map[string]string{})
	})
	t.Run("delete then get and delete again", func(t *testing.T) {
		s, _ := newPair(t)
		mustSet(t, s, "gone", map[string]string{"k": "v"})
		if err := s.Delete("gone"); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if _, err := s.Get("gone"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Get after Delete: err = %v, want ErrNotFound", err)
		}
		if err := s.Delete("gone"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("second Delete: err = %v, want ErrNotFound", err)
		}
	})
	t.Run("missing name", func(t *testing.T) {
		s, _ := newPair(t)
		if _, err := s.Get("never-saved"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Get: err = %v, want ErrNotFound", err)
		}
		if err := s.Delete("never-saved"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Delete: err = %v, want ErrNotFound", err)
		}
	})
	t.Run("names", func(t *testing.T) {
		s, _ := newPair(t)
		l, ok := s.(Lister)
		if !ok {
			t.Skip("not a Lister")
		}
		if got := mustNames(t, l); len(got) != 0 {
			t.Fatalf("Names of an empty store = %q", got)
		}
		for _, n := range []string{"prod-b", "prod-a", "prod.c"} {
			mustSet(t, s, n, map[string]string{"k": n})
		}
		if err := s.Delete("prod-b"); err != nil {
			t.Fatal(err)
		}
		if got, want := mustNames(t, l), []string{"prod-a", "prod.c"}; !slices.Equal(got, want) {
			t.Fatalf("Names = %q, want %q", got, want)
		}
	})
	t.Run("isolation between names", func(t *testing.T) {
		s, _ := newPair(t)
		mustSet(t, s, "iso", map[string]string{"k": "one"})
		mustSet(t, s, "iso2", map[string]string{"k": "two"})
		mustSet(t, s, "iso.x", map[string]string{"k": "three"})
		if err := s.Delete("iso"); err != nil {
			t.Fatal(err)
		}
		assertSecret(t, s, "iso2", map[string]string{"k": "two"})
		assertSecret(t, s, "iso.x", map[string]string{"k": "three"})
	})
	t.Run("isolation between services", func(t *testing.T) {
		s, tok := newPair(t)
		mustSet(t, s, "same", map[string]string{"client_secret": "secret-side"})
		mustSet(t, tok, "same", map[string]string{"access_token": "token-side"})
		mustSet(t, tok, "token-only", map[string]string{"access_token": "t"})
		assertSecret(t, s, "same", map[string]string{"client_secret": "secret-side"})
		assertSecret(t, tok, "same", map[string]string{"access_token": "token-side"})
		if _, err := s.Get("token-only"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("secrets see the tokens' name: err = %v", err)
		}
		if l, ok := s.(Lister); ok {
			if got := mustNames(t, l); !slices.Equal(got, []string{"same"}) {
				t.Fatalf("secrets' Names = %q, want [same]", got)
			}
		}
		if err := tok.Delete("same"); err != nil {
			t.Fatal(err)
		}
		assertSecret(t, s, "same", map[string]string{"client_secret": "secret-side"})
	})
	t.Run("owner round trip", func(t *testing.T) {
		s, _ := newPair(t)
		for _, o := range []Owner{{}, {Dir: "0123456789abcdef", Rev: 1}, {Dir: "fedcba9876543210", Rev: 1 << 40}} {
			acct := "owned-" + strconvI(o.Rev)
			want := Item{Values: map[string]string{"k": "v"}, Owner: o}
			if err := s.Set(acct, want); err != nil {
				t.Fatal(err)
			}
			got, err := s.Get(acct)
			if err != nil {
				t.Fatal(err)
			}
			if got.Owner != o || !maps.Equal(got.Values, want.Values) {
				t.Fatalf("Get(%q) = %+v, want %+v", acct, got, want)
			}
		}
		mustSet(t, s, "owned-0", map[string]string{"k": "w"}) // a new owner replaces the old
		if got, _ := s.Get("owned-0"); got.Owner != testOwner {
			t.Fatalf("owner after a rewrite = %+v, want %+v", got.Owner, testOwner)
		}
	})
	t.Run("staged accounts", func(t *testing.T) {
		s, _ := newPair(t)
		staged := stagedAccount("prod-db", 7, "0123456789abcdef")
		mustSet(t, s, "prod-db", map[string]string{"k": "old"})
		mustSet(t, s, staged, map[string]string{"k": "new"})
		assertSecret(t, s, "prod-db", map[string]string{"k": "old"})
		assertSecret(t, s, staged, map[string]string{"k": "new"})
		if err := s.Delete(staged); err != nil {
			t.Fatal(err)
		}
		assertSecret(t, s, "prod-db", map[string]string{"k": "old"})
	})
	t.Run("large values", func(t *testing.T) {
		s, _ := newPair(t)
		want := map[string]string{}
		for i := range 4 {
			want[fmt.Sprintf("key%d", i)] = strings.Repeat(randomHex(8), 8192/16)
		}
		mustSet(t, s, "large", want)
		assertSecret(t, s, "large", want)
	})
	t.Run("returned maps are copies", func(t *testing.T) {
		s, _ := newPair(t)
		in := map[string]string{"k": "v"}
		mustSet(t, s, "copy", in)
		in["k"] = "changed after Set"
		got, err := s.Get("copy")
		if err != nil {
			t.Fatal(err)
		}
		got.Values["k"] = "changed after Get"
		assertSecret(t, s, "copy", map[string]string{"k": "v"})
	})
	t.Run("concurrent use", func(t *testing.T) {
		s, _ := newPair(t)
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for i := range 8 {
			wg.Go(func() {
				name := fmt.Sprintf("conc-%d", i)
				want := map[string]string{"k": name}
				if err := s.Set(name, Item{Values: want}); err != nil {
					errs <- err
					return
				}
				got, err := s.Get(name)
				if err != nil {
					errs <- err
				} else if !maps.Equal(got.Values, want) {
					errs <- fmt.Errorf("%s: got %v", name, got)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
}

func TestMemoryContract(t *testing.T) {
	runSecretsContract(t, func(t *testing.T) (Secrets, Secrets) { return NewMemory(), NewMemory() })
}

func TestFileStoreContract(t *testing.T) {
	runSecretsContract(t, func(t *testing.T) (Secrets, Secrets) {
		f := testFileStore(t, t.TempDir(), "correct horse")
		return f.Section(SecretService), f.Section(TokenService)
	})
}

// TestFileStoreFreshInstanceContract runs the contract with a new
// FileStore for every call, as separate processes would: nothing passes
// through an in-process cache of the identity.
func TestFileStoreFreshInstanceContract(t *testing.T) {
	runSecretsContract(t, func(t *testing.T) (Secrets, Secrets) {
		dir := t.TempDir()
		return freshFile{dir, SecretService}, freshFile{dir, TokenService}
	})
}

func TestKeychainContract(t *testing.T) {
	requireKeychain(t)
	runSecretsContract(t, func(t *testing.T) (Secrets, Secrets) {
		svc := testService(t)
		tok := svc + "-token"
		t.Cleanup(func() { wipeKeychainService(t, tok) })
		return testKeychain(svc, 10*time.Second), testKeychain(tok, 10*time.Second)
	})
}

// freshFile opens its store anew for each call.
type freshFile struct{ dir, service string }

func (a freshFile) sec() Secrets {
	f := NewFileStore(a.dir, FileOptions{Passphrase: func(PassphraseRequest) (string, error) { return "fresh pass", nil }})
	f.WorkFactor = testWorkFactor
	return f.Section(a.service)
}
func (a freshFile) Get(n string) (Item, error)  { return a.sec().Get(n) }
func (a freshFile) Set(n string, it Item) error { return a.sec().Set(n, it) }
func (a freshFile) Delete(n string) error       { return a.sec().Delete(n) }
func (a freshFile) List() ([]Listed, error)     { return a.sec().(Lister).List() }

// testWorkFactor is the scrypt work factor of test stores: fast, not safe.
const testWorkFactor = 10

// testFileStore returns the file store of config dir dir with passphrase
// pass and a low work factor; any prompt answers pass.
func testFileStore(t testing.TB, dir, pass string) *FileStore {
	f := NewFileStore(dir, FileOptions{Passphrase: func(PassphraseRequest) (string, error) { return pass, nil }})
	f.WorkFactor = testWorkFactor
	return f
}

// testOwner is the owner mustSet writes.
var testOwner = Owner{Dir: "7e57d1r0000000aa", Rev: 3}

func mustSet(t testing.TB, s Secrets, name string, m map[string]string) {
	t.Helper()
	if err := s.Set(name, Item{Values: m, Owner: testOwner}); err != nil {
		t.Fatalf("Set(%q): %v", name, err)
	}
}

func assertSecret(t testing.TB, s Secrets, name string, want map[string]string) {
	t.Helper()
	it, err := s.Get(name)
	if err != nil {
		t.Fatalf("Get(%q): %v", name, err)
	}
	if got := it.Values; got == nil || !maps.Equal(got, want) {
		t.Fatalf("Get(%q) = %q, want %q", name, got, want)
	}
}

func mustNames(t testing.TB, l Lister) []string {
	t.Helper()
	items, err := l.List()
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	names := make([]string, len(items))
	for i, it := range items {
		names[i] = it.Account
	}
	slices.Sort(names)
	return names
}
