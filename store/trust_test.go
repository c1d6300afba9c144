//go:build unix

package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// hostile is a way to put something else than credwiz's own file where
// one belongs.
type hostile struct {
	name    string
	setup   func(t *testing.T, path string)
	problem string // in the refusal
	fix     string // in the refusal
	rootOK  bool   // still refused when root runs it (permission bits)
}

var hostiles = []hostile{
	{"FIFO", func(t *testing.T, p string) {
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			t.Skip("mkfifo:", err)
		}
	}, "is a FIFO (named pipe), not a regular file", "move it away", true},
	{"symlink to /dev/zero", func(t *testing.T, p string) { mustSymlink(t, "/dev/zero", p) }, "is a symbolic link", "replace the link", true},
	{"socket", func(t *testing.T, p string) {
		ln, err := net.Listen("unix", p)
		if err != nil {
			t.Skip("listen on a unix socket:", err)
		}
		t.Cleanup(func() { ln.Close() })
	}, "is a socket, not a regular file", "move it away", true},
	{"symlink to a good file", func(t *testing.T, p string) {
		real := p + ".real"
		if err := os.WriteFile(real, []byte(`{"version":2,"credentials":[]}`), 0o600); err != nil {
			t.Fatal(err)
		}
		mustSymlink(t, real, p)
	}, "is a symbolic link", "replace the link", true},
	{"a directory", func(t *testing.T, p string) {
		if err := os.Mkdir(p, 0o700); err != nil {
			t.Fatal(err)
		}
	}, "is a directory", "move it away", true},
	{"mode 0666", func(t *testing.T, p string) { writeMode(t, p, 0o666) }, "writable by group or others (mode 0666)", "chmod 600 ", true},
	{"mode 0620", func(t *testing.T, p string) { writeMode(t, p, 0o620) }, "writable by group or others (mode 0620)", "chmod 600 ", true},
	{"another owner", func(t *testing.T, p string) {
		if os.Geteuid() != 0 {
			t.Skip("needs root to give a file to another user")
		}
		writeMode(t, p, 0o600)
		if err := os.Chown(p, 65534, 65534); err != nil {
			t.Fatal(err)
		}
	}, "not to you", "chown", true},
	{"larger than the cap", func(t *testing.T, p string) {
		writeMode(t, p, 0o600)
		if err := os.Truncate(p, MaxIndexSize+1); err != nil {
			t.Fatal(err)
		}
	}, "is larger", "move it away", true},
}

