package vaultkv

import (
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// clearVaultEnv empties every variable the client reads (an empty value is
// unset to the api package) and gives the test a HOME without a token
// file. Tests that call it cannot run in parallel.
func clearVaultEnv(t *testing.T) {
	t.Helper()
	for _, v := range []string{"VAULT_ADDR", "VAULT_AGENT_ADDR", "VAULT_TOKEN", "VAULT_NAMESPACE", "VAULT_CACERT", "VAULT_CAPATH",
		"VAULT_CACERT_BYTES", "VAULT_CLIENT_CERT", "VAULT_CLIENT_KEY", "VAULT_SKIP_VERIFY", "VAULT_TLS_SERVER_NAME",
		"VAULT_CLIENT_TIMEOUT", "VAULT_MAX_RETRIES", "VAULT_HTTP_PROXY", "VAULT_PROXY_ADDR", "VAULT_HEADERS",
		"VAULT_DISABLE_REDIRECTS", "VAULT_SRV_LOOKUP", "VAULT_RATE_LIMIT", EnvRoleID, EnvSecretID} {
		t.Setenv(v, "")
	}
	t.Setenv("HOME", t.TempDir())
}

// kvV2Emulator answers the mount preflight as a KV version 2 mount
// "secret" does, and calls seen with each request.
func kvV2Emulator(seen func(*http.Request)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if seen != nil {
			seen(r)
		}
		if strings.HasPrefix(r.URL.Path, "/v1/sys/internal/ui/mounts/secret/") {
			fmt.Fprint(w, `{"request_id":"x","data":{"type":"kv","path":"secret/","options":{"version":"2"},"description":"key/value secret storage"}}`)
			return
		}
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"errors":[]}`)
	})
}

func TestConfigFromVaultEnvironment(t *testing.T) {
	addr, root := requireVault(t)
	clearVaultEnv(t)
	t.Setenv("VAULT_ADDR", addr)
	t.Setenv("VAULT_TOKEN", root)
	folder := testFolder(t)
	c, err := New(ctxT(t), Config{Path: folder, Author: "env@test"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Auth() != "VAULT_TOKEN" || c.Address() != addr || c.Mount() != DefaultMount || c.Path() != folder || c.Timeout() != DefaultTimeout {
		t.Fatalf("client from env: auth %q addr %q mount %q path %q timeout %v", c.Auth(), c.Address(), c.Mount(), c.Path(), c.Timeout())
	}
	if _, err := c.Write(ctxT(t), "k", map[string]string{"a": "1"}, 0); err != nil {
		t.Fatal(err)
	}
	t.Setenv("VAULT_CLIENT_TIMEOUT", "7s")
	if c, err := New(ctxT(t), Config{}); err != nil || c.Timeout() != 7*time.Second || c.Path() != DefaultPath {
		t.Fatalf("VAULT_CLIENT_TIMEOUT: %v, %v", c, err)
	}
}

func TestTokenFile(t *testing.T) {
	addr, root := requireVault(t)
	clearVaultEnv(t)
	t.Setenv("VAULT_ADDR", addr)
	file := filepath.Join(os.Getenv("HOME"), ".vault-token")
	if err := os.WriteFile(file, []byte(root+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := New(ctxT(t), Config{Path: testFolder(t)})
	if err != nil {
		t.Fatal(err)
	}
	if c.Auth() != file {
		t.Fatalf("auth from %q, want the token file", c.Auth())
	}
	if _, err := c.List(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	// VAULT_TOKEN wins over the file, as for the vault CLI.
	t.Setenv("VAULT_TOKEN", "from-env")
	if c, _ := New(ctxT(t), Config{}); c.Auth() != "VAULT_TOKEN" {
		t.Fatalf("auth from %q, want VAULT_TOKEN", c.Auth())
	}
	t.Setenv("VAULT_TOKEN", "")
	// A token file that is a directory is refused with its path.
	dir := t.TempDir()
	_, err = New(ctxT(t), Config{TokenFile: dir})
	if e := wantKind(t, err, KindConfig); !strings.Contains(e.Detail, dir) {
		t.Fatalf("directory as token file: %v", e)
	}
}

func TestNoToken(t *testing.T) {
	clearVaultEnv(t)
	t.Setenv("VAULT_ADDR", "https://vault.example.com:8200")
	_, err := New(ctxT(t), Config{})
	if e := wantKind(t, err, KindNoToken); !strings.Contains(e.Hint, "VAULT_TOKEN") {
		t.Fatalf("no token: %v", e)
	}
	t.Setenv(EnvRoleID, "role")
	wantKind(t, func() error { _, err := New(ctxT(t), Config{}); return err }(), KindConfig)
}

func TestAddressPolicy(t *testing.T) {
	clearVaultEnv(t)
	for _, tt := range []struct {
		addr string
		ok   bool
	}{
		{"https://vault.example.com:8200", true},
		{"http://127.0.0.1:8200", true},
		{"http://127.8.9.10:8200", true},
		{"http://localhost:8200", true},
		{"http://[::1]:8200", true},
		{"unix:///run/vault-agent.sock", true},
		{"http://vault.example.com:8200", false},
		{"http://10.0.0.5:8200", false},
		{"ftp://vault.example.com", false},
		{"vault.example.com", false},
	} {
		t.Run(tt.addr, func(t *testing.T) {
			t.Setenv("VAULT_ADDR", tt.addr)
			c, err := New(ctxT(t), Config{Token: fakeToken})
			if tt.ok != (err == nil) {
				t.Fatalf("New with VAULT_ADDR=%s: %v", tt.addr, err)
			}
			if err != nil {
				wantKind(t, err, KindConfig)
			} else if strings.Contains(c.Address(), "@") {
				t.Fatalf("address shows user info: %s", c.Address())
			}
		})
	}
	// User info in the address never shows.
	t.Setenv("VAULT_ADDR", "https://user:pw-secret@vault.example.com")
	if c, err := New(ctxT(t), Config{Token: fakeToken}); err != nil || strings.Contains(c.Address(), "pw-secret") {
		t.Fatalf("address with user info: %v, %v", c.Address(), err)
	}
}

func TestSkipVerifyRefused(t *testing.T) {
	clearVaultEnv(t)
	t.Setenv("VAULT_ADDR", "https://vault.example.com:8200")
	t.Setenv("VAULT_SKIP_VERIFY", "true")
	_, err := New(ctxT(t), Config{Token: fakeToken})
	if e := wantKind(t, err, KindConfig); !strings.Contains(e.Hint, "VAULT_CACERT") {
		t.Fatalf("skip verify: %v", e)
	}
}

func TestNamespaceHeader(t *testing.T) {
	clearVaultEnv(t)
	var ns atomic.Value
	srv := httptest.NewServer(kvV2Emulator(func(r *http.Request) { ns.Store(r.Header.Get("X-Vault-Namespace")) }))
	t.Cleanup(srv.Close)
	t.Setenv("VAULT_ADDR", srv.URL)
	t.Setenv("VAULT_NAMESPACE", "team-data/")
	c, err := New(ctxT(t), Config{Token: fakeToken})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CheckMount(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if got, _ := ns.Load().(string); got != "team-data/" {
		t.Fatalf("X-Vault-Namespace = %q", got)
	}
}

func TestCACert(t *testing.T) {
	clearVaultEnv(t)
	srv := httptest.NewTLSServer(kvV2Emulator(nil))
	t.Cleanup(srv.Close)
	t.Setenv("VAULT_ADDR", srv.URL)
	c, err := New(ctxT(t), Config{Token: fakeToken})
	if err != nil {
		t.Fatal(err)
	}
	err = c.CheckMount(ctxT(t))
	if e := wantKind(t, err, KindUnreachable); !strings.Contains(e.Detail, "TLS") || !strings.Contains(e.Hint, "VAULT_CACERT") {
		t.Fatalf("unknown CA: %v", e)
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(ca, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("VAULT_CACERT", ca)
	c, err = New(ctxT(t), Config{Token: fakeToken})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CheckMount(ctxT(t)); err != nil {
		t.Fatalf("with VAULT_CACERT: %v", err)
	}
	t.Setenv("VAULT_CACERT", filepath.Join(t.TempDir(), "missing.pem"))
	_, err = New(ctxT(t), Config{Token: fakeToken})
	wantKind(t, err, KindConfig)
}

func TestAppRoleLogin(t *testing.T) {
	addr, _ := requireVault(t)
	ac := admin(t)
	auths, err := ac.Sys().ListAuth()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := auths["approle/"]; !ok {
		if err := ac.Sys().EnableAuth("approle", "approle", ""); err != nil && !strings.Contains(err.Error(), "path is already in use") {
			t.Fatal(err)
		}
	}
	folder := testFolder(t)
	policy := "credwiz-test-approle-" + randomHex(4)
	rules := `path "secret/data/` + folder + `/*" { capabilities = ["create", "read", "update"] }
path "secret/metadata/` + folder + `/*" { capabilities = ["read", "patch"] }`
	if err := ac.Sys().PutPolicy(policy, rules); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ac.Sys().DeletePolicy(policy) })
	role := "credwiz-test-" + randomHex(4)
	if _, err := ac.Logical().Write("auth/approle/role/"+role, map[string]any{"token_policies": policy, "token_ttl": "10m"}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = ac.Logical().Delete("auth/approle/role/" + role) })
	rid, err := ac.Logical().Read("auth/approle/role/" + role + "/role-id")
	if err != nil {
		t.Fatal(err)
	}
	sid, err := ac.Logical().Write("auth/approle/role/"+role+"/secret-id", nil)
	if err != nil {
		t.Fatal(err)
	}
	roleID, secretID := rid.Data["role_id"].(string), sid.Data["secret_id"].(string)

	clearVaultEnv(t)
	t.Setenv("VAULT_ADDR", addr)
	t.Setenv(EnvRoleID, roleID)
	t.Setenv(EnvSecretID, secretID)
	c, err := New(ctxT(t), Config{Path: folder, Author: "robot@ci"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Auth() != "AppRole" {
		t.Fatalf("auth from %q", c.Auth())
	}
	if _, err := c.Write(ctxT(t), "k", map[string]string{"a": "1"}, 0); err != nil {
		t.Fatal(err)
	}
	if s, err := c.Read(ctxT(t), "k"); err != nil || s.UpdatedBy != "robot@ci" {
		t.Fatalf("read as AppRole: %+v, %v", s, err)
	}

	wrong := "wrong-secret-id-" + randomHex(8)
	t.Setenv(EnvSecretID, wrong)
	_, err = New(ctxT(t), Config{Path: folder})
	if e := wantKind(t, err, KindBadToken); !strings.Contains(e.Hint, EnvSecretID) || strings.Contains(err.Error(), wrong) {
		t.Fatalf("wrong secret ID: %v", err)
	}
}

func TestBadMountOrPath(t *testing.T) {
	t.Parallel()
	for _, cfg := range []Config{{Mount: "../sys"}, {Path: "a//b"}, {Path: "a/./b"}, {Path: "a?b"}, {Mount: "x\x1b"}, {Path: "/"}} {
		cfg.Address, cfg.Token = "http://127.0.0.1:1", fakeToken
		if _, err := New(ctxT(t), cfg); KindOf(err) != KindConfig {
			t.Errorf("New(%+v): %v", cfg, err)
		}
	}
	c, err := New(ctxT(t), Config{Address: "http://127.0.0.1:1", Token: fakeToken, Mount: "/kv/team/", Path: "/credwiz/prod/"})
	if err != nil || c.Mount() != "kv/team" || c.Path() != "credwiz/prod" {
		t.Fatalf("slashes trimmed: %v, %v", c, err)
	}
}

// TestPlainHTTPServer: an https:// VAULT_ADDR at a server that answers in
// plain HTTP is a TLS failure, said as such.
func TestPlainHTTPServer(t *testing.T) {
	clearVaultEnv(t)
	srv := httptest.NewServer(kvV2Emulator(nil))
	t.Cleanup(srv.Close)
	t.Setenv("VAULT_ADDR", strings.Replace(srv.URL, "http://", "https://", 1))
	c, err := New(ctxT(t), Config{Token: fakeToken})
	if err != nil {
		t.Fatal(err)
	}
	err = c.CheckMount(ctxT(t))
	if e := wantKind(t, err, KindUnreachable); !strings.Contains(e.Detail, "TLS") || !strings.Contains(e.Hint, "VAULT_CACERT") {
		t.Fatalf("plain HTTP server: %v", e)
	}
}
