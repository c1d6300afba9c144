// Package vaulttest gives tests a real HashiCorp Vault: the shared dev
// server that scripts/test.sh starts (found through
// CREDWIZ_TEST_VAULT_ADDR, _TOKEN and _BIN only, never VAULT_ADDR or
// VAULT_TOKEN, so that no other test meets a Vault by accident), folders
// and policy-bound tokens on it that go when the test ends, and dev
// servers of a test's own (to seal or stop).
//
// Without a server the tests skip with a loud message;
// CREDWIZ_REQUIRE_VAULT=1 (CI) makes them fail instead.
package vaulttest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
)

// The variables scripts/test.sh sets for the dev server it starts.
const (
	EnvAddr    = "CREDWIZ_TEST_VAULT_ADDR"
	EnvToken   = "CREDWIZ_TEST_VAULT_TOKEN"
	EnvBin     = "CREDWIZ_TEST_VAULT_BIN"
	EnvRequire = "CREDWIZ_REQUIRE_VAULT"
)

// check asks the shared dev server for its health once per run.
var check = sync.OnceValue(func() error {
	addr, token := os.Getenv(EnvAddr), os.Getenv(EnvToken)
	if addr == "" || token == "" {
		return fmt.Errorf("%s and %s are not set", EnvAddr, EnvToken)
	}
	ac, err := API(addr, token)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h, err := ac.Sys().HealthWithContext(ctx)
	if err != nil {
		return fmt.Errorf("the Vault dev server at %s does not answer: %w", addr, err)
	}
	if h.Sealed || !h.Initialized {
		return fmt.Errorf("the Vault dev server at %s is sealed or not initialized", addr)
	}
	return nil
})

// Require returns the shared dev server's address and root token, or
// skips the test loudly (fails it under CREDWIZ_REQUIRE_VAULT=1).
func Require(t testing.TB) (addr, root string) {
	t.Helper()
	if err := check(); err != nil {
		if os.Getenv(EnvRequire) == "1" {
			t.Fatalf("%s=1 but no Vault dev server answers (%v): run bash scripts/test.sh, which builds and starts one", EnvRequire, err)
		}
		t.Skipf("VAULT TESTS SKIPPED: no Vault dev server (%v); run bash scripts/test.sh, which builds and starts one", err)
	}
	return os.Getenv(EnvAddr), os.Getenv(EnvToken)
}

// RequireBin returns the path of the Vault binary, for tests that start a
// server of their own, or skips (fails under CREDWIZ_REQUIRE_VAULT=1).
func RequireBin(t testing.TB) string {
	t.Helper()
	bin := os.Getenv(EnvBin)
	if _, err := os.Stat(bin); bin == "" || err != nil {
		if os.Getenv(EnvRequire) == "1" {
			t.Fatalf("%s=1 but %s is not a Vault binary (%q): run bash scripts/test.sh", EnvRequire, EnvBin, bin)
		}
		t.Skipf("VAULT TESTS SKIPPED: %s is not set to a Vault binary; run bash scripts/test.sh", EnvBin)
	}
	return bin
}

// API returns a plain api client of addr with token, for the tests' own
// administration (policies, tokens, mounts).
func API(addr, token string) (*api.Client, error) {
	conf := api.DefaultConfig()
	conf.Address = addr
	conf.Timeout = 30 * time.Second
	ac, err := api.NewClient(conf)
	if err != nil {
		return nil, err
	}
	ac.SetToken(token)
	return ac, nil
}

// Admin returns a root api client of the shared dev server.
func Admin(t testing.TB) *api.Client {
	t.Helper()
	addr, root := Require(t)
	ac, err := API(addr, root)
	if err != nil {
		t.Fatal(err)
	}
	return ac
}

// RandomHex returns n random bytes in hex.
func RandomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Folder returns a folder under the "secret" mount unique to this test,
// so that tests run in parallel on the shared server, and destroys every
// key under it when the test ends.
func Folder(t testing.TB) string {
	t.Helper()
	folder := "credwiz-test/" + RandomHex(6)
	ac := Admin(t)
	t.Cleanup(func() { DestroyFolder(t, ac, "secret", folder) })
	return folder
}

// DestroyFolder destroys every key (and sub-folder) under mount/folder.
func DestroyFolder(t testing.TB, ac *api.Client, mount, folder string) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := ac.Logical().ListWithContext(ctx, mount+"/metadata/"+folder)
	if err != nil || s == nil {
		return
	}
	keys, _ := s.Data["keys"].([]any)
	for _, k := range keys {
		name, _ := k.(string)
		if strings.HasSuffix(name, "/") {
			DestroyFolder(t, ac, mount, folder+"/"+strings.TrimSuffix(name, "/"))
			continue
		}
		if _, err := ac.Logical().DeleteWithContext(ctx, mount+"/metadata/"+folder+"/"+name); err != nil {
			t.Logf("clean up %s/%s/%s: %v", mount, folder, name, err)
		}
	}
}

// TokenWithPolicy creates a policy of the given HCL rules and a token
// that has only it (and Vault's default policy), removed when the test
// ends.
func TokenWithPolicy(t testing.TB, rules string, ttl string) string {
	t.Helper()
	ac := Admin(t)
	name := "credwiz-test-" + RandomHex(4)
	if err := ac.Sys().PutPolicy(name, rules); err != nil {
		t.Fatalf("put policy: %v", err)
	}
	t.Cleanup(func() { _ = ac.Sys().DeletePolicy(name) })
	sec, err := ac.Auth().Token().Create(&api.TokenCreateRequest{Policies: []string{name}, TTL: ttl, ExplicitMaxTTL: ttl})
	if err != nil {
		t.Fatalf("create token: %v", err)
	}
	tok := sec.Auth.ClientToken
	t.Cleanup(func() { _ = ac.Auth().Token().RevokeTree(tok) })
	return tok
}

// ReadOnlyRules lets a token read and list folder of the "secret" mount,
// nothing more.
func ReadOnlyRules(folder string) string {
	return `path "secret/data/` + folder + `/*" { capabilities = ["read"] }
path "secret/metadata/` + folder + `/*" { capabilities = ["read", "list"] }
path "secret/metadata/` + folder + `/" { capabilities = ["list"] }`
}
