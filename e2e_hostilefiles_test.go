//go:build unix

package main

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/credwiz/credwiz/store"
)

// hostileFileBound is the longest a command may take in front of a hostile
// file. A FIFO, or /dev/zero behind a link, would block or grow forever:
// the bound only tells "ended" from "hung", with room for a loaded machine.
const hostileFileBound = 10 * time.Second

// hostileFile is a way to put something else than credwiz's own file
// where it belongs, in a sandbox's config dir. The setup returns what the
// refusal must name (a path).
type hostileFile struct {
	name  string
	setup func(t *testing.T, dir string) (names string)
	// lock: only the lock file is hostile, so commands that only read
	// (which take no lock) work, and every write is refused.
	lock bool
	// root: needs root (another owner).
	root bool
}

// hostileFiles are the table of TestE2EHostileFiles.
var hostileFiles = []hostileFile{
	{name: "index mode 0666", setup: func(t *testing.T, dir string) string {
		p := filepath.Join(dir, store.IndexFile)
		mustDo(t, os.Chmod(p, 0o666))
		return p
	}},
	{name: "config dir mode 0777", setup: func(t *testing.T, dir string) string {
		mustDo(t, os.Chmod(dir, 0o777))
		return dir
	}},
	{name: "index a symlink", setup: func(t *testing.T, dir string) string {
		p := filepath.Join(dir, store.IndexFile)
		elsewhere := filepath.Join(t.TempDir(), "elsewhere.json")
		mustDo(t, os.Rename(p, elsewhere))
		mustDo(t, os.Symlink(elsewhere, p))
		return p
	}},
	{name: "index a FIFO", setup: func(t *testing.T, dir string) string {
		p := filepath.Join(dir, store.IndexFile)
		mustDo(t, os.Remove(p))
		mustDo(t, syscall.Mkfifo(p, 0o600))
		return p
	}},
	{name: "index a link to /dev/zero", setup: func(t *testing.T, dir string) string {
		p := filepath.Join(dir, store.IndexFile)
		mustDo(t, os.Remove(p))
		mustDo(t, os.Symlink("/dev/zero", p))
		return p
	}},
	{name: "index a directory", setup: func(t *testing.T, dir string) string {
		p := filepath.Join(dir, store.IndexFile)
		mustDo(t, os.Remove(p))
		mustDo(t, os.Mkdir(p, 0o700))
		return p
	}},
	{name: "index of another owner", root: true, setup: func(t *testing.T, dir string) string {
		p := filepath.Join(dir, store.IndexFile)
		mustDo(t, os.Chown(p, 65534, 65534))
		return p
	}},
	{name: "lock a symlink", lock: true, setup: func(t *testing.T, dir string) string {
		p := filepath.Join(dir, store.IndexFile+".lock")
		_ = os.Remove(p)
		mustDo(t, os.Symlink(filepath.Join(dir, "lock-target"), p))
		return p
	}},
}

