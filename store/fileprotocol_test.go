package store

import (
	"os"
	"testing"
)

// faultyFile is a file store section whose writes (Set, Delete, Copy)
// count in a shared writes counter and fail in turn, as faulty does for a
// Memory.
type faultyFile struct {
	sec   Secrets
	label string
	w     *writes
}

func (f *faultyFile) Get(a string) (Item, error) { return f.sec.Get(a) }
func (f *faultyFile) List() ([]Listed, error)    { return f.sec.(Lister).List() }
func (f *faultyFile) Owner(a string) (Owner, error) {
	return f.sec.(OwnerReader).Owner(a)
}
func (f *faultyFile) Probe() error { return f.sec.(Prober).Probe() }

func (f *faultyFile) write(what string, do func() error) error {
	if f.w.check != nil {
		f.w.check("before " + f.label + "." + what)
	}
	if err := f.w.next(f.label + "." + what); err != nil {
		return err
	}
	err := do()
	if f.w.check != nil {
		f.w.check("after " + f.label + "." + what)
	}
	return err
}

func (f *faultyFile) Set(a string, it Item) error {
	return f.write("set("+a+")", func() error { return f.sec.Set(a, it) })
}
func (f *faultyFile) Delete(a string) error {
	return f.write("delete("+a+")", func() error { return f.sec.Delete(a) })
}
func (f *faultyFile) Copy(from, to string) error {
	return f.write("copy("+from+","+to+")", func() error { return f.sec.(Copier).Copy(from, to) })
}

// faultyFileStore is faultyStore over an encrypted file store.
func faultyFileStore(t testing.TB) (*Store, *writes) {
	w := &writes{}
	dir := t.TempDir()
	f := testFileStore(t, dir, "pw")
	st := &Store{Index: NewIndex(dir), Kind: KindFile, File: f,
		Secrets: &faultyFile{sec: f.Section(SecretService), label: "secrets", w: w},
		Tokens:  &faultyFile{sec: f.Section(TokenService), label: "tokens", w: w}}
	st.Index.failWrite = func() error { return w.next("index") }
	return st, w
}

// TestFileStoreFailureAtEveryWrite is TestFailureAtEveryWrite over the
// encrypted file store (renames copy item files there): every write of
// every change fails in turn, and the state is the one before or after.
func TestFileStoreFailureAtEveryWrite(t *testing.T) {
	for _, o := range ops {
		t.Run(o.name, func(t *testing.T) {
			before := map[string]string{"a": "v1", "b": "b1"}
			for k := 1; ; k++ {
				st, w := faultyFileStore(t)
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
				w.check, w.failAt = nil, 0
				checkAfterFailedWrite(t, st, k, err, before, o.after, indexBefore, w.log)
				if k > w.n {
					if o.name == "rename" && !containsPrefix(w.log, "secrets.copy(") {
						t.Fatalf("the rename did not copy the item: %v", w.log)
					}
					return
				}
			}
		})
	}
}

func containsPrefix(log []string, p string) bool {
	for _, l := range log {
		if len(l) >= len(p) && l[:len(p)] == p {
			return true
		}
	}
	return false
}
