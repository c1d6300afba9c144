package store

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// faulty is a Secrets over a Memory that logs writes, can fail the n-th
// write of a shared counter (which the index's writes also count), and
// runs a check at every call.
type faulty struct {
	*Memory
	label string
	w     *writes
}

// writes counts the writes of a Store's secret stores and index, and
// fails the one numbered failAt (1-based; 0 fails none).
type writes struct {
	mu     sync.Mutex
	n      int
	failAt int
	log    []string
	check  func(when string)
}

var errInjected = errors.New("injected failure")

// next counts one write and says whether it must fail.
func (w *writes) next(what string) error {
	w.mu.Lock()
	w.n++
	n := w.n
	w.log = append(w.log, what)
	w.mu.Unlock()
	if n == w.failAt {
		return fmt.Errorf("%s: %w", what, errInjected)
	}
	return nil
}

func (f *faulty) Set(account string, it Item) error {
	if f.w.check != nil {
		f.w.check("before " + f.label + ".set(" + account + ")")
	}
	if err := f.w.next(f.label + ".set(" + account + ")"); err != nil {
		return err
	}
	err := f.Memory.Set(account, it)
	if f.w.check != nil {
		f.w.check("after " + f.label + ".set(" + account + ")")
	}
	return err
}

func (f *faulty) Delete(account string) error {
	if f.w.check != nil {
		f.w.check("before " + f.label + ".delete(" + account + ")")
	}
	if err := f.w.next(f.label + ".delete(" + account + ")"); err != nil {
		return err
	}
	err := f.Memory.Delete(account)
	if f.w.check != nil {
		f.w.check("after " + f.label + ".delete(" + account + ")")
	}
	return err
}

// faultyStore returns a Store whose secret, token and index writes go
// through one writes counter.
func faultyStore(t testing.TB) (*Store, *writes) {
	w := &writes{}
	st := &Store{Index: NewIndex(t.TempDir()), Kind: KindMemory,
		Secrets: &faulty{Memory: NewMemory(), label: "secrets", w: w},
		Tokens:  &faulty{Memory: NewMemory(), label: "tokens", w: w}}
	st.Index.failWrite = func() error { return w.next("index") }
	st.Hook = func(s Step) {
		w.mu.Lock()
		w.log = append(w.log, "step:"+string(s))
		w.mu.Unlock()
	}
	return st, w
}

// consistent checks the invariant of the protocol on the committed index:
// every credential refers to an item of this config dir holding its
// secret revision.
func consistent(st *Store) error {
	doc, _, err := st.Index.read()
	if err != nil {
		return err
	}
	for _, c := range doc.Credentials {
		it, err := st.Secrets.Get(c.secretAccount())
		if err != nil {
			return fmt.Errorf("%s refers to %s: %w", c.Name, c.secretAccount(), err)
		}
		if it.Owner != (Owner{Dir: doc.ID, Rev: c.SecretRevision}) {
			return fmt.Errorf("%s (secret revision %d) refers to %s owned by %+v", c.Name, c.SecretRevision, c.secretAccount(), it.Owner)
		}
		if it.Values["marker"] != c.Description {
			return fmt.Errorf("%s: description %q but secret marker %q: a mixed pair", c.Name, c.Description, it.Values["marker"])
		}
	}
	return nil
}

// op is a change run against a seeded store; it returns the error.
type op struct {
	name string
	run  func(st *Store, seed Credential) error
	// after describes the state the op leads to: name → marker.
	after map[string]string
}

// seedCred is the credential every op starts from: "a" at marker "v1".
func seedCred(t testing.TB, st *Store) Credential {
	c := sampleCredential("a")
	c.Description = "v1"
	b := sampleCredential("b")
	b.Description = "b1"
	mustAdd(t, st, b, map[string]string{"marker": "b1"})
	return mustAdd(t, st, c, map[string]string{"marker": "v1"})
}

func desc(s string) *string { return &s }

