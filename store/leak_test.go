package store

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestNoSecretInConfigDir saves, edits, renames and deletes credentials
// with each persistent secret store, then greps every file under the
// config dir for the secret values.
func TestNoSecretInConfigDir(t *testing.T) {
	stores := map[string]func(t *testing.T, dir string) *Store{
		"file": func(t *testing.T, dir string) *Store {
			t.Setenv("CREDWIZ_PASSPHRASE", "leak test passphrase")
			st, err := Open(Options{Dir: dir, Kind: KindFile})
			if err != nil {
				t.Fatal(err)
			}
			lowerWorkFactor(st)
			return st
		},
		"keychain": func(t *testing.T, dir string) *Store {
			requireKeychain(t)
			svc := testService(t)
			t.Cleanup(func() { wipeKeychainService(t, svc+"-token") })
			return &Store{Index: NewIndex(dir), Kind: KindKeychain,
				Secrets: testKeychain(svc, 10*time.Second), Tokens: testKeychain(svc+"-token", 10*time.Second)}
		},
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			st := open(t, dir)
			secrets := []string{"sk-live-" + randomHex(12), "pw-" + randomHex(12), "tok-" + randomHex(12), "new-" + randomHex(12)}
			const clientID = "client-id-visible-in-index"
			c := sampleCredential("prod")
			c.Fields["client_id"] = clientID
			var rev int64
			steps := []func() error{
				func() error {
					saved, err := st.Add(bg, c, map[string]string{"client_secret": secrets[0], "password": secrets[1]}, AddOptions{})
					rev = saved.Revision
					return err
				},
				func() error {
					errs, err := st.Record(bg, []Record{{Name: "prod", Revision: rev, Token: map[string]string{"access_token": secrets[2]},
						Result: &TestResult{OK: true, At: time.Now()}}})
					if err == nil {
						err = errs[0]
					}
					return err
				},
				func() error {
					_, err := st.Change(bg, "prod", rev, Change{Name: "prod-renamed", Secret: map[string]string{"client_secret": secrets[3]}})
					return err
				},
				func() error { return addErr(st, sampleCredential("other"), map[string]string{"k": secrets[0]}) },
				func() error { return st.Delete(bg, "other") },
				func() error { _, err := st.Check(bg); return err },
			}
			for i, step := range steps {
				if err := step(); err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
			}
			if m, err := secretOf(st, "prod-renamed"); err != nil || m["client_secret"] != secrets[3] {
				t.Fatalf("Secret = %v, %v", m, err)
			}
			sawClientID := false
			err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				data, err := os.ReadFile(path)
				if err != nil {
					return err
				}
				sawClientID = sawClientID || bytes.Contains(data, []byte(clientID))
				for _, s := range secrets {
					if bytes.Contains(data, []byte(s)) {
						t.Errorf("%s holds the secret value %s in plaintext", path, s)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !sawClientID {
				t.Fatal("the scan did not see the index's non-secret values; it would miss secrets too")
			}
		})
	}
}
