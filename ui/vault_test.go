package ui

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
	"github.com/credwiz/credwiz/internal/vaulttest"
	"github.com/credwiz/credwiz/store"
)

// newVaultEnv returns a teammate's machine whose config dir uses the
// Vault store in folder of the shared dev server, as author, with token
// (root when ""); its access tokens are cached in memory.
func newVaultEnv(t *testing.T, folder, author, token string) *testEnv {
	t.Helper()
	addr, root := vaulttest.Require(t)
	if token == "" {
		token = root
	}
	e := newTestEnv(t)
	e.env["CREDWIZ_STORE"] = "vault"
	e.open = func(o store.Options) (*store.Store, error) {
		if o.Vault.Path == "" {
			o.Vault.Path = folder
		}
		o.Vault.Address, o.Vault.Token, o.Vault.Author = addr, token, author
		st, err := store.Open(o)
		if st != nil {
			st.Tokens = e.tokens
		}
		return st, err
	}
	return e
}

// must fails the test unless r exited with want.
func must(t *testing.T, r result, want int, what string) result {
	t.Helper()
	if r.code != want {
		t.Fatalf("%s: exit %d, want %d\nstdout: %s\nstderr: %s", what, r.code, want, r.out, r.err)
	}
	return r
}

// Every connector through the commands on the Vault store, as two
// teammates: one adds, the other lists, tests, gets a token, shows,
// edits; the first sees it all; rm and rm --destroy say which they did.
// No secret reaches any output.
func TestVaultCommands(t *testing.T) {
	for _, c := range connectors.All() {
		t.Run(c.ID, func(t *testing.T) {
			t.Parallel()
			folder := vaulttest.Folder(t)
			alice := newVaultEnv(t, folder, "alice@laptop", "")
			bob := newVaultEnv(t, folder, "bob@desk", "")
			em := connectortest.New(c.ID)
			defer em.Close()
			v := em.Values()
			name := "team-" + c.ID
			var outputs []string
			run := func(e *testEnv, want int, what, stdin string, args ...string) result {
				t.Helper()
				r := must(t, e.run(stdin, args...), want, what)
				outputs = append(outputs, r.out, r.err)
				return r
			}
			args, stdin := addArgs(c, name, v)
			r := run(alice, 0, "add", stdin, append(args, "--description", "nightly sync")...)
			if !strings.Contains(r.err, "in Vault ("+"secret/"+folder) {
				t.Errorf("add does not say where: %q", r.err)
			}
			r = run(bob, 0, "list --json", "", "list", "--json")
			var list []struct {
				Name     string            `json:"name"`
				LastTest *store.TestResult `json:"last_test"`
			}
			if err := json.Unmarshal([]byte(r.out), &list); err != nil || len(list) != 1 || list[0].Name != name || list[0].LastTest == nil || !list[0].LastTest.OK {
				t.Fatalf("bob's list: %s (%v)", r.out, err)
			}
			run(bob, 0, "test", "", "test", name)
			r = run(bob, 0, "show", "", "show", name)
			if !strings.Contains(r.out, "••••••••") || !strings.Contains(r.out, "nightly sync") {
				t.Errorf("show:\n%s", r.out)
			}
			r = run(bob, 0, "token", "", "token", name)
			outputs = outputs[:len(outputs)-2]
			outputs = append(outputs, r.err)
			tok := strings.TrimSpace(r.out)
			minted := em.TokensIssued()
			if again := must(t, bob.run("", "token", name), 0, "token again"); strings.TrimSpace(again.out) != tok || em.TokensIssued() != minted {
				t.Errorf("the second token call did not use the cached token")
			}
			run(bob, 0, "edit", "", "edit", name, "--description", "hourly sync", "--no-test")
			r = run(alice, 0, "list", "", "list", "--json")
			if !strings.Contains(r.out, "hourly sync") || !strings.Contains(r.out, `"ok": true`) && !strings.Contains(r.out, `"ok":true`) {
				t.Errorf("alice does not see bob's edit and test: %s", r.out)
			}
			r = run(alice, 0, "history", "", "history", name)
			if !strings.Contains(r.out, "alice@laptop") || !strings.Contains(r.out, "bob@desk") || !strings.Contains(r.out, "changed description") {
				t.Errorf("history:\n%s", r.out)
			}
			rs, rstdin := reauthArgs(c, name, v)
			run(alice, 0, "reauth", rstdin, rs...)
			r = run(bob, 0, "rm", "", "rm", name, "--yes")
			if !strings.Contains(r.err, "a Vault admin can recover") {
				t.Errorf("rm: %q", r.err)
			}
			if r = run(alice, 0, "list", "", "list", "--json"); strings.TrimSpace(r.out) != "[]" {
				t.Errorf("list after rm: %s", r.out)
			}
			run(alice, 0, "add again", stdin, args...)
			r = run(alice, 0, "rm --destroy", "", "rm", name, "--yes", "--destroy")
			if !strings.Contains(r.err, "Destroyed every version") {
				t.Errorf("rm --destroy: %q", r.err)
			}
			for _, o := range outputs {
				for _, s := range secretValues(c, v) {
					if strings.Contains(o, s) {
						t.Errorf("a secret value reached the output:\n%s", o)
					}
				}
			}
		})
	}
}

