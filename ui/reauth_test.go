package ui

import (
	"encoding/json"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
	"github.com/credwiz/credwiz/store"
)

// useRealKeychain points e at the real OS keychain (the Secret Service that
// scripts/test.sh starts on a throw-away bus). Without one the test skips
// loudly, or fails when CREDWIZ_REQUIRE_KEYCHAIN=1.
func (e *testEnv) useRealKeychain() {
	e.t.Helper()
	if os.Getenv("CREDWIZ_KEYCHAIN_TESTS") != "1" {
		msg := "KEYCHAIN TESTS SKIPPED: no throw-away Secret Service; run bash scripts/test.sh"
		if os.Getenv("CREDWIZ_REQUIRE_KEYCHAIN") == "1" {
			e.t.Fatal(msg)
		}
		e.t.Skip(msg)
	}
	e.env["CREDWIZ_STORE"] = "keychain"
	e.real = true
}

// secretsOf returns name's saved secrets from whichever store e uses.
func (e *testEnv) secretsOf(name string) (map[string]string, error) {
	it, err := e.itemOf(store.SecretService, name)
	return it.Values, err
}

// tokenOf returns name's cached token map, if any.
func (e *testEnv) tokenOf(name string) (map[string]string, error) {
	it, err := e.itemOf(store.TokenService, name)
	return it.Values, err
}

// itemOf returns the item of account in service, with its owner, from
// whichever store e uses.
func (e *testEnv) itemOf(service, account string) (store.Item, error) {
	if e.real {
		return store.NewKeychain(service, 3*time.Second).Get(account)
	}
	if service == store.TokenService {
		return e.tokens.Get(account)
	}
	return e.secrets.Get(account)
}

// state is everything a failed re-auth must leave as it was: the index,
// name's secret and token items with their owners, and the accounts of
// every item of name (so a staged item left behind shows).
func (e *testEnv) state(name string) string {
	e.t.Helper()
	idx, _ := os.ReadFile(e.index().Path())
	sec, serr := e.itemOf(store.SecretService, name)
	tok, terr := e.itemOf(store.TokenService, name)
	accts, lerr := e.accountsOf(name)
	b, _ := json.Marshal(map[string]any{"index": string(idx), "secret": sec, "serr": errString(serr),
		"token": tok, "terr": errString(terr), "accounts": accts, "lerr": errString(lerr)})
	return string(b)
}

