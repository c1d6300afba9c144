//go:build unix

package faulttest

import (
	"encoding/json"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/credwiz/credwiz/connectors/connectortest"
	"github.com/credwiz/credwiz/store"
)

// keychainTimeout is the timeout of one keychain call.
const keychainTimeout = 3 * time.Second

// hangBound is the longest a command may take when the keychain hangs: a
// command that fails at its first keychain call takes one keychain timeout
// plus the process's own work, while one that waited on a second call
// after the first timed out would take two timeouts. The bound sits at
// two timeouts so that it tells the two apart on a loaded machine; it is
// a count of timeouts, not a performance target.
const hangBound = 2 * keychainTimeout

// TestKeychainHangs points the keychain at a D-Bus socket that accepts and
// never answers: every command that needs a secret fails within the bound
// with the store-unavailable error and a fix hint, changing nothing, while
// list and list --json still work.
func TestKeychainHangs(t *testing.T) {
	t.Parallel()
	bus := hangingBus(t)
	em := connectortest.NewDrift()
	t.Cleanup(em.Close)
	key := em.Values()["api_key"]
	now := time.Now().UTC().Truncate(time.Second)
	seeded := store.Credential{
		Name: "seeded", Connector: "drift", Description: "saved before the keychain hung",
		Fields: map[string]string{"base_url": em.URL()}, SecretKeys: []string{"api_key"},
		CreatedAt: now, UpdatedAt: now, SecretsUpdatedAt: now,
	}
	// An OAuth credential: token reads its cached token, then its secret.
	seededDB := store.Credential{
		Name: "seeded-db", Connector: "demandbase", Description: "an OAuth credential",
		Fields:     map[string]string{"base_url": "http://127.0.0.1:9", "client_id": "dbks-0123456789abcdef"},
		SecretKeys: []string{"client_secret"}, CreatedAt: now, UpdatedAt: now, SecretsUpdatedAt: now,
	}
	add := []string{"add", "drift", "--name", "new-one", "--field", "base_url=" + em.URL(), "--secrets-stdin"}

	tests := []struct {
		name  string
		args  []string
		stdin string
		code  int
		// fails: the command must fail (exit 1) inside hangBound, saying
		// the secret store is unavailable and how to fix it.
		fails bool
		// inOutput must appear on stdout (commands that still answer).
		inOutput string
		// saves: the command changes only metadata, never touching the
		// secret store, so it succeeds (and changes the config dir).
		saves bool
	}{
		{name: "add", args: add, stdin: stdinOf("api_key", key), code: 1, fails: true},
		{name: "add --no-test", args: append(add, "--no-test"), stdin: stdinOf("api_key", key), code: 1, fails: true},
		{name: "test", args: []string{"test", "seeded"}, code: 1, fails: true},
		{name: "test --all --json", args: []string{"test", "--all", "--json"}, code: 1, fails: true},
		{name: "token", args: []string{"token", "seeded"}, code: 1, fails: true},
		{name: "token (OAuth)", args: []string{"token", "seeded-db"}, code: 1, fails: true},
		{name: "test (OAuth)", args: []string{"test", "seeded-db"}, code: 1, fails: true},
		{name: "rm", args: []string{"rm", "seeded", "--yes"}, code: 1, fails: true},
		{name: "reauth", args: []string{"reauth", "seeded", "--secrets-stdin"}, stdin: stdinOf("api_key", key), code: 1, fails: true},
		// A description (or name) alone needs no secret: nothing reads the
		// keychain (the encrypted file store would ask its passphrase).
		{name: "edit description", args: []string{"edit", "seeded", "--description", "changed"}, code: 0, saves: true},
		{name: "edit rename", args: []string{"edit", "seeded", "--name", "renamed"}, code: 1, fails: true},
		{name: "edit secret", args: []string{"edit", "seeded", "--secrets-stdin"}, stdin: stdinOf("api_key", key), code: 1, fails: true},
		{name: "doctor", args: []string{"doctor"}, code: 1, fails: true},
		// show documents that it warns and shows the rest when it cannot
		// check the secrets: exit 0, with the warning inside the bound.
		{name: "show", args: []string{"show", "seeded"}, code: 0, fails: true, inOutput: "saved before the keychain hung"},
		{name: "show --json", args: []string{"show", "seeded", "--json"}, code: 0, fails: true, inOutput: `"(not checked)"`},
		{name: "list", args: []string{"list"}, code: 0, inOutput: "seeded"},
		{name: "list --json", args: []string{"list", "--json"}, code: 0, inOutput: `"seeded"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sb := newSandbox(t, "keychain", bus)
			sb.secret(key)
			sb.seed(seeded, seededDB)
			before := sb.snapshot()
			r := sb.run(tt.stdin, tt.args...)
			t.Logf("%s: exit %d after %s", tt.name, r.code, r.dur.Round(time.Millisecond))
			if r.code != tt.code {
				t.Errorf("exit %d, want %d:\n%s", r.code, tt.code, r)
			}
			if tt.inOutput != "" && !strings.Contains(r.stdout, tt.inOutput) {
				t.Errorf("stdout lacks %q:\n%s", tt.inOutput, r)
			}
			if !maps.Equal(before, sb.snapshot()) && !tt.saves {
				t.Errorf("the command changed the config dir")
			}
			if !tt.fails {
				// Never touches the keychain: answers at once.
				// A command that touched the keychain would have waited
				// for its timeout.
				if r.dur >= keychainTimeout {
					t.Errorf("%s took %s with a hanging keychain; it must not touch the keychain", tt.name, r.dur)
				}
				return
			}
			if r.dur > hangBound {
				t.Errorf("%s took %s with a hanging keychain; every keychain call has a 3s timeout, so it must fail at the first one, within %s:\n%s", tt.name, r.dur.Round(time.Millisecond), hangBound, r)
			}
			if r.dur < 2500*time.Millisecond {
				t.Errorf("%s finished in %s, before the 3s keychain timeout: did it reach the keychain at all?\n%s", tt.name, r.dur, r)
			}
			said := r.stderr
			if tt.args[0] == "test" || tt.args[0] == "doctor" {
				// test prints each credential's result and doctor its
				// report on stdout (data), test its summary on stderr.
				said = r.stdout + r.stderr
			}
			if strings.HasSuffix(tt.name, "--json") && tt.args[0] == "test" {
				var outs []struct {
					Class, Message string
				}
				if err := json.Unmarshal([]byte(r.stdout), &outs); err != nil || len(outs) != 2 {
					t.Fatalf("test --all --json: want 2 results: %v\n%s", err, r)
				}
				said = ""
				for _, o := range outs {
					if o.Class != "store" {
						t.Errorf("test --json class %q, want store", o.Class)
					}
					said += o.Message + "\n"
				}
			}
			if !strings.Contains(said, "secret store unavailable") {
				t.Errorf("%s does not say that the secret store is unavailable:\n%s", tt.name, r)
			}
			if !strings.Contains(said, "credwiz migrate --to file") || !strings.Contains(said, "Secret Service") {
				t.Errorf("%s gives no fix hint (start the Secret Service, or credwiz migrate --to file):\n%s", tt.name, r)
			}
		})
	}
}
