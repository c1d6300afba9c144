package store

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestIndexCorruptFileUntouched(t *testing.T) {
	tests := []struct {
		name, content, want string
	}{
		{"syntax error", "{\n  \"version\": 1,\n  \"credentials\": [{\"name\": \"a\",}]\n}\n", "(line 3)"},
		{"not json", "hello", "not valid JSON"},
		{"empty", "", "the file is empty"},
		{"wrong shape", `{"version":1,"credentials":{"a":{}}}`, "not a credwiz index"},
		{"wrong field type", `{"version":1,"credentials":[{"name":5}]}`, "not a credwiz index"},
		{"trailing data", `{"version":1,"credentials":[]} {}`, "not valid JSON"},
		{"negative version", `{"version":-1,"credentials":[]}`, "its schema version is -1, not a version number"},
		{"string version", `{"version":"1","credentials":[]}`, `its schema version is "1", not a version number`},
		{"huge version", `{"version":99999999999999999999,"credentials":[]}`, "its schema version is 99999999999999999999, not a version number"},
		{"fractional version", `{"version":1.5,"credentials":[]}`, "its schema version is 1.5, not a version number"},
		{"duplicate member", `{"version":1,"credentials":[{"name":"a","name":"b"}]}`, "not valid JSON"},
		{"truncated", `{"version":1,"credentials":[{"name":"a"`, "not valid JSON"},
		{"top-level array", `[]`, "not a credwiz index"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			ix := NewIndex(dir)
			if err := os.WriteFile(ix.Path(), []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			mem := NewMemory()
			st := &Store{Index: ix, Secrets: mem, Tokens: NewMemory(), Kind: KindMemory}
			ctx := context.Background()
			calls := map[string]func() error{
				"List":   func() error { _, err := ix.List(); return err },
				"Get":    func() error { _, err := ix.Get("a"); return err },
				"Update": func() error { return ix.Update(ctx, func(*Tx) error { t.Error("fn ran"); return nil }) },
				"View":   func() error { return ix.View(ctx, func(*Tx) error { t.Error("fn ran"); return nil }) },
				"Add": func() error {
					_, err := st.Add(ctx, sampleCredential("b"), map[string]string{"k": "v"}, AddOptions{})
					return err
				},
				"Change": func() error {
					_, err := st.Change(ctx, "a", 1, Change{Secret: map[string]string{"k": "v"}})
					return err
				},
				"Record": func() error {
					_, err := st.Record(ctx, []Record{{Name: "a", Result: &TestResult{OK: true}}})
					return err
				},
				"Delete": func() error { return st.Delete(ctx, "a") },
				"Check":  func() error { _, err := st.Check(ctx); return err },
				"Repair": func() error { _, err := st.Repair(ctx, true); return err },
				"Open":   func() error { _, err := Open(Options{Dir: dir, Kind: KindMemory}); return err },
			}
			for name, call := range calls {
				err := call()
				if name == "Open" && err == nil {
					continue // Open reads only the head; the next read reports it
				}
				var ce *CorruptError
				if !errors.As(err, &ce) {
					t.Errorf("%s: err = %v, want a *CorruptError", name, err)
					continue
				}
				msg := err.Error()
				if !strings.Contains(msg, ix.Path()) || !strings.Contains(msg, tt.want) || !strings.Contains(msg, "will not overwrite") {
					t.Errorf("%s: err = %q, want the path, %q and what to do", name, msg, tt.want)
				}
			}
			if data, _ := os.ReadFile(ix.Path()); string(data) != tt.content {
				t.Errorf("file changed to %q", data)
			}
			if n, _ := mem.List(); len(n) != 0 {
				t.Errorf("a write wrote a secret: %v", n)
			}
		})
	}
}