var ops = []op{
	{"add a new name", func(st *Store, _ Credential) error {
		c := sampleCredential("c")
		c.Description = "c1"
		return addErr(st, c, map[string]string{"marker": "c1"})
	}, map[string]string{"a": "v1", "b": "b1", "c": "c1"}},
	{"add replacing", func(st *Store, _ Credential) error {
		c := sampleCredential("a")
		c.Description = "v2"
		_, err := st.Add(bg, c, map[string]string{"marker": "v2"}, AddOptions{Replace: true})
		return err
	}, map[string]string{"a": "v2", "b": "b1"}},
	{"change the secret", func(st *Store, c Credential) error {
		_, err := st.Change(bg, "a", c.Revision, Change{Description: desc("v2"), Secret: map[string]string{"marker": "v2"}})
		return err
	}, map[string]string{"a": "v2", "b": "b1"}},
	{"rename", func(st *Store, c Credential) error {
		_, err := st.Change(bg, "a", c.Revision, Change{Name: "z"})
		return err
	}, map[string]string{"z": "v1", "b": "b1"}},
	{"rename with a new secret", func(st *Store, c Credential) error {
		_, err := st.Change(bg, "a", c.Revision, Change{Name: "z", Description: desc("v2"), Secret: map[string]string{"marker": "v2"}})
		return err
	}, map[string]string{"z": "v2", "b": "b1"}},
	{"rename over another", func(st *Store, c Credential) error {
		_, err := st.Change(bg, "a", c.Revision, Change{Name: "b", Replace: true})
		return err
	}, map[string]string{"b": "v1"}},
	{"delete", func(st *Store, _ Credential) error { return st.Delete(bg, "a") }, map[string]string{"b": "b1"}},
}

// state returns name → marker of every credential, read through Secret.
func state(t *testing.T, st *Store) map[string]string {
	t.Helper()
	creds, err := st.Index.List()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, c := range creds {
		m, err := st.Secret(c)
		if err != nil {
			t.Fatalf("Secret(%s): %v", c.Name, err)
		}
		if m["marker"] != c.Description {
			t.Fatalf("%s: a mixed pair: description %q, secret %q", c.Name, c.Description, m["marker"])
		}
		out[c.Name] = c.Description
	}
	return out
}

// TestFailureAtEveryWrite fails each write of every change in turn (secret
// and token writes, index commits): the invariant holds at every call,
// the state is exactly the one before or the one after, an error after
// the commit point wraps ErrCleanup, and Repair leaves nothing behind.
func TestFailureAtEveryWrite(t *testing.T) {
	for _, o := range ops {
		t.Run(o.name, func(t *testing.T) {
			before := map[string]string{"a": "v1", "b": "b1"}
			for k := 1; ; k++ {
				st, w := faultyStore(t)
				seed := seedCred(t, st)
				w.n, w.log = 0, nil
				w.failAt = k
				w.check = func(when string) {
					if err := consistent(st); err != nil {
						t.Fatalf("fail at write %d, %s: %v", k, when, err)
					}
				}
				indexBefore, _ := os.ReadFile(st.Index.Path())
				err := o.run(st, seed)
				w.check = nil
				w.failAt = 0
				checkAfterFailedWrite(t, st, k, err, before, o.after, indexBefore, w.log)
				if k > w.n {
					t.Logf("%d writes, each failed in turn", w.n)
					return // the op made fewer than k writes: all done
				}
			}
		})
	}
}

// checkAfterFailedWrite checks a change whose k-th write failed (err is
// what it returned; log the writes it made): the invariant holds, the
// state is exactly the one before (and the index unchanged) or, for a
// success or an error past the commit point, the one after; then Repair
// leaves the store clean and canonical.
func checkAfterFailedWrite(t *testing.T, st *Store, k int, err error, before, after map[string]string, indexBefore []byte, log []string) {
	t.Helper()
	if err := consistent(st); err != nil {
		t.Fatalf("fail at write %d: after the op: %v", k, err)
	}
	got := state(t, st)
	switch {
	case err == nil || errors.Is(err, ErrCleanup):
		if !maps.Equal(got, after) {
			t.Fatalf("fail at write %d: err %v, state %v, want the state after %v", k, err, got, after)
		}
	default:
		if !errors.Is(err, errInjected) {
			t.Fatalf("fail at write %d: unexpected error %v", k, err)
		}
		if !maps.Equal(got, before) {
			t.Fatalf("fail at write %d: err %v, state %v, want the state before %v", k, err, got, before)
		}
		if now, _ := os.ReadFile(st.Index.Path()); !bytes.Equal(indexBefore, now) {
			t.Fatalf("fail at write %d: a failed op changed the index:\n%s", k, now)
		}
	}
	if _, err := st.Repair(bg, false); err != nil {
		t.Fatalf("fail at write %d: Repair: %v", k, err)
	}
	if h, err := st.Check(bg); err != nil || !h.Clean() {
		t.Fatalf("fail at write %d: after Repair: %+v, %v (log %v)", k, h, err, log)
	}
	assertCanonical(t, st)
}