// reauthArgs returns a scripted reauth of name with v's secrets.
func reauthArgs(c *connectors.Connector, name string, v connectors.Values) ([]string, string) {
	var stdin strings.Builder
	for _, k := range c.SecretKeys() {
		if v[k] != "" {
			stdin.WriteString(k + "=" + v[k] + "\n")
		}
	}
	return []string{"reauth", name, "--secrets-stdin"}, stdin.String()
}

// A token that may only read: list, show, test and token work (the test
// results are not recorded, and test says so); add, edit, reauth and rm
// fail at once, in one line naming the path and the capability.
func TestVaultReadOnlyCommands(t *testing.T) {
	t.Parallel()
	folder := vaulttest.Folder(t)
	alice := newVaultEnv(t, folder, "alice@laptop", "")
	em := connectortest.New("drift")
	defer em.Close()
	v := em.Values()
	c, _ := (&Factory{Connectors: connectors.All}).connector("drift")
	args, stdin := addArgs(c, "shared", v)
	must(t, alice.run(stdin, args...), 0, "add")
	ro := newVaultEnv(t, folder, "reader@server", vaulttest.TokenWithPolicy(t, vaulttest.ReadOnlyRules(folder), "1h"))
	must(t, ro.run("", "list"), 0, "list")
	must(t, ro.run("", "show", "shared"), 0, "show")
	must(t, ro.run("", "token", "shared"), 0, "token")
	r := must(t, ro.run("", "test", "shared"), 0, "test")
	if !strings.Contains(r.err, "could not record the test results") || !strings.Contains(r.err, "update on secret/data/"+folder+"/@index") {
		t.Errorf("test with a read-only token: %q", r.err)
	}
	path := "secret/data/" + folder
	before := em.TokensIssued()
	for _, tt := range []struct {
		what, stdin string
		args        []string
		want        string
	}{
		{"add", stdin, []string{"add", "drift", "--name", "mine", "--secrets-stdin", "--field", "base_url=" + v["base_url"]}, "update on " + path + "/mine"},
		{"edit", "", []string{"edit", "shared", "--description", "x", "--no-test"}, "update on " + path + "/shared"},
		{"reauth", "api_key=" + v["api_key"] + "\n", []string{"reauth", "shared", "--secrets-stdin"}, "update on " + path + "/shared"},
		{"rm", "", []string{"rm", "shared", "--yes"}, "update on " + path + "/shared"},
	} {
		r := must(t, ro.run(tt.stdin, tt.args...), 1, tt.what)
		if !strings.Contains(r.err, tt.want) || strings.Count(strings.TrimSpace(r.err), "\n") != 0 {
			t.Errorf("%s: %q, want one line with %q", tt.what, r.err, tt.want)
		}
	}
	if em.TokensIssued() != before {
		t.Error("a refused command still sent the secret to the vendor")
	}
	r = must(t, alice.run("", "history", "shared"), 0, "history")
	if strings.Count(strings.TrimSpace(r.out), "\n") != 0 {
		t.Errorf("a refused command wrote a version:\n%s", r.out)
	}
}

