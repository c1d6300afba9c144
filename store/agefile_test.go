package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestAgeFilePassphraseAskedOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), AgeFileName)
	calls := 0
	f := NewAgeFile(path, func() (string, error) { calls++; return "pw", nil })
	f.WorkFactor = testWorkFactor
	sec, tok := f.Section(SecretService), f.Section(TokenService)
	if _, err := sec.Get("a"); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	if calls != 0 {
		t.Fatal("asked for a passphrase to read a file that does not exist")
	}
	if exists, _ := f.Exists(); exists {
		t.Fatal("Exists before any write")
	}
	for i := range 3 {
		mustSet(t, sec, fmt.Sprint("s", i), map[string]string{"k": "v"})
		mustSet(t, tok, fmt.Sprint("t", i), map[string]string{"k": "v"})
	}
	if err := sec.Delete("s0"); err != nil {
		t.Fatal(err)
	}
	if calls != 1 {
		t.Fatalf("passphrase asked %d times, want 1", calls)
	}
	if exists, _ := f.Exists(); !exists {
		t.Fatal("Exists after writes")
	}

	failing := NewAgeFile(path, func() (string, error) { calls++; return "", errors.New("cancelled") })
	for range 3 {
		if _, err := failing.Section(SecretService).Get("s1"); err == nil || !strings.Contains(err.Error(), "cancelled") {
			t.Fatalf("Get with a failing prompt: %v", err)
		}
	}
	if calls != 2 {
		t.Fatalf("failing prompt asked %d times, want 1", calls-1)
	}
}

// TestAgeFileDecryptsOncePerChange counts scrypt decryptions: one per
// process while the file is unchanged, one more after another writer.
func TestAgeFileDecryptsOncePerChange(t *testing.T) {
	path := filepath.Join(t.TempDir(), AgeFileName)
	writer := testAgeFile(t, path, "pw")
	mustSet(t, writer.Section(SecretService), "a", map[string]string{"k": "1"})
	if writer.decrypts != 0 {
		t.Fatalf("the writer decrypted %d times its own file", writer.decrypts)
	}
	reader := testAgeFile(t, path, "pw")
	sec := reader.Section(SecretService)
	for range 5 {
		assertSecret(t, sec, "a", map[string]string{"k": "1"})
	}
	if _, err := sec.(Lister).List(); err != nil {
		t.Fatal(err)
	}
	mustSet(t, sec, "b", map[string]string{"k": "2"})
	assertSecret(t, sec, "b", map[string]string{"k": "2"})
	if reader.decrypts != 1 {
		t.Fatalf("reader decrypted %d times, want 1", reader.decrypts)
	}
	mustSet(t, writer.Section(SecretService), "a", map[string]string{"k": "changed"})
	assertSecret(t, sec, "a", map[string]string{"k": "changed"})
	if reader.decrypts != 2 {
		t.Fatalf("reader decrypted %d times after another writer, want 2", reader.decrypts)
	}
}

func TestAgeFileFormatAndMode(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cfg")
	path := filepath.Join(dir, AgeFileName)
	f := testAgeFile(t, path, "pw")
	const secret = "plaintext-canary-7f3a"
	mustSet(t, f.Section(SecretService), "a", map[string]string{"client_secret": secret})
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("age-encryption.org/v1\n-> scrypt ")) || !bytes.Contains(data, []byte(fmt.Sprintf(" %d\n", testWorkFactor))) {
		t.Fatalf("not an scrypt age file with work factor %d: %q", testWorkFactor, data[:min(len(data), 80)])
	}
	if bytes.Contains(data, []byte(secret)) || bytes.Contains(data, []byte("client_secret")) {
		t.Fatal("plaintext in secrets.age")
	}
	assertMode(t, path, 0o600)
	assertMode(t, dir, 0o700|os.ModeDir)
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 { // secrets.age and its lock
		t.Fatalf("files left in the dir: %v", entries)
	}
}

func TestAgeFileCorruptUntouched(t *testing.T) {
	for name, content := range map[string]string{
		"not age":   "hello, world\n",
		"truncated": "age-encryption.org/v1\n-> scrypt",
		"empty":     "",
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), AgeFileName)
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			sec := testAgeFile(t, path, "pw").Section(SecretService)
			_, errGet := sec.Get("a")
			errSet := sec.Set("a", Item{Values: map[string]string{"k": "v"}})
			for _, err := range []error{errGet, errSet} {
				var ce *CorruptError
				if !errors.As(err, &ce) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "will not overwrite") {
					t.Errorf("err = %v, want a *CorruptError naming %s", err, path)
				}
			}
			if data, _ := os.ReadFile(path); string(data) != content {
				t.Fatal("damaged file changed")
			}
		})
	}
}

func TestAgeFileTamperedIsCorrupt(t *testing.T) {
	path := filepath.Join(t.TempDir(), AgeFileName)
	mustSet(t, testAgeFile(t, path, "pw").Section(SecretService), "a", map[string]string{"k": "v"})
	data, _ := os.ReadFile(path)
	data[len(data)-5] ^= 0xff
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := testAgeFile(t, path, "pw").Section(SecretService).Get("a")
	var ce *CorruptError
	if !errors.As(err, &ce) {
		t.Fatalf("tampered file: err = %v, want *CorruptError", err)
	}
}

func TestAgeFileWrongPassphrase(t *testing.T) {
	path := filepath.Join(t.TempDir(), AgeFileName)
	mustSet(t, testAgeFile(t, path, "right").Section(SecretService), "a", map[string]string{"k": "v"})
	before, _ := os.ReadFile(path)
	sec := testAgeFile(t, path, "wrong").Section(SecretService)
	if _, err := sec.Get("a"); !errors.Is(err, ErrWrongPassphrase) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Get: err = %v", err)
	}
	if err := sec.Set("b", Item{Values: map[string]string{"k": "v"}}); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("Set: err = %v", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatal("file changed")
	}
}

func TestAgeFileReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), AgeFileName)
	sec := testAgeFile(t, path, "pw").Section(SecretService)
	mustSet(t, sec, "a", map[string]string{"k": "v"})
	if err := os.Chmod(path, 0o400); err != nil {
		t.Fatal(err)
	}
	if err := sec.Set("b", Item{Values: map[string]string{"k": "v"}}); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("Set into a read-only file: %v", err)
	}
	assertSecret(t, sec, "a", map[string]string{"k": "v"})
}

// TestAgeFileConcurrentWriters: two instances (as two processes would)
// each add names from several goroutines; none is lost.
func TestAgeFileConcurrentWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), AgeFileName)
	files := []*AgeFile{testAgeFile(t, path, "pw"), testAgeFile(t, path, "pw")}
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			if err := files[i%2].Section(SecretService).Set(fmt.Sprintf("n%02d", i), Item{Values: map[string]string{"k": "v"}}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	names, err := testAgeFile(t, path, "pw").Section(SecretService).(Lister).List()
	if err != nil || len(names) != 16 {
		t.Fatalf("Names = %v, %v; want 16", names, err)
	}
}