func TestIndexNewerVersionRefused(t *testing.T) {
	for _, content := range []string{
		`{"version":3,"credentials":[]}`,
		`{"version":7,"credentials":{"a":"new shape"},"store":{"kind":"vault"}}`,
	} {
		ix := NewIndex(t.TempDir())
		if err := os.WriteFile(ix.Path(), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		for name, err := range map[string]error{
			"List": func() error { _, err := ix.List(); return err }(),
			"Kind": func() error { _, err := ix.Kind(); return err }(),
			"Put":  putCred(ix, sampleCredential("a")),
		} {
			if !errors.Is(err, ErrNewerVersion) || !strings.Contains(err.Error(), "written by a newer credwiz") || !strings.Contains(err.Error(), ix.Path()) {
				t.Errorf("%s: err = %v, want ErrNewerVersion naming the file", name, err)
			}
		}
		if data, _ := os.ReadFile(ix.Path()); string(data) != content {
			t.Errorf("file changed to %q", data)
		}
	}
}

func TestIndexReadOnlyFile(t *testing.T) {
	ix := NewIndex(t.TempDir())
	if err := putCred(ix, sampleCredential("a")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(ix.Path(), 0o400); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(ix.Path())
	err := putCred(ix, sampleCredential("b"))
	if err == nil || !strings.Contains(err.Error(), "read-only") || !strings.Contains(err.Error(), "chmod 600 "+ix.Path()) {
		t.Fatalf("Put into a read-only file: err = %v", err)
	}
	if strings.Count(err.Error(), "\n") != 0 {
		t.Fatalf("error is not one line: %q", err)
	}
	mem := NewMemory()
	st := &Store{Index: ix, Secrets: mem, Tokens: NewMemory()}
	if _, err := st.Add(context.Background(), sampleCredential("c"), map[string]string{"k": "v"}, AddOptions{}); err == nil {
		t.Fatal("Add into a read-only index succeeded")
	}
	if n, _ := mem.List(); len(n) != 0 {
		t.Fatalf("Add wrote a secret before failing: %v", n)
	}
	if after, _ := os.ReadFile(ix.Path()); !bytes.Equal(before, after) {
		t.Fatal("read-only file changed")
	}
	if creds, err := ix.List(); err != nil || len(creds) != 1 {
		t.Fatalf("List of a read-only file = %v, %v", creds, err)
	}
}

func TestIndexBadDirectory(t *testing.T) {
	base := t.TempDir()
	notDir := filepath.Join(base, "file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	ix := NewIndex(notDir)
	_, err := ix.List()
	if err == nil || !strings.Contains(err.Error(), notDir) || !strings.Contains(err.Error(), "not a directory") || !strings.Contains(err.Error(), "--config-dir") {
		t.Fatalf("List under a file: err = %v", err)
	}
	err = putCred(ix, sampleCredential("a"))
	if err == nil || !strings.Contains(err.Error(), notDir) || !strings.Contains(err.Error(), "--config-dir") {
		t.Fatalf("Put under a file: err = %v", err)
	}

	if os.Geteuid() == 0 {
		t.Log("running as root: permission bits do not stop reads, so the unreadable-directory case is not exercised")
		return
	}
	locked := filepath.Join(base, "locked")
	if err := os.Mkdir(locked, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := putCred(NewIndex(locked), sampleCredential("a")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(locked, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(locked, 0o700) })
	_, err = NewIndex(locked).List()
	if err == nil || !strings.Contains(err.Error(), "permission denied") || !strings.Contains(err.Error(), locked) {
		t.Fatalf("List of an unreadable dir: err = %v", err)
	}
}

// putCred inserts or replaces c in the index, in one transaction.
func putCred(ix *Index, c Credential) error {
	return ix.Update(context.Background(), func(tx *Tx) error { tx.Put(c); return nil })
}

// removeCred removes name from the index, or fails wrapping ErrNotFound.
func removeCred(ix *Index, name string) error {
	return ix.Update(context.Background(), func(tx *Tx) error {
		if !tx.Remove(name) {
			return notFound(name)
		}
		return nil
	})
}
