package store

import (
	"bytes"
	"errors"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder is a Secrets over a Memory that logs calls, can fail them, and
// checks the index at the moment of each call.
type recorder struct {
	*Memory
	mu      sync.Mutex
	label   string
	log     *[]string
	failGet error
	failSet error
	failDel error
	onCall  func(op, name string)
}

func (r *recorder) note(op, name string) {
	r.mu.Lock()
	*r.log = append(*r.log, r.label+"."+op+"("+name+")")
	r.mu.Unlock()
	if r.onCall != nil {
		r.onCall(op, name)
	}
}

func (r *recorder) Get(name string) (map[string]string, error) {
	if r.failGet != nil {
		return nil, r.failGet
	}
	return r.Memory.Get(name)
}

func (r *recorder) Set(name string, m map[string]string) error {
	r.note("set", name)
	if r.failSet != nil {
		return r.failSet
	}
	return r.Memory.Set(name, m)
}

func (r *recorder) Delete(name string) error {
	r.note("delete", name)
	if r.failDel != nil {
		return r.failDel
	}
	return r.Memory.Delete(name)
}

// newTestStore returns a Store over recorders sharing one log.
func newTestStore(t *testing.T) (*Store, *recorder, *recorder, *[]string) {
	t.Helper()
	log := new([]string)
	sec := &recorder{Memory: NewMemory(), label: "secrets", log: log}
	tok := &recorder{Memory: NewMemory(), label: "tokens", log: log}
	st := &Store{Index: NewIndex(t.TempDir()), Secrets: sec, Tokens: tok, Kind: KindMemory}
	st.Hook = func(s Step) { *log = append(*log, "step:"+string(s)) }
	return st, sec, tok, log
}

func TestSaveOrderAndKind(t *testing.T) {
	st, sec, _, log := newTestStore(t)
	sec.onCall = func(op, name string) {
		if _, err := st.Index.Get(name); !errors.Is(err, ErrNotFound) {
			t.Errorf("the metadata of %q was written before its secret (err %v)", name, err)
		}
	}
	if err := st.Save(sampleCredential("a"), map[string]string{"client_secret": "s1"}, SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	// A new name has no cached token: no token call at all.
	want := []string{"secrets.set(a)", "step:secret-written", "step:index-written", "step:tokens-dropped"}
	if !slices.Equal(*log, want) {
		t.Fatalf("Save steps = %q, want %q", *log, want)
	}
	if k, _ := st.Index.Kind(); k != KindMemory {
		t.Fatalf("recorded kind = %q, want memory", k)
	}
	assertSecret(t, sec, "a", map[string]string{"client_secret": "s1"})
}

func TestSaveExistsAndReplace(t *testing.T) {
	st, sec, _, _ := newTestStore(t)
	c := sampleCredential("a")
	if err := st.Save(c, map[string]string{"k": "1"}, SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(st.Index.Path())
	err := st.Save(c, map[string]string{"k": "2"}, SaveOptions{})
	if !errors.Is(err, ErrExists) {
		t.Fatalf("Save over an existing name: err = %v, want ErrExists", err)
	}
	assertSecret(t, sec, "a", map[string]string{"k": "1"})
	if after, _ := os.ReadFile(st.Index.Path()); !bytes.Equal(before, after) {
		t.Fatal("refused Save changed the index")
	}
	if err := st.Save(c, map[string]string{"k": "2"}, SaveOptions{Replace: true}); err != nil {
		t.Fatal(err)
	}
	assertSecret(t, sec, "a", map[string]string{"k": "2"})
	if err := st.Save(c, map[string]string{"k": "3"}, SaveOptions{Previous: "a"}); err != nil {
		t.Fatalf("editing in place: %v", err)
	}
	assertSecret(t, sec, "a", map[string]string{"k": "3"})
}

func TestSaveTimestamps(t *testing.T) {
	st, _, _, _ := newTestStore(t)
	fixed := time.Date(2026, 11, 22, 20, 0, 0, 500, time.UTC)
	now = func() time.Time { return fixed }
	defer func() { now = time.Now }()
	c := Credential{Name: "a", Connector: "drift", SecretsUpdatedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	if err := st.Save(c, map[string]string{"k": "v"}, SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	got, _ := st.Index.Get("a")
	want := fixed.Truncate(time.Second)
	if !got.CreatedAt.Equal(want) || !got.UpdatedAt.Equal(want) || !got.SecretsUpdatedAt.Equal(c.SecretsUpdatedAt) {
		t.Fatalf("timestamps = %v %v %v", got.CreatedAt, got.UpdatedAt, got.SecretsUpdatedAt)
	}
	created := got.CreatedAt
	now = func() time.Time { return fixed.Add(time.Hour) }
	if err := st.Save(got, nil, SaveOptions{Previous: "a"}); err != nil {
		t.Fatal(err)
	}
	got, _ = st.Index.Get("a")
	if !got.CreatedAt.Equal(created) || !got.UpdatedAt.Equal(want.Add(time.Hour)) {
		t.Fatalf("after edit: created %v updated %v", got.CreatedAt, got.UpdatedAt)
	}
}

// TestSaveSecretFailureLeavesIndexUnchanged: a Save whose secret write
// fails leaves the index byte for byte as it was (or absent).
func TestSaveSecretFailureLeavesIndexUnchanged(t *testing.T) {
	for _, existing := range []bool{false, true} {
		st, sec, _, _ := newTestStore(t)
		if existing {
			if err := st.Save(sampleCredential("keep"), map[string]string{"k": "v"}, SaveOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		before, beforeErr := os.ReadFile(st.Index.Path())
		sec.failSet = ErrUnavailable
		for _, o := range []SaveOptions{{}, {Replace: true}} {
			name := "new"
			if o.Replace && existing {
				name = "keep"
			}
			err := st.Save(sampleCredential(name), map[string]string{"k": "new"}, o)
			if !errors.Is(err, ErrUnavailable) {
				t.Fatalf("Save: err = %v, want the secret store's error", err)
			}
		}
		after, afterErr := os.ReadFile(st.Index.Path())
		if !bytes.Equal(before, after) || (beforeErr == nil) != (afterErr == nil) {
			t.Fatalf("index changed after failed saves (existing=%v):\n%s\n---\n%s", existing, before, after)
		}
	}
}

func TestSaveRenameMovesSecret(t *testing.T) {
	st, sec, tok, log := newTestStore(t)
	if err := st.Save(sampleCredential("old"), map[string]string{"client_secret": "s"}, SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	mustSet(t, tok, "old", map[string]string{"access_token": "t"})
	*log = nil
	c, _ := st.Index.Get("old")
	c.Name = "new"
	if err := st.Save(c, nil, SaveOptions{Previous: "old"}); err != nil {
		t.Fatal(err)
	}
	assertSecret(t, sec, "new", map[string]string{"client_secret": "s"})
	if _, err := sec.Get("old"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("old secret still there: %v", err)
	}
	if _, err := tok.Get("old"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("old token still there: %v", err)
	}
	creds, _ := st.Index.List()
	if got := names(creds); !slices.Equal(got, []string{"new"}) {
		t.Fatalf("index after rename = %v", got)
	}
	want := []string{"secrets.set(new)", "step:secret-written", "step:index-written", "secrets.delete(old)",
		"step:old-secret-deleted", "tokens.delete(old)", "step:tokens-dropped"}
	if !slices.Equal(*log, want) {
		t.Fatalf("rename steps = %q\nwant %q", *log, want)
	}

	// A rename onto an existing name needs Replace.
	if err := st.Save(sampleCredential("other"), map[string]string{"k": "o"}, SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	c.Name = "other"
	if err := st.Save(c, map[string]string{"k": "n"}, SaveOptions{Previous: "new"}); !errors.Is(err, ErrExists) {
		t.Fatalf("rename onto an existing name: err = %v, want ErrExists", err)
	}
	// A rename of a credential that is gone.
	c.Name = "third"
	if err := st.Save(c, nil, SaveOptions{Previous: "ghost"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("rename of a missing credential: err = %v, want ErrNotFound", err)
	}
}

func TestSaveCleanupFailureIsReported(t *testing.T) {
	st, _, tok, _ := newTestStore(t)
	if err := st.Save(sampleCredential("a"), map[string]string{"k": "v0"}, SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	tok.failDel = ErrUnavailable // replacing drops the cached token: that fails
	err := st.Save(sampleCredential("a"), map[string]string{"k": "v"}, SaveOptions{Replace: true})
	if !errors.Is(err, ErrCleanup) || !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "is saved") {
		t.Fatalf("err = %v, want ErrCleanup saying it is saved", err)
	}
	if _, err := st.Index.Get("a"); err != nil {
		t.Fatalf("credential not saved: %v", err)
	}
}

func TestSaveInvalidNameWritesNothing(t *testing.T) {
	st, sec, _, _ := newTestStore(t)
	for _, name := range []string{"", "a b", "a/b", strings.Repeat("x", 65), "a\x1b"} {
		if err := st.Save(Credential{Name: name}, map[string]string{"k": "v"}, SaveOptions{}); !errors.Is(err, ErrInvalidName) {
			t.Errorf("Save(%q): err = %v, want ErrInvalidName", name, err)
		}
	}
	if n, _ := sec.Names(); len(n) != 0 {
		t.Fatalf("secrets written: %v", n)
	}
	if _, err := os.Stat(st.Index.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("index written: %v", err)
	}
}

func TestDeleteOrder(t *testing.T) {
	st, sec, tok, log := newTestStore(t)
	if err := st.Save(sampleCredential("a"), map[string]string{"k": "v"}, SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	mustSet(t, tok, "a", map[string]string{"access_token": "t"})
	*log = nil
	sec.onCall = func(op, name string) {
		if _, err := st.Index.Get(name); !errors.Is(err, ErrNotFound) {
			t.Errorf("secret deleted while the metadata of %q exists", name)
		}
	}
	if err := st.Delete("a"); err != nil {
		t.Fatal(err)
	}
	want := []string{"step:index-written", "secrets.delete(a)", "step:secret-deleted", "tokens.delete(a)", "step:tokens-dropped"}
	if !slices.Equal(*log, want) {
		t.Fatalf("Delete steps = %q, want %q", *log, want)
	}
	if _, err := tok.Get("a"); !errors.Is(err, ErrNotFound) {
		t.Fatal("token left behind")
	}
	if err := st.Delete("a"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second Delete: err = %v, want ErrNotFound", err)
	}
}

func TestDeleteWithoutSecretAndWithFailingSecretStore(t *testing.T) {
	st, sec, _, _ := newTestStore(t)
	if err := st.Index.Put(sampleCredential("nosecret")); err != nil {
		t.Fatal(err)
	}
	if err := st.Delete("nosecret"); err != nil {
		t.Fatalf("Delete of a credential without secret: %v", err)
	}
	if err := st.Save(sampleCredential("a"), map[string]string{"k": "v"}, SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	sec.failGet = ErrUnavailable
	before, _ := os.ReadFile(st.Index.Path())
	if err := st.Delete("a"); !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrCleanup) {
		t.Fatalf("Delete with an unavailable secret store: err = %v, want ErrUnavailable with nothing changed", err)
	}
	if after, _ := os.ReadFile(st.Index.Path()); !bytes.Equal(before, after) {
		t.Fatal("Delete with an unavailable secret store changed the index")
	}
	sec.failGet = nil
	sec.failDel = ErrUnavailable // answers the probe, then fails
	err := st.Delete("a")
	if !errors.Is(err, ErrCleanup) || !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Delete with a failing secret store: err = %v", err)
	}
	if _, err := st.Index.Get("a"); !errors.Is(err, ErrNotFound) {
		t.Fatal("metadata kept")
	}
	o, err := st.Orphans()
	if err != nil || !slices.Equal(o.Secrets, []string{"a"}) {
		t.Fatalf("Orphans = %+v, %v; want the secret left behind", o, err)
	}
}

func TestSecretReadsTheSecretStore(t *testing.T) {
	st, _, _, _ := newTestStore(t)
	if err := st.Save(sampleCredential("a"), map[string]string{"k": "v"}, SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	m, err := st.Secret("a")
	if err != nil || !maps.Equal(m, map[string]string{"k": "v"}) {
		t.Fatalf("Secret = %v, %v", m, err)
	}
	if _, err := st.Secret("b"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Secret of a missing name: %v", err)
	}
}

// TestSaveRefusesStoreRecordedMeanwhile: a store opened before another
// process recorded a different kind must not save into the wrong one.
func TestSaveRefusesStoreRecordedMeanwhile(t *testing.T) {
	st, sec, _, _ := newTestStore(t)
	st.Kind = KindKeychain
	writeIndex(t, st.Index.Dir(), KindFile, "from-other-process")
	before, _ := os.ReadFile(st.Index.Path())
	err := st.Save(sampleCredential("a"), map[string]string{"k": "v"}, SaveOptions{})
	if !errors.Is(err, ErrStoreMismatch) {
		t.Fatalf("Save: err = %v, want ErrStoreMismatch", err)
	}
	if n, _ := sec.Names(); len(n) != 0 {
		t.Fatalf("secret written to the wrong store: %v", n)
	}
	if after, _ := os.ReadFile(st.Index.Path()); !bytes.Equal(before, after) {
		t.Fatal("index changed")
	}
}
