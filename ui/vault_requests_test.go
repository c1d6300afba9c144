package ui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
	"github.com/credwiz/credwiz/internal/vaulttest"
	"github.com/credwiz/credwiz/store"
)

// countingProxy forwards to a Vault server and counts the requests.
type countingProxy struct {
	srv *httptest.Server
	mu  sync.Mutex
	n   int
	log []string
}

// newCountingProxy returns a proxy of the shared dev server.
func newCountingProxy(t *testing.T) *countingProxy {
	t.Helper()
	addr, _ := vaulttest.Require(t)
	u, err := url.Parse(addr)
	if err != nil {
		t.Fatal(err)
	}
	p := &countingProxy{}
	rp := httputil.NewSingleHostReverseProxy(u)
	// A request the client gave up on (a cancelled test) is no error worth
	// a line in the test log ("http: proxy error: context canceled").
	rp.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		if !errors.Is(err, context.Canceled) {
			t.Logf("proxy to %s: %v", r.URL.Path, err)
		}
		w.WriteHeader(http.StatusBadGateway)
	}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.n++
		p.log = append(p.log, r.Method+" "+r.URL.Path)
		p.mu.Unlock()
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

// take returns the requests counted since the last take, and resets.
func (p *countingProxy) take() (int, []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	n, log := p.n, p.log
	p.n, p.log = 0, nil
	return n, log
}

// proxiedVaultEnv is newVaultEnv through proxy p.
func proxiedVaultEnv(t *testing.T, p *countingProxy, folder string) *testEnv {
	t.Helper()
	_, root := vaulttest.Require(t)
	e := newTestEnv(t)
	e.env["CREDWIZ_STORE"] = "vault"
	e.open = func(o store.Options) (*store.Store, error) {
		o.Vault.Path, o.Vault.Address, o.Vault.Token, o.Vault.Author = folder, p.srv.URL, root, "alice@laptop"
		st, err := store.Open(o)
		if st != nil {
			st.Tokens = e.tokens
		}
		return st, err
	}
	return e
}

// TestVaultRequestsPerCommand counts the requests each command sends to
// Vault, with 2 and with 61 credentials saved: every command but test
// --all and doctor costs the same whatever the number of credentials
// (list: at most 3); test --all and doctor read each credential once.
func TestVaultRequestsPerCommand(t *testing.T) {
	t.Parallel()
	p := newCountingProxy(t)
	folder := vaulttest.Folder(t)
	e := proxiedVaultEnv(t, p, folder)
	em := connectortest.New("demandbase")
	defer em.Close()
	c, _ := (&Factory{Connectors: connectors.All}).connector("demandbase")
	v := em.Values()
	counts := map[string][]int{}
	measure := func(what, stdin string, args ...string) {
		t.Helper()
		p.take()
		must(t, e.run(stdin, args...), 0, what)
		n, log := p.take()
		counts[what] = append(counts[what], n)
		if testing.Verbose() {
			t.Logf("%s: %d requests: %s", what, n, strings.Join(log, ", "))
		}
	}
	secret := "client_secret=" + v["client_secret"] + "\n"
	seeded := 0
	for round, bulk := range []int{1, 60} {
		for i := seeded; i < bulk; i++ {
			args, stdin := addArgs(c, fmt.Sprintf("bulk-%03d", i), v)
			must(t, e.run(stdin, append(args, "--no-test")...), 0, "seed")
		}
		seeded = bulk
		name := fmt.Sprintf("new-%d", round)
		args, stdin := addArgs(c, name, v)
		measure("add", stdin, args...)
		measure("list", "", "list")
		measure("show", "", "show", name)
		measure("token (minted)", "", "token", name)
		measure("token (cached)", "", "token", name)
		measure("test NAME", "", "test", name)
		measure("edit --description", "", "edit", name, "--description", "d", "--no-test")
		measure("reauth", secret, "reauth", name, "--secrets-stdin")
		measure("history", "", "history", name)
		measure("test --all", "", "test", "--all")
		measure("doctor", "", "doctor")
		measure("rm", "", "rm", name, "--yes")
	}
	var lines []string
	for what, ns := range counts {
		lines = append(lines, fmt.Sprintf("%-20s %3d %3d", what, ns[0], ns[1]))
		grows := what == "test --all" || what == "doctor"
		if !grows && ns[0] != ns[1] {
			t.Errorf("%s sends %d requests with 2 credentials but %d with 61", what, ns[0], ns[1])
		}
	}
	sort.Strings(lines)
	t.Logf("Vault requests per command, with 2 and with 61 credentials:\n%s", strings.Join(lines, "\n"))
	if n := counts["list"][1]; n > 3 {
		t.Errorf("list sends %d requests, want at most 3", n)
	}
}