// accountsOf lists the secret store's accounts of credential name: its
// canonical item and any staged item ("NAME#r…"), sorted.
func (e *testEnv) accountsOf(name string) ([]string, error) {
	var l store.Lister = e.secrets
	if e.real {
		l = store.NewKeychain(store.SecretService, 3*time.Second)
	}
	items, err := l.List()
	var out []string
	for _, it := range items {
		if it.Account == name || strings.HasPrefix(it.Account, name+"#") {
			out = append(out, it.Account)
		}
	}
	slices.Sort(out)
	return out, err
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// sfName is the test credential's name: random, so that the keychain
// variants never touch a real credential of the developer's keychain (on
// macOS the tests use the login keychain).
var sfName = "credwiz-test-sf-" + strconv.FormatInt(time.Now().UnixNano()%1e9, 36)

// sfSetup adds a Salesforce credential named sfName against a fresh
// emulator, and caches a token for it.
func sfSetup(t *testing.T, e *testEnv) (*connectortest.Salesforce, connectors.Values) {
	t.Helper()
	em := connectortest.NewSalesforce()
	t.Cleanup(em.Close)
	c, _ := connectors.Lookup("salesforce")
	v := em.Values()
	args, stdin := addArgs(c, sfName, v)
	if r := e.run(stdin, args...); r.code != 0 {
		t.Fatalf("add: %d %s", r.code, r.err)
	}
	t.Cleanup(func() { e.run("", "rm", sfName, "--yes") })
	if r := e.run("", "token", sfName); r.code != 0 {
		t.Fatalf("token: %d %s", r.code, r.err)
	}
	return em, v
}

func reauthStdin(secrets map[string]string) string {
	var b strings.Builder
	for _, k := range []string{"consumer_secret", "password", "security_token"} {
		if v, ok := secrets[k]; ok {
			b.WriteString(k + "=" + v + "\n")
		}
	}
	return b.String()
}

func TestReauthAfterPasswordChange(t *testing.T) {
	for _, real := range []bool{false, true} {
		name := "memory"
		if real {
			name = "keychain"
		}
		t.Run(name, func(t *testing.T) {
			e := newTestEnv(t)
			if real {
				e.useRealKeychain()
			}
			em, v := sfSetup(t, e)
			before, _ := e.index().Get(sfName)

			em.SetPassword(em.Username(), "Autumn-2027!", "NewTok9xQ2")
			r := e.run("", "test", sfName)
			if r.code != 1 {
				t.Fatalf("test after the password change: exit %d, want 1\n%s", r.code, r.out)
			}
			if !strings.Contains(r.out, "credwiz reauth "+sfName) {
				t.Errorf("the failure does not name the command to run:\n%s", r.out)
			}
			e.now = func() time.Time { return time.Now().Add(time.Minute) }
			r = e.run(reauthStdin(map[string]string{"password": "Autumn-2027!", "security_token": "NewTok9xQ2"}),
				"reauth", sfName, "--secrets-stdin")
			if r.code != 0 {
				t.Fatalf("reauth: exit %d\n%s", r.code, r.err)
			}
			for _, want := range []string{"✓ Account", "required", "Re-authenticated"} {
				if !strings.Contains(r.err, want) {
					t.Errorf("reauth output lacks %q:\n%s", want, r.err)
				}
			}
			sec, err := e.secretsOf(sfName)
			if err != nil {
				t.Fatal(err)
			}
			if sec["password"] != "Autumn-2027!" || sec["security_token"] != "NewTok9xQ2" || sec["consumer_secret"] != v["consumer_secret"] {
				t.Errorf("the store does not hold the new secrets (keys %v)", slices.Sorted(maps.Keys(sec)))
			}
			if _, err := e.tokenOf(sfName); err == nil {
				t.Error("the cached token survived the re-auth")
			}
			after, _ := e.index().Get(sfName)
			if !after.SecretsUpdatedAt.After(before.SecretsUpdatedAt) {
				t.Errorf("secrets_updated_at not advanced: %v → %v", before.SecretsUpdatedAt, after.SecretsUpdatedAt)
			}
			if r := e.run("", "test", sfName); r.code != 0 {
				t.Errorf("test after reauth: exit %d\n%s", r.code, r.out)
			}
			if strings.Contains(r.err+r.out, "Autumn-2027!") {
				t.Error("the new password reached the output")
			}
		})
	}
}

func TestReauthFailureChangesNothing(t *testing.T) {
	for _, real := range []bool{false, true} {
		name := "memory"
		if real {
			name = "keychain"
		}
		t.Run(name, func(t *testing.T) {
			e := newTestEnv(t)
			if real {
				e.useRealKeychain()
			}
			em, v := sfSetup(t, e)
			em.SetPassword(em.Username(), "Autumn-2027!", "NewTok9xQ2")
			before := e.state(sfName)
			r := e.run(reauthStdin(map[string]string{"password": "Autumn-2027!", "security_token": "WrongTok"}),
				"reauth", sfName, "--secrets-stdin")
			if r.code != 1 {
				t.Fatalf("reauth with a wrong token: exit %d, want 1\n%s", r.code, r.err)
			}
			if !strings.Contains(r.err, "Nothing was changed") {
				t.Errorf("stderr does not say nothing changed:\n%s", r.err)
			}
			if after := e.state(sfName); after != before {
				t.Errorf("a failed re-auth changed the saved credential:\nbefore %s\nafter  %s", before, after)
			}
			if strings.Contains(r.err, "WrongTok") || strings.Contains(r.err, v["password"]) {
				t.Error("a secret reached stderr")
			}
		})
	}
}

func TestReauthMissingRequiredObject(t *testing.T) {
	e := newTestEnv(t)
	em, _ := sfSetup(t, e)
	em.RemoveObject("Lead")
	em.SetPassword(em.Username(), "Autumn-2027!", "NewTok9xQ2")
	stdin := reauthStdin(map[string]string{"password": "Autumn-2027!", "security_token": "NewTok9xQ2"})
	before := e.state(sfName)
	r := e.run(stdin, "reauth", sfName, "--secrets-stdin")
	if r.code != 1 {
		t.Fatalf("reauth without Lead access: exit %d, want 1\n%s", r.code, r.err)
	}
	if !strings.Contains(r.err, "✗ Lead") || !strings.Contains(r.err, "✓ Account") {
		t.Errorf("the checklist does not show the missing object:\n%s", r.err)
	}
	if e.state(sfName) != before {
		t.Error("a failed re-auth changed the saved credential")
	}
	r = e.run(stdin, "reauth", sfName, "--secrets-stdin", "--force")
	if r.code != 0 {
		t.Fatalf("reauth --force: exit %d\n%s", r.code, r.err)
	}
	if sec, _ := e.secretsOf(sfName); sec["password"] != "Autumn-2027!" {
		t.Error("--force did not save the new password")
	}
}

// TestReauthCancelledFormChangesNothing presses Ctrl-C in the interactive
// re-auth form (driven through a pipe posing as a terminal).
func TestReauthCancelledFormChangesNothing(t *testing.T) {
	e := newTestEnv(t)
	sfSetup(t, e)
	before := e.state(sfName)
	pr, pw := io.Pipe()
	ios, _, errOut := testIO("")
	ios.In, ios.InTTY, ios.ErrTTY = pr, true, true
	f := e.factory(ios)
	root := NewRoot(f)
	root.SetArgs([]string{"reauth", sfName})
	done := make(chan error, 1)
	go func() { done <- root.Execute() }()
	go func() {
		time.Sleep(300 * time.Millisecond)
		pw.Write([]byte("\x03")) // Ctrl-C
	}()
	select {
	case err := <-done:
		if ExitCode(err) != 130 {
			t.Fatalf("Ctrl-C in the re-auth form: exit %d (%v), want 130\n%s", ExitCode(err), err, errOut)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the re-auth form did not end on Ctrl-C")
	}
	pw.Close()
	if e.state(sfName) != before {
		t.Error("a cancelled re-auth changed the saved credential")
	}
}

func TestListExpiring(t *testing.T) {
	e := newTestEnv(t)
	em := connectortest.NewSalesforce()
	defer em.Close()
	c, _ := connectors.Lookup("salesforce")
	now := time.Now()
	for i, days := range []int{80, 10} { // saved 80 days ago: 10 days left; 10 days ago: 80 left
		e.now = func() time.Time { return now.AddDate(0, 0, -days) }
		name := []string{"old-sf", "new-sf"}[i]
		args, stdin := addArgs(c, name, em.Values())
		if r := e.run(stdin, append(args, "--no-test")...); r.code != 0 {
			t.Fatalf("add %s: %s", name, r.err)
		}
	}
	e.now = func() time.Time { return now }
	r := e.run("", "list", "--expiring-within", "14d", "--json")
	var got []struct {
		Name     string `json:"name"`
		Expiring bool   `json:"expiring"`
		At       string `json:"password_expires_at"`
	}
	if err := json.Unmarshal([]byte(r.out), &got); err != nil {
		t.Fatalf("%v: %s", err, r.out)
	}
	if len(got) != 1 || got[0].Name != "old-sf" || !got[0].Expiring || got[0].At == "" {
		t.Fatalf("list --expiring-within 14d = %+v", got)
	}
	r = e.run("", "list")
	if !strings.Contains(r.out, "old-sf") || !strings.Contains(r.out, "2027") && !strings.Contains(r.out, "T") {
		t.Errorf("plain list lacks the expiry: %s", r.out)
	}
	if r := e.run("", "list", "--expiring-within", "soon"); r.code != 2 {
		t.Errorf("a bad --expiring-within: exit %d, want 2", r.code)
	}
}

// dropSecret deletes name's secret item behind credwiz's back, as a
// keychain reset or a deleted file would.
func (e *testEnv) dropSecret(name string) {
	e.t.Helper()
	var err error
	if e.real {
		err = store.NewKeychain(store.SecretService, 3*time.Second).Delete(name)
	} else {
		err = e.secrets.Delete(name)
	}
	if err != nil {
		e.t.Fatal(err)
	}
}

// TestReauthMissingSecret: a credential whose secret item is gone can be
// re-authenticated (and edited) by giving every secret field; giving only
// some is refused naming the others, with nothing changed; description
// and creation time are kept.
func TestReauthMissingSecret(t *testing.T) {
	for _, real := range []bool{false, true} {
		name := "memory"
		if real {
			name = "keychain"
		}
		t.Run(name, func(t *testing.T) {
			e := newTestEnv(t)
			if real {
				e.useRealKeychain()
			}
			em, v := sfSetup(t, e)
			if r := e.run("", "edit", sfName, "--description", "keep me"); r.code != 0 {
				t.Fatalf("edit --description: %d %s", r.code, r.err)
			}
			before, _ := e.index().Get(sfName)
			e.dropSecret(sfName)
			if r := e.run("", "test", sfName); r.code == 0 || !strings.Contains(r.out+r.err, "credwiz reauth "+sfName) {
				t.Fatalf("test without the secret: exit %d, no advice to reauth:\n%s%s", r.code, r.out, r.err)
			}

			em.SetPassword(em.Username(), "Autumn-2027!", "NewTok9xQ2")
			partial := reauthStdin(map[string]string{"password": "Autumn-2027!", "security_token": "NewTok9xQ2"})
			state := e.state(sfName)
			r := e.run(partial, "reauth", sfName, "--secrets-stdin")
			if r.code != 2 || !strings.Contains(r.err, "missing from") || !strings.Contains(r.err, "consumer_secret") {
				t.Fatalf("reauth with some secrets of a missing item: exit %d, want 2 naming consumer_secret\n%s", r.code, r.err)
			}
			if strings.Contains(r.err, "run credwiz reauth") {
				t.Errorf("reauth tells to run reauth:\n%s", r.err)
			}
			if e.state(sfName) != state {
				t.Error("a refused reauth changed something")
			}

			all := reauthStdin(map[string]string{"consumer_secret": v["consumer_secret"], "password": "Autumn-2027!", "security_token": "NewTok9xQ2"})
			if r := e.run(all, "reauth", sfName, "--secrets-stdin"); r.code != 0 || !strings.Contains(r.err, "Re-authenticated") {
				t.Fatalf("reauth with every secret: exit %d\n%s", r.code, r.err)
			}
			sec, err := e.secretsOf(sfName)
			if err != nil || sec["password"] != "Autumn-2027!" || sec["consumer_secret"] != v["consumer_secret"] {
				t.Fatalf("secrets after reauth: keys %v, %v", slices.Sorted(maps.Keys(sec)), err)
			}
			after, _ := e.index().Get(sfName)
			if after.Description != "keep me" || !after.CreatedAt.Equal(before.CreatedAt) {
				t.Errorf("reauth lost the description or creation time: %q %v (was %v)", after.Description, after.CreatedAt, before.CreatedAt)
			}
			if r := e.run("", "test", sfName); r.code != 0 {
				t.Errorf("test after reauth: exit %d\n%s", r.code, r.out)
			}

			// edit, given every secret field, repairs it too.
			e.dropSecret(sfName)
			if r := e.run(all, "edit", sfName, "--secrets-stdin"); r.code != 0 || !strings.Contains(r.err, "Updated") {
				t.Fatalf("edit with every secret: exit %d\n%s", r.code, r.err)
			}
			if sec, err := e.secretsOf(sfName); err != nil || sec["security_token"] != "NewTok9xQ2" {
				t.Errorf("secrets after edit: keys %v, %v", slices.Sorted(maps.Keys(sec)), err)
			}
		})
	}
}
