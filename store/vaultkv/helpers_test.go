package vaultkv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
)

// The test-only variables scripts/test.sh sets for the Vault dev server it
// starts. Vault's own VAULT_ADDR and VAULT_TOKEN are never set for a whole
// test run, so that no other test meets a Vault by accident.
const (
	envTestAddr    = "CREDWIZ_TEST_VAULT_ADDR"
	envTestToken   = "CREDWIZ_TEST_VAULT_TOKEN"
	envTestBin     = "CREDWIZ_TEST_VAULT_BIN"
	envRequireTest = "CREDWIZ_REQUIRE_VAULT"
)

// vaultCheck asks the shared dev server for its health once per run.
var vaultCheck = sync.OnceValue(func() error {
	addr, token := os.Getenv(envTestAddr), os.Getenv(envTestToken)
	if addr == "" || token == "" {
		return fmt.Errorf("%s and %s are not set", envTestAddr, envTestToken)
	}
	ac, err := rootAPI(addr, token)
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

// requireVault returns the shared dev server's address and root token, or
// skips the test loudly; CREDWIZ_REQUIRE_VAULT=1 (CI) makes it fail.
func requireVault(t testing.TB) (addr, root string) {
	t.Helper()
	if err := vaultCheck(); err != nil {
		if os.Getenv(envRequireTest) == "1" {
			t.Fatalf("%s=1 but no Vault dev server answers (%v): run bash scripts/test.sh, which builds and starts one", envRequireTest, err)
		}
		t.Skipf("VAULT TESTS SKIPPED: no Vault dev server (%v); run bash scripts/test.sh, which builds and starts one", err)
	}
	return os.Getenv(envTestAddr), os.Getenv(envTestToken)
}

// requireVaultBin returns the path of the Vault binary, for tests that
// start a server of their own, or skips (fails under CREDWIZ_REQUIRE_VAULT=1).
func requireVaultBin(t testing.TB) string {
	t.Helper()
	bin := os.Getenv(envTestBin)
	if _, err := os.Stat(bin); bin == "" || err != nil {
		if os.Getenv(envRequireTest) == "1" {
			t.Fatalf("%s=1 but %s is not a Vault binary (%q): run bash scripts/test.sh", envRequireTest, envTestBin, bin)
		}
		t.Skipf("VAULT TESTS SKIPPED: %s is not set to a Vault binary; run bash scripts/test.sh", envTestBin)
	}
	return bin
}

// rootAPI returns a plain api client for addr with token, for the tests'
// own administration (policies, tokens, mounts).
func rootAPI(addr, token string) (*api.Client, error) {
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

// admin returns a root api client of the shared dev server.
func admin(t testing.TB) *api.Client {
	t.Helper()
	addr, root := requireVault(t)
	ac, err := rootAPI(addr, root)
	if err != nil {
		t.Fatal(err)
	}
	return ac
}

// fakeToken is a token of the shape Vault issues, for servers that do not
// check it.
const fakeToken = "hvs.CAESIFakeTestTokenForCredwizTests0123"

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// testFolder returns a folder under the "secret" mount unique to this
// test, so tests run in parallel on the shared server, and destroys every
// key under it when the test ends.
func testFolder(t testing.TB) string {
	t.Helper()
	folder := "credwiz-test/" + randomHex(6)
	ac := admin(t)
	t.Cleanup(func() { destroyFolder(t, ac, "secret", folder) })
	return folder
}

// destroyFolder destroys every key (and sub-folder) under mount/folder.
func destroyFolder(t testing.TB, ac *api.Client, mount, folder string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := ac.Logical().ListWithContext(ctx, mount+"/metadata/"+folder)
	if err != nil || s == nil {
		return
	}
	keys, _ := s.Data["keys"].([]any)
	for _, k := range keys {
		name, _ := k.(string)
		if strings.HasSuffix(name, "/") {
			destroyFolder(t, ac, mount, folder+"/"+strings.TrimSuffix(name, "/"))
			continue
		}
		if _, err := ac.Logical().DeleteWithContext(ctx, mount+"/metadata/"+folder+"/"+name); err != nil {
			t.Logf("clean up %s/%s/%s: %v", mount, folder, name, err)
		}
	}
}

// newClient returns a Client of the shared dev server on a fresh test
// folder, with the root token unless cfg says otherwise.
func newClient(t testing.TB, cfg Config) *Client {
	t.Helper()
	addr, root := requireVault(t)
	if cfg.Address == "" {
		cfg.Address = addr
	}
	if cfg.Token == "" {
		cfg.Token = root
	}
	if cfg.Path == "" {
		cfg.Path = testFolder(t)
	}
	if cfg.Author == "" {
		cfg.Author = "tester@test-host"
	}
	c, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// tokenWithPolicy creates a policy of the given HCL rules and a token that
// has only it (and Vault's default policy), removed when the test ends.
func tokenWithPolicy(t testing.TB, rules string, ttl string) string {
	t.Helper()
	ac := admin(t)
	name := "credwiz-test-" + randomHex(4)
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

// wantKind fails the test unless err is an *Error of kind k that
// errors.Is matches with k's sentinel.
func wantKind(t testing.TB, err error, k Kind) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want a %v *Error, got %T: %v", k, err, err)
	}
	if e.Kind != k || !errors.Is(err, sentinels[k]) {
		t.Fatalf("want kind %v, got %v: %v", k, e.Kind, err)
	}
	if e.Error() == "" || e.Hint == "" && k != KindInvalid && k != KindCanceled {
		t.Fatalf("%v error without message or hint: %q", k, e.Error())
	}
	return e
}

// ctxT returns a context bounded by 60 s (every test call returns well
// before, or the test is stuck).
func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// healthOf reports the health endpoint's status code of addr.
func healthOf(addr string) int {
	resp, err := http.Get(addr + "/v1/sys/health")
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}