// assertCanonical checks that every credential's canonical item holds its
// current secret (what secret-tool lookup shows) and no staged item is
// left.
func assertCanonical(t *testing.T, st *Store) {
	t.Helper()
	creds, _ := st.Index.List()
	for _, c := range creds {
		if c.SecretItem != "" {
			t.Fatalf("%s still refers to the staged item %s", c.Name, c.SecretItem)
		}
		it, err := st.Secrets.Get(c.Name)
		if err != nil || it.Values["marker"] != c.Description {
			t.Fatalf("canonical item of %s = %v, %v; want marker %q", c.Name, it.Values, err, c.Description)
		}
	}
	items, _ := st.Secrets.(Lister).List()
	for _, it := range items {
		if _, staged, _, _ := parseAccount(it.Account); staged {
			t.Fatalf("staged item %s left", it.Account)
		}
	}
}

// TestSwapNeverOverwritesTheOnlyCopy records the calls of a secret change:
// the canonical item is overwritten only while the committed index points
// to the staged copy.
func TestSwapNeverOverwritesTheOnlyCopy(t *testing.T) {
	st, w := faultyStore(t)
	seed := seedCred(t, st)
	w.log = nil
	w.check = func(when string) {
		if when != "before secrets.set(a)" {
			return
		}
		c := mustCred(t, st, "a")
		if c.SecretItem == "" {
			t.Fatal("the canonical item is overwritten while the index refers to it")
		}
		if it, _ := st.Secrets.Get(c.SecretItem); it.Values["marker"] != "v2" {
			t.Fatalf("the staged item holds %v", it.Values)
		}
	}
	if _, err := st.Change(bg, "a", seed.Revision, Change{Description: desc("v2"), Secret: map[string]string{"marker": "v2"}}); err != nil {
		t.Fatal(err)
	}
	id, _ := st.DirID()
	staged := stagedAccount("a", seed.Revision+1, id)
	want := []string{"secrets.set(" + staged + ")", "step:secret-staged", "index", "step:index-committed",
		"secrets.set(a)", "step:secret-written", "index", "step:index-settled",
		"secrets.delete(" + staged + ")", "step:staged-deleted", "tokens.delete(a)"}
	if got := w.log; !slices.Equal(got[:len(want)], want) {
		t.Fatalf("calls:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestAddOrder(t *testing.T) {
	st, w := faultyStore(t)
	c := sampleCredential("a")
	c.Description = "v1"
	saved := mustAdd(t, st, c, map[string]string{"marker": "v1"})
	want := []string{"index", "step:id-committed", "secrets.set(a)", "step:secret-written", "index", "step:index-committed"}
	if !slices.Equal(w.log, want) {
		t.Fatalf("calls %v, want %v", w.log, want)
	}
	if saved.Revision != 1 || saved.SecretRevision != 1 || saved.SecretItem != "" || saved.LastTest != nil {
		t.Fatalf("saved = %+v", saved)
	}
	if k, _ := st.Index.Kind(); k != KindMemory {
		t.Fatalf("recorded kind %q", k)
	}
	if _, err := st.Add(bg, c, map[string]string{"marker": "x"}, AddOptions{}); !errors.Is(err, ErrExists) {
		t.Fatalf("Add over an existing name: %v", err)
	}
}

// TestRevisionsAreUnique: every change of values gets a new revision,
// across credentials; a change of the description alone does not.
func TestRevisionsAreUnique(t *testing.T) {
	st := memStore(t)
	a := mustAdd(t, st, sampleCredential("a"), map[string]string{"k": "1"})
	b := mustAdd(t, st, sampleCredential("b"), map[string]string{"k": "1"})
	a2, err := st.Change(bg, "a", a.Revision, Change{Description: desc("only the description")})
	if err != nil || a2.Revision != a.Revision {
		t.Fatalf("description change: %+v, %v", a2, err)
	}
	a3, err := st.Change(bg, "a", a.Revision, Change{Fields: map[string]string{"base_url": "https://x.example.com"}})
	if err != nil || a3.Revision <= b.Revision || a3.SecretRevision != a.SecretRevision {
		t.Fatalf("field change: %+v, %v", a3, err)
	}
	if a3.Description != "only the description" || a3.Fields["client_id"] != "client-a" {
		t.Fatalf("the patch lost what it did not change: %+v", a3)
	}
	// The item still holds the secret revision it was written for.
	if m, err := secretOf(st, "a"); err != nil || m["k"] != "1" {
		t.Fatalf("Secret after a field change = %v, %v", m, err)
	}
}

// TestChangeConflicts: a change of values against a stale revision saves
// nothing; a change of the description alone applies on top (so that a
// slow edit of a field must not undo a quick edit of the description).
func TestChangeConflicts(t *testing.T) {
	st := memStore(t)
	a := mustAdd(t, st, sampleCredential("a"), map[string]string{"k": "1"})
	// A quick edit of the description while a slow edit tests a field.
	if _, err := st.Change(bg, "a", a.Revision, Change{Description: desc("B")}); err != nil {
		t.Fatal(err)
	}
	slow, err := st.Change(bg, "a", a.Revision, Change{Fields: map[string]string{"base_url": "https://slow.example.com"},
		Test: &TestResult{OK: true}})
	if err != nil {
		t.Fatalf("the slow edit, values unchanged meanwhile: %v", err)
	}
	if slow.Description != "B" || slow.Fields["base_url"] != "https://slow.example.com" || slow.Tested() == nil {
		t.Fatalf("after both edits: %+v", slow)
	}
	// Now a change of values against the revision before the slow edit.
	before, _ := os.ReadFile(st.Index.Path())
	_, err = st.Change(bg, "a", a.Revision, Change{Secret: map[string]string{"k": "2"}})
	var ce *ConflictError
	if !errors.As(err, &ce) || ce.Deleted || !strings.Contains(err.Error(), "nothing was saved") {
		t.Fatalf("a stale change of values: err = %v", err)
	}
	if after, _ := os.ReadFile(st.Index.Path()); !bytes.Equal(before, after) {
		t.Fatal("a refused change wrote the index")
	}
	if m, _ := secretOf(st, "a"); m["k"] != "1" {
		t.Fatalf("a refused change wrote the secret: %v", m)
	}
	if err := st.Delete(bg, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Change(bg, "a", slow.Revision, Change{Description: desc("C")}); !errors.As(err, &ce) || !ce.Deleted {
		t.Fatalf("a change of a deleted credential: err = %v", err)
	}
}

// TestUntestedChange: a change of values without a test keeps the last
// result, which no longer certifies the credential.
func TestUntestedChange(t *testing.T) {
	st := memStore(t)
	a, err := st.Add(bg, sampleCredential("a"), map[string]string{"k": "1"}, AddOptions{Test: &TestResult{OK: true}})
	if err != nil || a.Tested() == nil {
		t.Fatalf("Add with a test: %+v, %v", a, err)
	}
	d, err := st.Change(bg, "a", a.Revision, Change{Description: desc("x")})
	if err != nil || d.Tested() == nil {
		t.Fatalf("a description change un-certified the test: %+v, %v", d, err)
	}
	c, err := st.Change(bg, "a", a.Revision, Change{Secret: map[string]string{"k": "2"}})
	if err != nil || c.LastTest == nil || c.Tested() != nil {
		t.Fatalf("a secret change without a test still certified: %+v, %v", c, err)
	}
}

// TestRecordGuardsRevision: results and tokens obtained for an old
// revision, or for a credential deleted meanwhile, are discarded.
func TestRecordGuardsRevision(t *testing.T) {
	st := memStore(t)
	a := mustAdd(t, st, sampleCredential("a"), map[string]string{"k": "old"})
	b := mustAdd(t, st, sampleCredential("b"), map[string]string{"k": "b"})
	c := mustAdd(t, st, sampleCredential("c"), map[string]string{"k": "c"})
	// Meanwhile: a is edited, c is deleted.
	if _, err := st.Change(bg, "a", a.Revision, Change{Secret: map[string]string{"k": "new"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Delete(bg, "c"); err != nil {
		t.Fatal(err)
	}
	tok := map[string]string{"access_token": "minted-with-old-secret"}
	errs, err := st.Record(bg, []Record{
		{Name: "a", Revision: a.Revision, Result: &TestResult{OK: true}, Token: tok},
		{Name: "b", Revision: b.Revision, Result: &TestResult{OK: true}, Token: map[string]string{"access_token": "b-token"}},
		{Name: "c", Revision: c.Revision, Result: &TestResult{OK: true}, Token: tok},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(errs[0], ErrConflict) || errs[1] != nil || !errors.Is(errs[2], ErrConflict) {
		t.Fatalf("errs = %v", errs)
	}
	if got := mustCred(t, st, "a"); got.LastTest != nil {
		t.Fatalf("a result for an old revision was recorded: %+v", got.LastTest)
	}
	if got := mustCred(t, st, "b"); got.Tested() == nil {
		t.Fatal("b's result was not recorded")
	}
	for _, n := range []string{"a", "c"} {
		if _, err := st.Tokens.Get(n); !errors.Is(err, ErrNotFound) {
			t.Fatalf("a token of an old revision of %s was cached: %v", n, err)
		}
	}
	if m, err := st.CachedToken(mustCred(t, st, "b")); err != nil || m["access_token"] != "b-token" {
		t.Fatalf("CachedToken(b) = %v, %v", m, err)
	}
	// A token cached for b's old revision is not returned after a change.
	b2, err := st.Change(bg, "b", b.Revision, Change{Fields: map[string]string{"base_url": "https://other.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if m, err := st.CachedToken(b2); m != nil || err != nil {
		t.Fatalf("CachedToken after a change = %v, %v", m, err)
	}
}

// TestDeleteGoesWhole: metadata, secret, staged item and token go; an item
// that another config dir wrote under the name since stays.
func TestDeleteGoesWhole(t *testing.T) {
	st := memStore(t)
	a := mustAdd(t, st, sampleCredential("a"), map[string]string{"k": "1"})
	if _, err := st.Record(bg, []Record{{Name: "a", Revision: a.Revision, Token: map[string]string{"access_token": "t"}}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Delete(bg, "a"); err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]Secrets{"secret": st.Secrets, "token": st.Tokens} {
		if items, _ := s.(Lister).List(); len(items) != 0 {
			t.Fatalf("%s items left: %v", name, items)
		}
	}
	if err := st.Delete(bg, "a"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second Delete: %v", err)
	}

	b := mustAdd(t, st, sampleCredential("b"), map[string]string{"k": "1"})
	foreign := Item{Values: map[string]string{"k": "theirs"}, Owner: Owner{Dir: "another-config-d", Rev: 9}}
	if err := st.Secrets.Set("b", foreign); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Secret(b); !errors.Is(err, ErrForeignItem) || !strings.Contains(err.Error(), "another config dir") {
		t.Fatalf("Secret of an item another config dir overwrote: %v", err)
	}
	if err := st.Delete(bg, "b"); err != nil {
		t.Fatal(err)
	}
	if it, err := st.Secrets.Get("b"); err != nil || it.Owner != foreign.Owner {
		t.Fatalf("Delete removed another config dir's item: %+v, %v", it, err)
	}
}

// TestSecretOwnerChecks: Secret returns only this config dir's item of the
// revision the index records.
func TestSecretOwnerChecks(t *testing.T) {
	st := memStore(t)
	a := mustAdd(t, st, sampleCredential("a"), map[string]string{"k": "1"})
	id, _ := st.DirID()
	cases := []struct {
		name  string
		owner Owner
		want  error
	}{
		{"unowned", Owner{}, ErrForeignItem},
		{"another dir", Owner{Dir: "ffffffffffffffff", Rev: a.SecretRevision}, ErrForeignItem},
		{"an older revision", Owner{Dir: id, Rev: a.SecretRevision - 1}, ErrForeignItem},
		{"a newer revision", Owner{Dir: id, Rev: a.SecretRevision + 1}, ErrConflict},
	}
	for _, tc := range cases {
		if err := st.Secrets.Set("a", Item{Values: map[string]string{"k": "x"}, Owner: tc.owner}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Secret(a); !errors.Is(err, tc.want) {
			t.Errorf("%s: Secret err = %v, want %v", tc.name, err, tc.want)
		}
	}
	// A reader that saw the staged pointer finds the canonical item once
	// the write settled.
	st2 := memStore(t)
	c := mustAdd(t, st2, sampleCredential("c"), map[string]string{"k": "1"})
	c2, err := st2.Change(bg, "c", c.Revision, Change{Secret: map[string]string{"k": "2"}})
	if err != nil {
		t.Fatal(err)
	}
	id2, _ := st2.DirID()
	seen := c2
	seen.SecretItem = stagedAccount("c", c2.SecretRevision, id2)
	if m, err := st2.Secret(seen); err != nil || m["k"] != "2" {
		t.Fatalf("Secret via a settled staged pointer = %v, %v", m, err)
	}
}

// TestTwoConfigDirsShareAKeychain: items of another config dir are never
// removed by this one's doctor.
func TestTwoConfigDirsShareAKeychain(t *testing.T) {
	secrets, tokens := NewMemory(), NewMemory()
	one := &Store{Index: NewIndex(t.TempDir()), Secrets: secrets, Tokens: tokens, Kind: KindMemory}
	two := &Store{Index: NewIndex(t.TempDir()), Secrets: secrets, Tokens: tokens, Kind: KindMemory}
	mustAdd(t, one, sampleCredential("mine"), map[string]string{"k": "1"})
	// An add of "kk2" in one that dies before its metadata is committed.
	id1, _ := one.DirID()
	if err := secrets.Set("kk2", Item{Values: map[string]string{"k": "orphan"}, Owner: Owner{Dir: id1, Rev: 5}}); err != nil {
		t.Fatal(err)
	}
	h, err := one.Check(bg)
	if err != nil || len(h.Orphans) != 1 || h.Orphans[0].Account != "kk2" {
		t.Fatalf("one's Check = %+v, %v", h, err)
	}
	// Now the other config dir saves kk2 (over the orphan, as --force does).
	if _, err := two.Add(bg, sampleCredential("kk2"), map[string]string{"k": "theirs"}, AddOptions{}); err != nil {
		t.Fatal(err)
	}
	h, err = one.Repair(bg, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Orphans) != 0 || len(h.Foreign) != 1 || h.Foreign[0].Account != "kk2" {
		t.Fatalf("one's Repair saw %+v", h)
	}
	if m, err := secretOf(two, "kk2"); err != nil || m["k"] != "theirs" {
		t.Fatalf("one's doctor broke two's credential: %v, %v", m, err)
	}
	if h, _ := two.Check(bg); len(h.Foreign) != 1 || h.Foreign[0].Account != "mine" {
		t.Fatalf("two's Check = %+v", h)
	}
}

// TestRepairFinishesAnInterruptedSwap stops a change after its commit
// point (the canonical write fails): the change stands, Check calls it
// unfinished, Repair moves the secret to the canonical item.
func TestRepairFinishesAnInterruptedSwap(t *testing.T) {
	st, w := faultyStore(t)
	seed := seedCred(t, st)
	w.n, w.log = 0, nil
	w.failAt = 4 // staged set, index commit, canonical set (fails)
	w.log = nil
	_, err := st.Change(bg, "a", seed.Revision, Change{Description: desc("v2"), Secret: map[string]string{"marker": "v2"}})
	w.failAt = 0
	if !errors.Is(err, ErrCleanup) || !strings.Contains(err.Error(), `"a" is saved`) {
		t.Fatalf("err = %v (log %v)", err, w.log)
	}
	h, err := st.Check(bg)
	if err != nil || !slices.Equal(h.Unfinished, []string{"a"}) || len(h.Orphans) != 0 {
		t.Fatalf("Check = %+v, %v", h, err)
	}
	if m, err := secretOf(st, "a"); err != nil || m["marker"] != "v2" {
		t.Fatalf("the committed change is not in use: %v, %v", m, err)
	}
	if _, err := st.Repair(bg, false); err != nil {
		t.Fatal(err)
	}
	assertCanonical(t, st)
}

// TestDoctorStaleTokensAndTemps: a token of an old revision and a temp
// file of a killed write are leftovers; an unowned token of another
// config dir is foreign.
func TestDoctorStaleTokensAndTemps(t *testing.T) {
	st := memStore(t)
	a := mustAdd(t, st, sampleCredential("a"), map[string]string{"k": "1"})
	id, _ := st.DirID()
	_ = st.Tokens.Set("a", Item{Values: map[string]string{"access_token": "t"}, Owner: Owner{Dir: id, Rev: a.Revision - 1}})
	_ = st.Tokens.Set("zz", Item{Values: map[string]string{"access_token": "t"}})
	tmp := st.Index.Path()[:len(st.Index.Path())-len(IndexFile)] + ".credentials.json123456"
	if err := os.WriteFile(tmp, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	h, err := st.Check(bg)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Orphans) != 1 || h.Orphans[0].String() != "cached token a" || len(h.Foreign) != 1 || !slices.Equal(h.Temps, []string{tmp}) {
		t.Fatalf("Check = %+v", h)
	}
	if _, err := st.Repair(bg, false); err != nil {
		t.Fatal(err)
	}
	if h, _ := st.Check(bg); len(h.Orphans)+len(h.Temps) != 0 || len(h.Foreign) != 1 {
		t.Fatalf("after Repair: %+v", h)
	}
	if _, err := st.Repair(bg, true); err != nil {
		t.Fatal(err)
	}
	if h, _ := st.Check(bg); !h.Clean() {
		t.Fatalf("after Repair with foreign: %+v", h)
	}
}

// TestConvertVersion1: an index written by the first credwiz is read as
// is and converted on the first write; its unowned items stay readable.
func TestConvertVersion1(t *testing.T) {
	dir := t.TempDir()
	const v1 = `{
  "version": 1,
  "store": "memory",
  "pending_secrets": ["gone"],
  "future": true,
  "credentials": [
    {"name": "old", "connector": "drift", "secret_keys": ["api_key"], "created_at": "2026-01-02T03:04:05Z",
     "updated_at": "2026-01-02T03:04:05Z", "secrets_updated_at": "2026-01-02T03:04:05Z",
     "last_test": {"at": "2026-01-02T03:04:05Z", "ok": true}}
  ]
}`
	if err := os.WriteFile(dir+"/"+IndexFile, []byte(v1), 0o600); err != nil {
		t.Fatal(err)
	}
	st := &Store{Index: NewIndex(dir), Secrets: NewMemory(), Tokens: NewMemory(), Kind: KindMemory}
	_ = st.Secrets.Set("old", Item{Values: map[string]string{"api_key": "k"}})
	old := mustCred(t, st, "old")
	if m, err := st.Secret(old); err != nil || m["api_key"] != "k" {
		t.Fatalf("a version 1 credential's secret: %v, %v", m, err)
	}
	mustAdd(t, st, sampleCredential("new"), map[string]string{"k": "v"})
	data, _ := os.ReadFile(dir + "/" + IndexFile)
	for _, want := range []string{`"version": 2`, `"id": "`, `"future": true`} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("converted file lacks %s:\n%s", want, data)
		}
	}
	if bytes.Contains(data, []byte("pending_secrets")) {
		t.Errorf("the version 1 journal survived:\n%s", data)
	}
	old = mustCred(t, st, "old")
	if old.Revision == 0 || old.Tested() == nil || old.SecretRevision != 0 {
		t.Fatalf("converted credential = %+v", old)
	}
	if m, err := st.Secret(old); err != nil || m["api_key"] != "k" {
		t.Fatalf("after conversion: %v, %v", m, err)
	}
}

// TestFullDiskLeavesTheOldPair makes the index write fail with ENOSPC at
// each change: nothing changes, and the message says so and what to do.
func TestFullDiskLeavesTheOldPair(t *testing.T) {
	for _, o := range ops {
		st := memStore(t)
		seed := seedCred(t, st)
		st.Index.failWrite = func() error { return syscall.ENOSPC }
		before, _ := os.ReadFile(st.Index.Path())
		err := o.run(st, seed)
		st.Index.failWrite = nil
		if err == nil || !strings.Contains(err.Error(), "no space left on the device") || errors.Is(err, ErrCleanup) {
			t.Errorf("%s on a full disk: err = %v", o.name, err)
		} else if !strings.Contains(err.Error(), "nothing was saved") && !strings.Contains(err.Error(), "nothing was changed") {
			t.Errorf("%s on a full disk does not say that nothing changed: %v", o.name, err)
		}
		if after, _ := os.ReadFile(st.Index.Path()); !bytes.Equal(before, after) {
			t.Errorf("%s on a full disk changed the index", o.name)
		}
		if got := state(t, st); !maps.Equal(got, map[string]string{"a": "v1", "b": "b1"}) {
			t.Errorf("%s on a full disk: state %v", o.name, got)
		}
		if _, err := st.Repair(bg, false); err != nil {
			t.Fatal(err)
		}
		assertCanonical(t, st)
	}
	// A change of the description alone writes only the index.
	st := memStore(t)
	seed := seedCred(t, st)
	st.Index.failWrite = func() error { return syscall.ENOSPC }
	_, err := st.Change(bg, "a", seed.Revision, Change{Description: desc("other")})
	st.Index.failWrite = nil
	if err == nil || !strings.Contains(err.Error(), "nothing was saved") || !strings.Contains(err.Error(), "no space left on the device") {
		t.Errorf("a description change on a full disk: err = %v", err)
	}
	if c := mustCred(t, st, "a"); c.Description != "v1" {
		t.Errorf("a description change on a full disk saved %q", c.Description)
	}
}

// TestOutOfRangeTimesAreUnknown: a test result with a time RFC 3339
// cannot hold (a vendor's expires_in of 1e308) is saved, the time unknown.
func TestOutOfRangeTimesAreUnknown(t *testing.T) {
	st := memStore(t)
	far := time.Unix(1<<62, 0)
	c, err := st.Add(bg, sampleCredential("a"), map[string]string{"k": "v"},
		AddOptions{Test: &TestResult{OK: true, At: time.Now(), TokenExpires: far}})
	if err != nil {
		t.Fatalf("Add with an out-of-range expiry: %v", err)
	}
	if got := mustCred(t, st, "a"); got.Tested() == nil || !got.LastTest.TokenExpires.IsZero() {
		t.Fatalf("saved %+v", got.LastTest)
	}
	errs, err := st.Record(bg, []Record{{Name: "a", Revision: c.Revision, Result: &TestResult{OK: true, TokenExpires: far}}})
	if err != nil || errs[0] != nil {
		t.Fatalf("Record with an out-of-range expiry: %v %v", err, errs)
	}
}

// A secret read for a credential that another command changed or deleted
// since it was read finds its item gone: that is a conflict (run the
// command again), not a missing secret; a secret missing from under an
// unchanged index is missing.
func TestSecretOfAChangedCredentialIsAConflict(t *testing.T) {
	st := &Store{Index: NewIndex(t.TempDir()), Secrets: NewMemory(), Tokens: NewMemory(), Kind: KindMemory}
	mustAdd(t, st, sampleCredential("s1"), map[string]string{"client_secret": "one"})
	mustAdd(t, st, sampleCredential("s2"), map[string]string{"client_secret": "two"})
	c1, c2 := mustCred(t, st, "s1"), mustCred(t, st, "s2")
	if err := st.Delete(bg, "s1"); err != nil {
		t.Fatal(err)
	}
	var ce *ConflictError
	_, err := st.Secret(c1)
	if !errors.As(err, &ce) {
		t.Fatalf("Secret of a credential deleted since it was read: %v, want a *ConflictError", err)
	}
	// A read saves nothing, so it does not say "nothing was saved".
	if msg := err.Error(); !ce.Read || strings.Contains(msg, "saved") || !strings.Contains(msg, "run the command again") {
		t.Errorf("a read's conflict says %q, want it to name the read and what to do, not a save", msg)
	}
	if err := st.Secrets.Delete("s2"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Secret(c2); !errors.Is(err, ErrNotFound) || errors.As(err, &ce) {
		t.Fatalf("Secret whose item is gone under an unchanged index: %v, want ErrNotFound", err)
	}
}

// Two commands that read one description and both set a new one: the
// second fails with a conflict (the first's description stays), as with
// the Vault store; the same new description twice, or a description
// change without the one it replaces, applies.
func TestConcurrentDescriptionsConflict(t *testing.T) {
	st := &Store{Index: NewIndex(t.TempDir()), Secrets: NewMemory(), Tokens: NewMemory(), Kind: KindMemory}
	c := sampleCredential("d1")
	c.Description = "A"
	mustAdd(t, st, c, map[string]string{"client_secret": "one"})
	read := mustCred(t, st, "d1")
	was, script, wizard := "A", "changed by script", "wizard desc"
	if _, err := st.Change(bg, "d1", read.Revision, Change{Description: &script, DescriptionWas: &was}); err != nil {
		t.Fatal(err)
	}
	var ce *ConflictError
	_, err := st.Change(bg, "d1", read.Revision, Change{Description: &wizard, DescriptionWas: &was, Fields: map[string]string{"base_url": "https://api.example.com"}})
	if !errors.As(err, &ce) {
		t.Fatalf("a second new description over one changed meanwhile: %v, want a *ConflictError", err)
	}
	if got := mustCred(t, st, "d1"); got.Description != script {
		t.Fatalf("description %q, want the first command's %q", got.Description, script)
	}
	if _, err := st.Change(bg, "d1", read.Revision, Change{Description: &script, DescriptionWas: &was}); err != nil {
		t.Fatalf("the same new description again: %v", err)
	}
	if _, err := st.Change(bg, "d1", read.Revision, Change{Description: &wizard}); err != nil {
		t.Fatalf("a description change without the one it replaces: %v", err)
	}
}
