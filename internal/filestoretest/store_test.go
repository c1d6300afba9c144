//go:build unix

package filestoretest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"
)

// TestParallelAdds: 20 credwiz add processes at once on the file store,
// without any passphrase (writes need none), all save; and 20 at once on
// a config dir with no store yet (CREDWIZ_PASSPHRASE set), which agree on
// one store. Elapsed times are logged (no timed assert).
func TestParallelAdds(t *testing.T) {
	for _, fresh := range []bool{false, true} {
		t.Run(fmt.Sprintf("fresh store %v", fresh), func(t *testing.T) {
			sb := newSandbox(t, false).with("CREDWIZ_STORE=file")
			if !fresh {
				sb.with("CREDWIZ_PASSPHRASE=pw").addDrift("seed", "key-seed-0123456789")
			} else {
				sb = sb.with("CREDWIZ_PASSPHRASE=pw")
			}
			var wg sync.WaitGroup
			results := make([]result, 20)
			start := time.Now()
			for i := range 20 {
				wg.Go(func() {
					results[i] = sb.run(fmt.Sprintf("api_key=key-%02d-0123456789\n", i), "add", "drift", "--name", fmt.Sprintf("p%02d", i),
						"--field", "base_url=http://127.0.0.1:9", "--secrets-stdin", "--no-test")
				})
			}
			wg.Wait()
			elapsed := time.Since(start)
			saved := 0
			for i, r := range results {
				if r.code == 0 {
					saved++
				} else {
					t.Errorf("add p%02d: %s", i, r)
				}
			}
			t.Logf("20 parallel adds (fresh store %v): %d of 20 saved in %s", fresh, saved, elapsed.Round(time.Millisecond))
			reader := sb.with("CREDWIZ_PASSPHRASE=pw")
			for i := range 20 {
				if got := reader.token(fmt.Sprintf("p%02d", i)); got != fmt.Sprintf("key-%02d-0123456789", i) {
					t.Fatalf("p%02d holds %q", i, got)
				}
			}
			if r := sb.run("", "doctor"); r.code != 0 {
				t.Fatalf("doctor: %s", r)
			}
		})
	}
}

// TestConvertOldFormat: a config dir in the older format (a version 1
// index, secrets.age under the passphrase) is read as it is, converted by
// the first write keeping the passphrase, and, when the conversion is
// killed after its commit, doctor lists secrets.age and --fix removes it.
func TestConvertOldFormat(t *testing.T) {
	for _, kill := range []bool{false, true} {
		t.Run(fmt.Sprintf("killed %v", kill), func(t *testing.T) {
			sb := newSandbox(t, false).with("CREDWIZ_PASSPHRASE=old-pass")
			writeOldFormat(t, sb.dir, "old-pass", map[string]string{"a": "key-a-0123456789", "b": "key-b-0123456789"})
			if got := sb.token("a"); got != "key-a-0123456789" {
				t.Fatalf("token before conversion = %q", got)
			}
			if d := sb.run("", "doctor"); !strings.Contains(d.stdout, "older single-file format (secrets.age): the next change converts it") {
				t.Fatalf("doctor before conversion: %s", d)
			}
			if _, err := os.Stat(filepath.Join(sb.dir, "secrets")); err == nil {
				t.Fatal("a read converted the store")
			}
			if kill {
				reached, r := sb.killAt("converted", 1, "api_key=key-c-0123456789\n", "add", "drift", "--name", "c",
					"--field", "base_url=http://127.0.0.1:9", "--secrets-stdin", "--no-test")
				if !reached {
					t.Fatalf("never paused at converted: %s", r)
				}
				d := sb.run("", "doctor")
				if d.code != 1 || !strings.Contains(d.stdout, "secrets.age") {
					t.Fatalf("doctor after the kill: %s", d)
				}
				sb.must("", "doctor", "--fix")
				sb.addDrift("c", "key-c-0123456789")
			} else {
				sb.addDrift("c", "key-c-0123456789")
			}
			if _, err := os.Stat(filepath.Join(sb.dir, "secrets.age")); !os.IsNotExist(err) {
				t.Fatalf("secrets.age is still there: %v", err)
			}
			for n, k := range map[string]string{"a": "key-a-0123456789", "b": "key-b-0123456789", "c": "key-c-0123456789"} {
				if got := sb.token(n); got != k {
					t.Fatalf("token %s after conversion = %q", n, got)
				}
			}
			if d := sb.run("", "doctor"); d.code != 0 {
				t.Fatalf("doctor: %s", d)
			}
		})
	}
}

// writeOldFormat writes a config dir as the credwiz before the store
// protocol left it: credentials.json version 1 recording the file store,
// and secrets.age (scrypt, work factor 10) holding the Drift keys.
func writeOldFormat(t *testing.T, dir, pass string, keys map[string]string) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	type cred struct {
		Name       string            `json:"name"`
		Connector  string            `json:"connector"`
		Fields     map[string]string `json:"fields"`
		SecretKeys []string          `json:"secret_keys"`
		CreatedAt  time.Time         `json:"created_at"`
		UpdatedAt  time.Time         `json:"updated_at"`
		SecretsAt  time.Time         `json:"secrets_updated_at"`
	}
	now := time.Now().UTC().Truncate(time.Second)
	var creds []cred
	services := map[string]map[string]map[string]string{"credwiz": {}}
	for n, k := range keys {
		creds = append(creds, cred{Name: n, Connector: "drift", Fields: map[string]string{"base_url": "http://127.0.0.1:9"},
			SecretKeys: []string{"api_key"}, CreatedAt: now, UpdatedAt: now, SecretsAt: now})
		services["credwiz"][n] = map[string]string{"api_key": k}
	}
	index, _ := json.MarshalIndent(map[string]any{"version": 1, "store": "file", "credentials": creds}, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, "credentials.json"), index, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := age.NewScryptRecipient(pass)
	if err != nil {
		t.Fatal(err)
	}
	r.SetWorkFactor(10)
	f, err := os.OpenFile(filepath.Join(dir, "secrets.age"), os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	w, err := age.Encrypt(f, r)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.NewEncoder(w).Encode(map[string]any{"version": 1, "services": services}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