// writeMode writes a valid empty index at p with mode perm (whatever the
// umask).
func writeMode(t *testing.T, p string, perm os.FileMode) {
	t.Helper()
	if err := os.WriteFile(p, []byte(`{"version":2,"credentials":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, perm); err != nil {
		t.Fatal(err)
	}
}

// TestHostileIndex puts each hostile thing where credentials.json belongs:
// every call refuses it at once with the path, the problem and the fix,
// and nothing is read from it or written over it.
func TestHostileIndex(t *testing.T) {
	for _, h := range hostiles {
		t.Run(h.name, func(t *testing.T) {
			dir := t.TempDir()
			ix := NewIndex(dir)
			h.setup(t, ix.Path())
			st := &Store{Index: ix, Secrets: NewMemory(), Tokens: NewMemory(), Kind: KindMemory}
			calls := map[string]func() error{
				"List":   func() error { _, err := ix.List(); return err },
				"Kind":   func() error { _, err := ix.Kind(); return err },
				"Add":    func() error { return addErr(st, sampleCredential("a"), map[string]string{"k": "v"}) },
				"Check":  func() error { _, err := st.Check(bg); return err },
				"Record": func() error { _, err := st.Record(bg, []Record{{Name: "a"}}); return err },
				"Open":   func() error { _, err := Open(Options{Dir: dir, Kind: KindMemory}); return err },
			}
			for name, call := range calls {
				done := make(chan error, 1)
				go func() { done <- call() }()
				var err error
				select {
				case err = <-done:
				case <-time.After(5 * time.Second):
					t.Fatalf("%s hangs on %s", name, h.name)
				}
				var ue *UntrustedError
				if !errors.As(err, &ue) {
					t.Errorf("%s: err = %v, want an *UntrustedError", name, err)
					continue
				}
				msg := err.Error()
				if !strings.Contains(msg, ix.Path()) || !strings.Contains(msg, h.problem) || !strings.Contains(msg, h.fix) || strings.Contains(msg, "\n") {
					t.Errorf("%s: err = %q, want one line with the path, %q and %q", name, msg, h.problem, h.fix)
				}
			}
			if items, _ := st.Secrets.(Lister).List(); len(items) != 0 {
				t.Errorf("a secret was written: %v", items)
			}
		})
	}
}

// TestHostileConfigDir: a config dir others can write, or of another
// owner, is refused before anything in it is read.
func TestHostileConfigDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cfg")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	ix := NewIndex(dir)
	if err := putCred(ix, sampleCredential("a")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	_, err := ix.List()
	if !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), "chmod 700 "+dir) || !strings.Contains(err.Error(), "mode 0777") {
		t.Fatalf("List in a 0777 dir: err = %v", err)
	}
	if err := CheckDir(dir); err == nil {
		t.Fatal("CheckDir accepted a 0777 dir")
	}
	if err := os.Chmod(dir, 0o755); err != nil { // readable by others is fine
		t.Fatal(err)
	}
	if _, err := ix.List(); err != nil {
		t.Fatalf("List in a 0755 dir: %v", err)
	}
	if os.Geteuid() == 0 {
		if err := os.Chown(dir, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		if _, err := ix.List(); !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), "uid 65534") {
			t.Fatalf("List in a dir of another owner: err = %v", err)
		}
	}
}

// TestHostileLockRefused: a FIFO or a socket where the lock file belongs
// is refused saying what it is (a socket cannot be opened at all: ENXIO),
// and the index is not written.
func TestHostileLockRefused(t *testing.T) {
	for _, h := range []hostile{hostiles[0], hostiles[2]} {
		t.Run(h.name, func(t *testing.T) {
			dir := t.TempDir()
			ix := NewIndex(dir)
			h.setup(t, ix.Path()+lockSuffix)
			err := putCred(ix, sampleCredential("a"))
			if !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), h.problem) || !strings.Contains(err.Error(), h.fix) {
				t.Fatalf("Update with a %s as its lock: err = %v, want %q and %q", h.name, err, h.problem, h.fix)
			}
			if _, err := os.Stat(ix.Path()); !errors.Is(err, os.ErrNotExist) {
				t.Fatal("the index was written")
			}
		})
	}
}

// TestSymlinkedLockRefused: a symbolic link where the lock file belongs is
// not followed (its target is not created) and the write is refused.
func TestSymlinkedLockRefused(t *testing.T) {
	dir := t.TempDir()
	ix := NewIndex(dir)
	target := filepath.Join(t.TempDir(), "created-by-credwiz")
	mustSymlink(t, target, ix.Path()+lockSuffix)
	err := putCred(ix, sampleCredential("a"))
	if !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("Update through a symlinked lock: err = %v", err)
	}
	if _, err := os.Lstat(target); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the link's target was created: %v", err)
	}
	if _, err := os.Stat(ix.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("the index was written")
	}
}

// TestHostileSecretsFile: the encrypted file store refuses a symlink to
// /dev/zero, a FIFO and a socket at once, without reading them, wherever one of its
// files should be: the older single file, identity.age, recipients.txt,
// an item.
func TestHostileSecretsFile(t *testing.T) {
	for _, where := range []string{"legacy", "identity", "recipients", "item"} {
		for _, h := range hostiles[:3] {
			t.Run(where+"/"+h.name, func(t *testing.T) {
				dir := t.TempDir()
				f := testFileStore(t, dir, "pw")
				var path string
				switch where {
				case "legacy":
					path = f.LegacyPath()
				case "identity":
					mustSet(t, f.Section(SecretService), "a", map[string]string{"k": "v"})
					path = f.IdentityPath()
				case "recipients":
					mustSet(t, f.Section(SecretService), "a", map[string]string{"k": "v"})
					path = f.RecipientsPath()
				case "item":
					mustSet(t, f.Section(SecretService), "b", map[string]string{"k": "v"})
					name, _ := itemFileName(SecretService, "a")
					path = filepath.Join(f.Dir(), name)
				}
				_ = os.Remove(path)
				h.setup(t, path)
				type result struct {
					op  string
					err error
				}
				done := make(chan result, 2)
				go func() {
					_, err := testFileStore(t, dir, "pw").Section(SecretService).Get("a")
					done <- result{"Get", err}
				}()
				go func() {
					err := testFileStore(t, dir, "pw").Section(SecretService).Set("c", Item{Values: map[string]string{"k": "v"}})
					done <- result{"Set", err}
				}()
				for range 2 {
					select {
					case r := <-done:
						// A write reads no item; a read, no recipients.
						if r.op == "Set" && where == "item" || r.op == "Get" && where == "recipients" {
							if r.err != nil {
								t.Errorf("%s: %v", r.op, r.err)
							}
							continue
						}
						if !errors.Is(r.err, ErrUntrusted) || !strings.Contains(r.err.Error(), h.problem) {
							t.Errorf("%s: err = %v, want a refusal saying %q", r.op, r.err, h.problem)
						}
					case <-time.After(5 * time.Second):
						t.Fatal("the file store hangs")
					}
				}
			})
		}
	}
}

// TestLockWaitIsCancellable: a wait for another process's lock ends with
// the context, and says after a second whom it waits for.
func TestLockWaitIsCancellable(t *testing.T) {
	ix := NewIndex(t.TempDir())
	if err := putCred(ix, sampleCredential("a")); err != nil {
		t.Fatal(err)
	}
	unlock, err := lockFile(context.Background(), ix.Path()+lockSuffix, lockOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	var heard atomic.Value
	ix.Waiting = func(holder string) { heard.Store(holder) }
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(1500*time.Millisecond, cancel)
	start := time.Now()
	err = putCred2(ctx, ix, sampleCredential("b"))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Update while locked, cancelled: err = %v", err)
	}
	// Not cancelled, the wait would last DefaultLockTimeout.
	if d := time.Since(start); d > DefaultLockTimeout/2 {
		t.Fatalf("the cancelled wait took %s", d)
	}
	if h, _ := heard.Load().(string); h != fmt.Sprintf("another credwiz (pid %d)", os.Getpid()) {
		t.Fatalf("Waiting heard %q", h)
	}
	if _, err := ix.Get("b"); !errors.Is(err, ErrNotFound) {
		t.Fatal("a cancelled write was saved")
	}
}

// putCred2 is putCred with a context.
func putCred2(ctx context.Context, ix *Index, c Credential) error {
	return ix.Update(ctx, func(tx *Tx) error { tx.Put(c); return nil })
}

// TestTempFilesNextToTheTarget: a write's temporary file is created next
// to its target, never in $TMPDIR (even when it is on the same file
// system, where renameio would otherwise use it).
func TestTempFilesNextToTheTarget(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	dir := t.TempDir()
	pf, err := newPendingFile(filepath.Join(dir, IndexFile))
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Cleanup()
	named, ok := pf.(interface{ Name() string })
	if !ok {
		t.Fatalf("%T has no Name", pf)
	}
	if got := filepath.Dir(named.Name()); got != dir {
		t.Fatalf("temp file in %s, want %s (TMPDIR is %s)", got, dir, tmp)
	}
	if !staleTemp(filepath.Base(named.Name())) {
		t.Fatalf("doctor would not recognise %s as a temp file", named.Name())
	}
}

// TestByteSize: a size limit is said in its largest whole unit (a 64 KiB
// limit was said "0 MiB").
func TestByteSize(t *testing.T) {
	for n, want := range map[int64]string{64 << 10: "64 KiB", 1 << 20: "1 MiB", 200: "200 bytes", 1<<20 + 1: "1048577 bytes", 3 << 20: "3 MiB"} {
		if got := byteSize(n); got != want {
			t.Errorf("byteSize(%d) = %q, want %q", n, got, want)
		}
	}
}
