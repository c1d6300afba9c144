package main

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/store"
)

// TestE2EScriptedKeychain runs the scripted add → list → show → test →
// token → reauth → edit → rename → rm flow for every connector,
// with the secrets in the real Secret Service (checked with secret-tool).
func TestE2EScriptedKeychain(t *testing.T) {
	requireKeychain(t)
	t.Parallel()
	for _, c := range connectors.All() {
		t.Run(c.ID, func(t *testing.T) {
			t.Parallel()
			scriptedFlow(t, keychainStore, c)
		})
	}
}

// TestE2EScriptedFile is TestE2EScriptedKeychain with the age-encrypted
// file store (CREDWIZ_STORE=file, CREDWIZ_PASSPHRASE) and no D-Bus at all;
// it leaves out reauth and one extra test, as every open of the file costs
// a second of scrypt.
func TestE2EScriptedFile(t *testing.T) {
	t.Parallel()
	for _, c := range connectors.All() {
		t.Run(c.ID, func(t *testing.T) {
			t.Parallel()
			scriptedFlow(t, fileStore, c)
		})
	}
}

// scriptedFlow is the whole scripted life of one credential of c.
func scriptedFlow(t *testing.T, kind storeKind, c *connectors.Connector) {
	em := startEmulator(t, c.ID)
	v := em.Values()
	fields, secrets := split(c, v)
	if len(secrets) == 0 {
		t.Fatalf("the %s emulator's values hold no secret", c.ID)
	}
	sb := newSandbox(t, kind)
	name := credName(t, c.ID)
	renamed := name + "-new"
	if kind == keychainStore {
		cleanKeychain(t, name, renamed)
	}
	// watched are every secret value the credential ever had.
	watched := map[string]string{}
	for k, v := range secrets {
		watched["first "+k] = v
	}
	// noLeak checks one command's stdout and stderr for the secrets.
	noLeak := func(r result, stdoutToo bool) {
		t.Helper()
		if k := findLeak(r.stderr, watched); k != "" {
			t.Errorf("the %s secret appears on stderr of credwiz %s", k, quoteArgs(r.args))
		}
		if k := findLeak(r.stdout, watched); stdoutToo && k != "" {
			t.Errorf("the %s secret appears on stdout of credwiz %s", k, quoteArgs(r.args))
		}
	}

	// add, secrets on stdin.
	desc := "e2e " + c.Name + " credential"
	r := sb.must(stdinLines(secrets), addArgs(c.ID, name, fields, "--description", desc, "--secrets-stdin")...)
	noLeak(r, true)
	if kind == keychainStore {
		got, ok := keychainSecrets(t, name)
		if !ok {
			t.Fatalf("after add, secret-tool lookup service credwiz username %s finds nothing", name)
		}
		if !maps.Equal(got, secrets) {
			t.Errorf("the keychain item of %s holds keys %v; want exactly the secret fields %v with their values",
				name, sortedKeys(got), sortedKeys(secrets))
		}
	} else {
		// The encrypted file store: its identity and the item's own file.
		dir := filepath.Join(sb.configDir, store.SecretsDirName)
		if _, err := os.Stat(filepath.Join(dir, "identity.age")); err != nil {
			t.Errorf("file store: %v", err)
		}
		if items, _ := filepath.Glob(filepath.Join(dir, "credwiz.*.age")); len(items) != 1 {
			t.Errorf("file store: item files %v, want the one of %s", items, name)
		}
	}

	// list --json: the fields, the secret keys (not values), the test.
	creds := sb.list()
	cr, ok := find(creds, name)
	if !ok {
		t.Fatalf("list --json does not show %s; it shows %v", name, names(creds))
	}
	if cr.Connector != c.ID || cr.Description != desc {
		t.Errorf("list --json: connector %q description %q; want %q %q", cr.Connector, cr.Description, c.ID, desc)
	}
	for k, want := range fields {
		if got := cr.Fields[k]; got != want {
			t.Errorf("list --json: fields[%s] = %q; want %q", k, got, want)
		}
	}
	for k := range cr.Fields {
		if fd, ok := c.Field(k); !ok || fd.Secret {
			t.Errorf("list --json: fields holds %q, which is not a non-secret field of %s", k, c.ID)
		}
	}
	if want := sortedKeys(secrets); !slices.Equal(sortedCopy(cr.SecretKeys), want) {
		t.Errorf("list --json: secret_keys %v; want %v", cr.SecretKeys, want)
	}
	if cr.LastTest == nil || !cr.LastTest.OK {
		t.Errorf("list --json: last_test %+v; want ok after a passing add", cr.LastTest)
	} else if want := wantAccount(t, c, v); cr.LastTest.Account != want {
		t.Errorf("list --json: last_test.account %q; want %q", cr.LastTest.Account, want)
	}
	for _, args := range [][]string{{"list"}, {"list", "--json"}} {
		noLeak(sb.must("", args...), true)
	}

	// show and show --json mask every secret.
	r = sb.must("", "show", name)
	noLeak(r, true)
	if !strings.Contains(r.stdout, name) {
		t.Errorf("show does not name the credential:\n%s", r)
	}
	r = sb.must("", "show", name, "--json")
	noLeak(r, true)
	var sh credJSON
	decodeJSON(t, r, &sh)
	if sh.Name != name || sh.Connector != c.ID {
		t.Errorf("show --json: name %q connector %q; want %q %q", sh.Name, sh.Connector, name, c.ID)
	}
	for k := range secrets {
		m, ok := sh.Secrets[k]
		if !ok || m == "" {
			t.Errorf("show --json: secrets[%s] missing; want it masked", k)
		}
		if strings.Contains(m, "missing") || strings.Contains(m, "not checked") {
			t.Errorf("show --json: secrets[%s] = %q: the stored secret was not found", k, m)
		}
	}
	if strings.TrimSpace(r.stderr) != "" {
		t.Errorf("show --json wrote to stderr:\n%s", r)
	}

	// test, test --all --json.
	r = sb.must("", "test", name)
	noLeak(r, true)
	r = sb.must("", "test", "--all", "--json")
	noLeak(r, true)
	var outs []testJSON
	decodeJSON(t, r, &outs)
	if len(outs) != 1 || outs[0].Name != name || !outs[0].OK || outs[0].Connector != c.ID {
		t.Errorf("test --all --json = %+v; want one passing result for %s", outs, name)
	}

	// token: the key itself for a static-key connector; for OAuth, a token
	// that a second call reuses instead of minting a new one.
	r = sb.must("", "token", name)
	noLeak(r, !c.StaticToken)
	tok := strings.TrimSpace(r.stdout)
	if tok == "" || strings.Contains(tok, "\n") {
		t.Errorf("token: want one token line:\n%s", r)
	}
	if c.StaticToken {
		if !slices.Contains(slices.Collect(maps.Values(secrets)), tok) {
			t.Errorf("token of a static-key connector: want the stored key, got another value")
		}
	} else {
		minted := em.TokensIssued()
		r = sb.must("", "token", name)
		noLeak(r, true)
		if got := strings.TrimSpace(r.stdout); got != tok {
			t.Errorf("a second token call printed another token; want the cached one")
		}
		if n := em.TokensIssued(); n != minted {
			t.Errorf("a second token call minted %d new token(s) at the emulator; want the cached one reused", n-minted)
		}
	}

	// reauth (keychain only, to keep the scrypt-bound file run short): the
	// vendor rotates the secrets, the test fails, reauth with the new ones
	// replaces them and drops the cached token.
	if kind == keychainStore {
		fresh := randomSecrets(c, "rot")
		for k, v := range fresh {
			watched["rotated "+k] = v
		}
		em.SetSecrets(fresh)
		if r := sb.run("", "test", name); r.code != 1 {
			t.Errorf("test after the vendor rotated the secrets: want exit 1:\n%s", r)
		} else {
			noLeak(r, true)
		}
		noLeak(sb.must(stdinLines(fresh), "reauth", name, "--secrets-stdin"), true)
		if got, ok := keychainSecrets(t, name); !ok || !maps.Equal(got, fresh) {
			t.Errorf("after reauth, the keychain item of %s does not hold the new secrets (found %v)", name, ok)
		}
		noLeak(sb.must("", "test", name), true)
		r = sb.must("", "token", name)
		noLeak(r, !c.StaticToken)
		newTok := strings.TrimSpace(r.stdout)
		switch {
		case c.StaticToken && !slices.Contains(slices.Collect(maps.Values(fresh)), newTok):
			t.Errorf("token after reauth: want the new key")
		case !c.StaticToken && newTok == tok:
			t.Errorf("token after reauth printed the token cached before it; want a token of the new secrets")
		}
		secrets = fresh
	}

	// edit --description, then rename with --name.
	r = sb.must("", "edit", name, "--description", "edited by e2e")
	noLeak(r, true)
	if cr, ok := find(sb.list(), name); !ok || cr.Description != "edited by e2e" {
		t.Errorf("after edit --description, list --json shows %+v; want description %q", cr, "edited by e2e")
	}
	r = sb.must("", "edit", name, "--name", renamed)
	noLeak(r, true)
	creds = sb.list()
	if _, ok := find(creds, name); ok {
		t.Errorf("after the rename, list still shows %s: %v", name, names(creds))
	}
	if cr, ok := find(creds, renamed); !ok {
		t.Errorf("after the rename, list does not show %s: %v", renamed, names(creds))
	} else if cr.Description != "edited by e2e" || !maps.Equal(onlyKeysOf(cr.Fields, fields), fields) {
		t.Errorf("the rename lost settings: %+v", cr)
	}
	if kind == keychainStore {
		if got, ok := keychainSecrets(t, renamed); !ok || !maps.Equal(got, secrets) {
			t.Errorf("after the rename, the keychain item of %s is missing or wrong (found %v)", renamed, ok)
		}
		if _, ok := lookupKeychain(t, store.SecretService, name); ok {
			t.Errorf("after the rename, the keychain still holds the old name %s", name)
		}
	}
	if kind == keychainStore { // the file run skips it: each scrypt open costs a second
		noLeak(sb.must("", "test", renamed), true)
	}

	// rm --yes: gone from list and from the secret store.
	r = sb.must("", "rm", renamed, "--yes")
	noLeak(r, true)
	if creds := sb.list(); len(creds) != 0 {
		t.Errorf("after rm, list --json shows %v; want nothing", names(creds))
	}
	if kind == keychainStore {
		assertNoKeychainItems(t, name)
		assertNoKeychainItems(t, renamed)
	}
	if r := sb.run("", "show", renamed); r.code != 1 {
		t.Errorf("show after rm: want exit 1 (not found):\n%s", r)
	}
	for p, content := range snapshot(t, sb.configDir) {
		if k := findLeak(content, secrets); k != "" {
			t.Errorf("the %s secret appears in plaintext in %s", k, p)
		}
	}
}