// mustDo fails the test on err.
func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestE2EHostileFiles puts each hostile thing of hostileFiles in a
// sandbox's config dir and runs every command against it through the
// binary: each ends (within hostileFileBound) with exit 1 and a one-line
// refusal naming the path, the problem and a fix, and changes nothing in
// the config dir; doctor reports it on a ✗ line. With only the lock file
// hostile, reading commands work, every write is refused and the link's
// target is never created.
func TestE2EHostileFiles(t *testing.T) {
	requireKeychain(t)
	t.Parallel()
	em := startEmulator(t, "drift")
	v := em.Values()
	for _, hf := range hostileFiles {
		t.Run(hf.name, func(t *testing.T) {
			if hf.root && os.Geteuid() != 0 {
				// Only root can give a file to another user; CI runs as root.
				t.Skip("needs root to give the index to another user")
			}
			t.Parallel()
			s := newSandbox(t, keychainStore)
			name := credName(t, "hf")
			t.Cleanup(func() { cleanKeychain(t, name) })
			s.must("api_key="+v["api_key"]+"\n", "add", "drift", "--name", name, "--field", "base_url="+v["base_url"], "--secrets-stdin", "--no-test")
			path := hf.setup(t, s.configDir)
			before := listTree(t, s.configDir)
			commands := []struct {
				args  []string
				stdin string
				// reads: only reads the index (no lock); writes: changes it.
				reads, writes bool
			}{
				{args: []string{"list"}, reads: true},
				{args: []string{"list", "--json"}, reads: true},
				{args: []string{"show", name}, reads: true},
				{args: []string{"show", name, "--json"}, reads: true},
				{args: []string{"token", name}, reads: true},
				{args: []string{"env", name}, reads: true},
				{args: []string{"exec", name, "--", "true"}, reads: true},
				{args: []string{"__complete", "show", ""}, reads: true},
				{args: []string{"test", name}},
				{args: []string{"test", "--all", "--json"}},
				{args: []string{"add", "drift", "--name", name + "-2", "--field", "base_url=" + v["base_url"], "--secrets-stdin", "--no-test"}, stdin: "api_key=" + v["api_key"] + "\n", writes: true},
				{args: []string{"edit", name, "--description", "changed"}, writes: true},
				{args: []string{"reauth", name, "--secrets-stdin", "--force"}, stdin: "api_key=" + v["api_key"] + "\n", writes: true},
				{args: []string{"rm", name, "--yes"}, writes: true},
				{args: []string{"doctor"}},
				{args: []string{"doctor", "--json"}},
				{args: []string{"doctor", "--fix"}},
			}
			for _, c := range commands {
				start := time.Now()
				r := s.exec(nil, c.stdin, c.args...) // a run that cannot be made fails the test
				d := time.Since(start)
				if d > hostileFileBound {
					t.Errorf("%s took %s in front of %s: it must end at once", strings.Join(c.args, " "), d.Round(time.Millisecond), hf.name)
				}
				said := r.stderr
				doctor := c.args[0] == "doctor"
				if doctor {
					said = r.stdout + r.stderr
				}
				switch {
				case c.args[0] == "__complete":
					// Completion fails silently: no candidates, no error text.
					if strings.Contains(r.stdout, name) && !hf.lock {
						t.Errorf("completion offered names read from %s:\n%s", hf.name, r)
					}
				case hf.lock && (c.reads || c.args[0] == "test"):
					// test works, and says it could not record its result.
					if r.code != 0 {
						t.Errorf("%s with a symlinked lock: exit %d, want 0:\n%s", strings.Join(c.args, " "), r.code, r)
					}
				default:
					if r.code != 1 {
						t.Errorf("%s in front of %s: exit %d, want 1:\n%s", strings.Join(c.args, " "), hf.name, r.code, r)
					}
					if !strings.Contains(said, path) || !strings.Contains(said, "credwiz will not use") {
						t.Errorf("%s in front of %s does not name %s and refuse it:\n%s", strings.Join(c.args, " "), hf.name, path, r)
					}
					if doctor && c.args[len(c.args)-1] != "--json" && !strings.Contains(r.stdout, "✗") {
						t.Errorf("doctor shows no ✗ line for %s:\n%s", hf.name, r)
					}
					// The refusal is one line that names the path (a
					// write may first print its live test's report).
					if !doctor && !refusalLine(r.stderr, path) {
						t.Errorf("%s: no one-line refusal naming %s:\n%s", strings.Join(c.args, " "), path, r)
					}
				}
				if strings.Contains(r.stdout+r.stderr, v["api_key"]) && c.args[0] != "token" && c.args[0] != "env" {
					t.Errorf("%s printed the secret:\n%s", strings.Join(c.args, " "), r)
				}
			}
			if after := listTree(t, s.configDir); !maps.Equal(before, after) {
				t.Errorf("the config dir changed in front of %s:\nbefore %v\nafter  %v", hf.name, before, after)
			}
			if _, err := os.Lstat(filepath.Join(s.configDir, "lock-target")); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the symlinked lock's target was created: %v", err)
			}
		})
	}
}

// refusalLine says whether one line of stderr refuses path.
func refusalLine(stderr, path string) bool {
	for _, l := range strings.Split(stderr, "\n") {
		if strings.Contains(l, "credwiz will not use "+path+":") {
			return true
		}
	}
	return false
}

// listTree describes every entry under dir without opening anything but
// regular files (a FIFO would block): its type, mode, owner, size and, for
// a regular file, its content.
func listTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		desc := fmt.Sprintf("%s %d", fi.Mode(), fi.Size())
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			desc += fmt.Sprintf(" uid %d", st.Uid)
		}
		if fi.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			desc += " " + string(b)
		}
		out[p] = desc
		if d.IsDir() && p != dir && fi.Mode()&fs.ModeSymlink == 0 && filepath.Base(p) == store.IndexFile {
			return filepath.SkipDir
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
