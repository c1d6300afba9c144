package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeIndex writes an index recording kind with the given credentials.
func writeIndex(t *testing.T, dir string, kind Kind, names ...string) {
	t.Helper()
	if err := NewIndex(dir).Update(bg, func(tx *Tx) error {
		tx.SetKind(kind)
		for _, n := range names {
			tx.Put(sampleCredential(n))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func TestOpenKindResolution(t *testing.T) {
	t.Setenv("CREDWIZ_PASSPHRASE", "x")
	tests := []struct {
		name     string
		recorded Kind
		creds    []string
		want     Kind
		ask      Kind
		wantKind Kind
		wantErr  error
	}{
		{name: "recorded file wins over auto", recorded: KindFile, creds: []string{"a"}, ask: KindAuto, wantKind: KindFile},
		{name: "recorded file wins over empty", recorded: KindFile, creds: []string{"a"}, ask: "", wantKind: KindFile},
		{name: "recorded keychain wins over auto", recorded: KindKeychain, creds: []string{"a"}, ask: KindAuto, wantKind: KindKeychain},
		{name: "recorded memory wins over auto", recorded: KindMemory, ask: KindAuto, wantKind: KindMemory},
		{name: "explicit same kind", recorded: KindFile, creds: []string{"a"}, ask: KindFile, wantKind: KindFile},
		{name: "explicit other kind with credentials", recorded: KindFile, creds: []string{"a"}, ask: KindKeychain, wantErr: ErrStoreMismatch},
		{name: "explicit other kind without credentials", recorded: KindFile, ask: KindKeychain, wantKind: KindKeychain},
		{name: "nothing recorded, explicit file", ask: KindFile, wantKind: KindFile},
		{name: "nothing recorded, explicit keychain", ask: KindKeychain, wantKind: KindKeychain},
		{name: "unknown kind", ask: "cloud", wantErr: errors.New("unknown secret store")},
		{name: "recorded vault, explicit keychain", recorded: KindVault, ask: KindKeychain, wantErr: ErrStoreMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.recorded != "" {
				writeIndex(t, dir, tt.recorded, tt.creds...)
			}
			before, _ := os.ReadFile(filepath.Join(dir, IndexFile))
			st, err := Open(Options{Dir: dir, Kind: tt.ask})
			if tt.wantErr != nil {
				if err == nil || (!errors.Is(err, tt.wantErr) && !strings.Contains(err.Error(), tt.wantErr.Error())) {
					t.Fatalf("Open: err = %v, want %v", err, tt.wantErr)
				}
				if errors.Is(tt.wantErr, ErrStoreMismatch) && (!strings.Contains(err.Error(), string(tt.recorded)) || !strings.Contains(err.Error(), string(tt.ask))) {
					t.Fatalf("mismatch error %q does not name both stores", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if st.Kind != tt.wantKind {
				t.Fatalf("Kind = %q, want %q", st.Kind, tt.wantKind)
			}
			if tt.recorded != "" && tt.ask == KindAuto && !strings.Contains(st.Reason, "recorded") {
				t.Errorf("Reason = %q", st.Reason)
			}
			after, _ := os.ReadFile(filepath.Join(dir, IndexFile))
			if !bytes.Equal(before, after) {
				t.Fatal("Open changed the index")
			}
			entries, _ := os.ReadDir(dir)
			if tt.recorded == "" && len(entries) != 0 {
				t.Fatalf("Open wrote files: %v", entries)
			}
		})
	}
}

func TestOpenWritesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "not-yet")
	if _, err := Open(Options{Dir: dir, Kind: KindFile}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Open created the config dir: %v", err)
	}
}

// TestOpenAutoWithoutSecretService runs Open in children whose session bus
// is absent or hanging: auto falls back to the encrypted file, within the
// probe timeout.
func TestOpenAutoWithoutSecretService(t *testing.T) {
	for name, bus := range map[string]string{
		"absent bus":  "unix:path=" + filepath.Join(t.TempDir(), "none"),
		"hanging bus": "unix:path=" + hangingSocket(t),
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			out, err := helperCmd(t, "open", "DBUS_SESSION_BUS_ADDRESS="+bus, "HELPER_DIR="+dir, "HELPER_KIND=auto", "HELPER_TIMEOUT=500ms").Output()
			if err != nil {
				t.Fatalf("helper: %v: %s", err, out)
			}
			var r helperResult
			if err := json.Unmarshal(out, &r); err != nil {
				t.Fatalf("helper printed %q", out)
			}
			if r.Err != "" || r.Kind != KindFile {
				t.Fatalf("Open(auto) = %q, %q; want the file store", r.Kind, r.Err)
			}
			if r.Elapsed > 1500 {
				t.Fatalf("Open(auto) took %dms with a 500ms probe timeout", r.Elapsed)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Fatalf("Open wrote files: %v", entries)
			}
		})
	}
}

func TestOpenAutoPicksKeychain(t *testing.T) {
	requireKeychain(t)
	st, err := Open(Options{Dir: t.TempDir(), ProbeTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if st.Kind != KindKeychain || !strings.Contains(st.Reason, "keychain answered") {
		t.Fatalf("Open(auto) with a Secret Service = %q (%s)", st.Kind, st.Reason)
	}
}

func TestOpenFilePassphraseSources(t *testing.T) {
	dir := t.TempDir()
	calls := 0
	prompt := func(PassphraseRequest) (string, error) { calls++; return "prompted", nil }

	os.Unsetenv("CREDWIZ_PASSPHRASE")
	t.Setenv("CREDWIZ_PASSPHRASE", "")
	os.Unsetenv("CREDWIZ_PASSPHRASE")
	st, err := Open(Options{Dir: dir, Kind: KindFile})
	if err != nil {
		t.Fatal(err)
	}
	err = addErr(st, sampleCredential("a"), map[string]string{"k": "v"})
	if err == nil || !strings.Contains(err.Error(), "set CREDWIZ_PASSPHRASE") {
		t.Fatalf("Save without a passphrase source: err = %v", err)
	}

	st, err = Open(Options{Dir: dir, Kind: KindFile, Passphrase: prompt})
	if err != nil {
		t.Fatal(err)
	}
	lowerWorkFactor(st)
	for _, n := range []string{"a", "b", "c"} {
		if err := addErr(st, sampleCredential(n), map[string]string{"k": n}); err != nil {
			t.Fatal(err)
		}
		if _, err := secretOf(st, n); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Tokens.Get("a"); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	if calls != 1 {
		t.Fatalf("the prompt ran %d times, want once", calls)
	}

	t.Setenv("CREDWIZ_PASSPHRASE", "prompted")
	st, err = Open(Options{Dir: dir, Passphrase: func(PassphraseRequest) (string, error) {
		t.Fatal("prompted despite CREDWIZ_PASSPHRASE")
		return "", nil
	}})
	if err != nil || st.Kind != KindFile {
		t.Fatalf("Open = %v, %v", st, err)
	}
	if m, err := secretOf(st, "b"); err != nil || m["k"] != "b" {
		t.Fatalf("Secret with CREDWIZ_PASSPHRASE = %v, %v", m, err)
	}
	t.Setenv("CREDWIZ_PASSPHRASE", "")
	st, _ = Open(Options{Dir: dir})
	if _, err := secretOf(st, "b"); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("empty CREDWIZ_PASSPHRASE: err = %v", err)
	}
}

// lowerWorkFactor makes a file store fast for tests.
func lowerWorkFactor(st *Store) {
	if st.File != nil {
		st.File.WorkFactor = testWorkFactor
	}
}
