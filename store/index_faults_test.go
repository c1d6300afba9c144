package store

import (
	"bytes"
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
		{"trailing data", `{"version":1,"credentials":[]} {}`, "unexpected data"},
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
			calls := map[string]func() error{
				"List":       func() error { _, err := ix.List(); return err },
				"Get":        func() error { _, err := ix.Get("a"); return err },
				"Put":        func() error { return ix.Put(sampleCredential("b")) },
				"Remove":     func() error { return ix.Remove("a") },
				"RecordTest": func() error { return ix.RecordTest("a", TestResult{OK: true}) },
				"Update":     func() error { return ix.Update(func(*Tx) error { t.Error("fn ran"); return nil }) },
				"Save":       func() error { return st.Save(sampleCredential("b"), map[string]string{"k": "v"}, SaveOptions{}) },
				"Delete":     func() error { return st.Delete("a") },
				"Orphans":    func() error { _, err := st.Orphans(); return err },
				"Open":       func() error { _, err := Open(Options{Dir: dir, Kind: KindMemory}); return err },
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
			if n, _ := mem.Names(); len(n) != 0 {
				t.Errorf("Save wrote a secret: %v", n)
			}
		})
	}
}

func TestIndexNewerVersionRefused(t *testing.T) {
	for _, content := range []string{
		`{"version":2,"credentials":[]}`,
		`{"version":7,"credentials":{"a":"new shape"},"store":{"kind":"vault"}}`,
	} {
		ix := NewIndex(t.TempDir())
		if err := os.WriteFile(ix.Path(), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		for name, err := range map[string]error{
			"List": func() error { _, err := ix.List(); return err }(),
			"Kind": func() error { _, err := ix.Kind(); return err }(),
			"Put":  ix.Put(sampleCredential("a")),
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
	if err := ix.Put(sampleCredential("a")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(ix.Path(), 0o400); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(ix.Path())
	err := ix.Put(sampleCredential("b"))
	if err == nil || !strings.Contains(err.Error(), "read-only") || !strings.Contains(err.Error(), "chmod 600 "+ix.Path()) {
		t.Fatalf("Put into a read-only file: err = %v", err)
	}
	if strings.Count(err.Error(), "\n") != 0 {
		t.Fatalf("error is not one line: %q", err)
	}
	mem := NewMemory()
	st := &Store{Index: ix, Secrets: mem, Tokens: NewMemory()}
	if err := st.Save(sampleCredential("c"), map[string]string{"k": "v"}, SaveOptions{}); err == nil {
		t.Fatal("Save into a read-only index succeeded")
	}
	if n, _ := mem.Names(); len(n) != 0 {
		t.Fatalf("Save wrote a secret before failing: %v", n)
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
	if err == nil || !strings.Contains(err.Error(), ix.Path()) || !strings.Contains(err.Error(), "not a directory") {
		t.Fatalf("List under a file: err = %v", err)
	}
	err = ix.Put(sampleCredential("a"))
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
	if err := NewIndex(locked).Put(sampleCredential("a")); err != nil {
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