// The local stores keep no history and no versions to destroy.
func TestVaultOnlyCommandsOnALocalStore(t *testing.T) {
	e := newTestEnv(t)
	em := connectortest.New("drift")
	defer em.Close()
	c, _ := (&Factory{Connectors: connectors.All}).connector("drift")
	args, stdin := addArgs(c, "local", em.Values())
	must(t, e.run(stdin, args...), 0, "add")
	if r := must(t, e.run("", "history", "local"), 1, "history"); !strings.Contains(r.err, "only the Vault store has a history") {
		t.Errorf("history: %q", r.err)
	}
	if r := must(t, e.run("", "rm", "local", "--yes", "--destroy"), 2, "rm --destroy"); !strings.Contains(r.err, "--destroy is for the Vault store") {
		t.Errorf("rm --destroy: %q", r.err)
	}
}

// TestMigrateToVaultCommand: credwiz migrate --to vault moves a local
// config dir's credentials into a Vault folder, where a teammate sees and
// uses them; the local secret items are gone.
func TestMigrateToVaultCommand(t *testing.T) {
	addr, root := vaulttest.Require(t)
	t.Setenv("VAULT_ADDR", addr)
	t.Setenv("VAULT_TOKEN", root)
	folder := vaulttest.Folder(t)
	em := connectortest.New("drift")
	defer em.Close()
	c := driftConnector(t)
	e := newTestEnv(t)
	args, stdin := addArgs(c, "moved", em.Values())
	must(t, e.run(stdin, args...), 0, "add locally")
	r := must(t, e.run("", "migrate", "--to", "vault", "--vault-path", folder), 0, "migrate --to vault")
	if !strings.Contains(r.err, "Moved 1 credential") || !strings.Contains(r.err, folder) {
		t.Errorf("migrate said %q", r.err)
	}
	if items, _ := e.secrets.List(); len(items) != 0 {
		t.Errorf("local items left after the move: %v", items)
	}
	bob := newVaultEnv(t, folder, "bob@desk", "")
	r = must(t, bob.run("", "list", "--json"), 0, "teammate's list")
	if !strings.Contains(r.out, `"name": "moved"`) && !strings.Contains(r.out, `"name":"moved"`) {
		t.Fatalf("the teammate does not see the moved credential: %s", r.out)
	}
	must(t, bob.run("", "test", "moved"), 0, "teammate's test of the moved credential")
	if r := e.run("", "migrate", "--to", "nowhere"); r.code != 2 || !strings.Contains(r.err, "keychain, file or vault") {
		t.Errorf("migrate --to nowhere: exit %d: %s", r.code, r.err)
	}
}

// TestDoctorVaultDownCountsNothing: with the Vault store and the server
// not answering, doctor does not tick "0 credentials" for the local file
// (the credentials are in Vault): the metadata line says it could not be
// read.
func TestDoctorVaultDownCountsNothing(t *testing.T) {
	e := newTestEnv(t)
	e.env["CREDWIZ_STORE"] = "vault"
	e.open = func(o store.Options) (*store.Store, error) {
		o.Vault.Path, o.Vault.Address, o.Vault.Token = "team", "http://127.0.0.1:1", "t0ken"
		return store.Open(o)
	}
	r := e.run("", "doctor")
	if r.code == 0 || strings.Contains(r.out, "(0 credentials)") || !strings.Contains(r.out, "✗ Metadata") {
		t.Errorf("doctor with Vault down: exit %d:\n%s%s", r.code, r.out, r.err)
	}
}