// onlyKeysOf returns the entries of got whose keys are in want, so that a
// comparison ignores the defaults credwiz filled in.
func onlyKeysOf(got, want map[string]string) map[string]string {
	out := map[string]string{}
	for k := range want {
		if v, ok := got[k]; ok {
			out[k] = v
		}
	}
	return out
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

// TestE2EScriptedSecretsFromEnv adds a credential of every connector with
// its secrets in CREDWIZ_SECRET_<KEY> instead of stdin.
func TestE2EScriptedSecretsFromEnv(t *testing.T) {
	requireKeychain(t)
	t.Parallel()
	for _, c := range connectors.All() {
		t.Run(c.ID, func(t *testing.T) {
			t.Parallel()
			em := startEmulator(t, c.ID)
			fields, secrets := split(c, em.Values())
			sb := newSandbox(t, keychainStore)
			name := credName(t, "env-"+c.ID)
			cleanKeychain(t, name)
			var env []string
			for k, val := range secrets {
				env = append(env, "CREDWIZ_SECRET_"+strings.ToUpper(k)+"="+val)
			}
			r := sb.runEnv(env, "", addArgs(c.ID, name, fields)...)
			if r.code != 0 {
				t.Fatalf("add with the secrets in CREDWIZ_SECRET_*: want exit 0:\n%s", r)
			}
			if got, ok := keychainSecrets(t, name); !ok || !maps.Equal(got, secrets) {
				t.Errorf("the keychain item of %s is missing or does not hold the secrets from the environment (found %v)", name, ok)
			}
			if cr, ok := find(sb.list(), name); !ok || cr.LastTest == nil || !cr.LastTest.OK {
				t.Errorf("list --json: %+v; want %s with a passing last test", cr, name)
			}
			sb.must("", "rm", "--yes", name)
			assertNoKeychainItems(t, name)
		})
	}
}

// TestE2EScriptedNewFileStoreNeedsAPassphrase: a scripted first add that
// would create the encrypted file store with no passphrase to take
// (CREDWIZ_PASSPHRASE unset, empty or only spaces, and no terminal) is
// missing input, exit 2, saying what to set, and creates nothing; once the
// store exists, a locked store is a store that does not answer, exit 1.
func TestE2EScriptedNewFileStoreNeedsAPassphrase(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t, fileStore)
	pass := ""
	env := sb.env[:0:0]
	for _, kv := range sb.env {
		if v, ok := strings.CutPrefix(kv, "CREDWIZ_PASSPHRASE="); ok {
			pass = v
			continue
		}
		env = append(env, kv)
	}
	sb.env = env
	add := []string{"add", "drift", "--name", "d1", "--no-test", "--secrets-stdin"}
	stdin := "api_key=drift-key-0123456789abcdef\n"
	for _, extra := range [][]string{nil, {"CREDWIZ_PASSPHRASE="}, {"CREDWIZ_PASSPHRASE=   "}} {
		r := sb.runEnv(extra, stdin, add...)
		if r.code != 2 || !strings.Contains(r.stderr, "CREDWIZ_PASSPHRASE") {
			t.Errorf("%v: want exit 2 naming CREDWIZ_PASSPHRASE:\n%s", extra, r)
		}
		if names, _ := os.ReadDir(sb.configDir); len(names) != 0 {
			t.Errorf("%v: the config dir holds %v after a refused add", extra, names)
		}
	}
	if r := sb.runEnv([]string{"CREDWIZ_PASSPHRASE=" + pass}, stdin, add...); r.code != 0 {
		t.Fatalf("with CREDWIZ_PASSPHRASE: want exit 0:\n%s", r)
	}
	if r := sb.run("", "token", "d1", "--no-input"); r.code != 1 || !strings.Contains(r.stderr, "locked") {
		t.Errorf("token of a locked store: want exit 1 saying it is locked:\n%s", r)
	}
}
