package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/store"
)

// TestE2EScriptedPastedValues: values pasted with surrounding white space
// are trimmed and a leading "Bearer " is stripped from tokens, so the
// credential works and the keychain holds the bare key.
func TestE2EScriptedPastedValues(t *testing.T) {
	requireKeychain(t)
	t.Parallel()
	tests := []struct {
		name, connector, key, pasted string
	}{
		{name: "drift api_key with Bearer and spaces", connector: "drift", key: "api_key", pasted: "  Bearer %s \t"},
		{name: "uppromote token with lower-case bearer", connector: "uppromote", key: "token", pasted: "bearer %s"},
		{name: "demandbase client_secret with spaces", connector: "demandbase", key: "client_secret", pasted: "   %s   "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, ok := connectors.Lookup(tc.connector)
			if !ok {
				t.Fatalf("no connector %q", tc.connector)
			}
			em := startEmulator(t, c.ID)
			fields, secrets := split(c, em.Values())
			bare := secrets[tc.key]
			secrets[tc.key] = fmt.Sprintf(tc.pasted, bare)
			sb := newSandbox(t, keychainStore)
			name := credName(t, "paste")
			cleanKeychain(t, name)
			r := sb.run(stdinLines(secrets), addArgs(c.ID, name, fields, "--secrets-stdin")...)
			if r.code != 0 {
				t.Fatalf("add with a pasted %s: want exit 0:\n%s", tc.key, r)
			}
			got, ok := keychainSecrets(t, name)
			if !ok || got[tc.key] != bare {
				t.Errorf("the keychain holds %s = %q; want the bare value, trimmed and without Bearer", tc.key, got[tc.key])
			}
		})
	}
}

// TestE2EScriptedRemoteHostWarning: a base URL on a remote host outside
// the vendor's domain is allowed in scripted use after a line on stderr
// naming the host; a loopback URL gets no warning. --no-test keeps the
// remote host from being contacted.
func TestE2EScriptedRemoteHostWarning(t *testing.T) {
	requireKeychain(t)
	t.Parallel()
	const host = "drift-staging.example.com"
	tests := []struct {
		name     string
		url      string
		wantWarn bool
	}{
		{name: "remote host outside driftapi.com", url: "https://" + host, wantWarn: true},
		{name: "loopback", url: "http://127.0.0.1:9", wantWarn: false},
		{name: "vendor's own domain", url: "https://eu.driftapi.com", wantWarn: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sb := newSandbox(t, keychainStore)
			name := credName(t, "warn")
			cleanKeychain(t, name)
			r := sb.run("api_key=drift-"+randomHex(16)+"\n", "add", "drift", "--name", name,
				"--field", "base_url="+tc.url, "--no-test", "--secrets-stdin")
			if r.code != 0 {
				t.Fatalf("want exit 0:\n%s", r)
			}
			warned := strings.Contains(strings.ToLower(r.stderr), "warning")
			if warned != tc.wantWarn {
				t.Errorf("warning on stderr: %v; want %v:\n%s", warned, tc.wantWarn, r)
			}
			if tc.wantWarn && !strings.Contains(r.stderr, host) {
				t.Errorf("the warning does not name the host %s:\n%s", host, r)
			}
			if _, ok := find(sb.list(), name); !ok {
				t.Errorf("the credential was not saved")
			}
		})
	}
}

// TestE2EListWithoutKeychain: list never reads the keychain, so it works
// when the Secret Service is gone.
func TestE2EListWithoutKeychain(t *testing.T) {
	requireKeychain(t)
	t.Parallel()
	em := startEmulator(t, "drift")
	sb := newSandbox(t, keychainStore)
	name := credName(t, "nobus")
	cleanKeychain(t, name)
	sb.must("api_key="+em.Values()["api_key"]+"\n", "add", "drift", "--name", name, "--field", "base_url="+em.URL(), "--secrets-stdin")
	noBus := []string{"DBUS_SESSION_BUS_ADDRESS=unix:path=" + filepath.Join(sb.root, "no-such-bus")}
	for _, args := range [][]string{{"list"}, {"list", "--json"}} {
		start := time.Now()
		r := sb.runEnv(noBus, "", args...)
		if r.code != 0 || !strings.Contains(r.stdout, name) {
			t.Errorf("with no Secret Service: want exit 0 and %s listed:\n%s", name, r)
		}
		t.Logf("credwiz %s without a Secret Service took %s", strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	}
	// A command that needs the secrets fails with exit 1 and says why.
	r := sb.runEnv(noBus, "", "token", name)
	if r.code != 1 {
		t.Errorf("token with no Secret Service: want exit 1:\n%s", r)
	}
	oneLine(t, "stderr of token with no Secret Service", r, r.stderr)
}

// TestE2EConcurrentAdds: credwiz processes adding and removing at once in
// one config dir never lose an update.
func TestE2EConcurrentAdds(t *testing.T) {
	requireKeychain(t)
	t.Parallel()
	const n = 8
	sb := newSandbox(t, keychainStore)
	var all []string
	for i := range n {
		all = append(all, credName(t, fmt.Sprintf("conc%d", i)))
	}
	cleanKeychain(t, all...)
	runAll := func(what string, args func(name string) []string, stdin string) {
		t.Helper()
		var wg sync.WaitGroup
		results := make([]result, n)
		for i, name := range all {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = sb.runNoFatal(stdin, args(name)...)
			}()
		}
		wg.Wait()
		for _, r := range results {
			if r.code != 0 {
				t.Errorf("concurrent %s: want exit 0:\n%s", what, r)
			}
		}
	}
	runAll("add", func(name string) []string {
		return []string{"add", "drift", "--name", name, "--field", "base_url=http://127.0.0.1:9", "--no-test", "--secrets-stdin"}
	}, "api_key=drift-"+randomHex(16)+"\n")
	got := names(sb.list())
	slices.Sort(got)
	want := slices.Clone(all)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("after %d concurrent adds, list shows %d credentials %v; want %v", n, len(got), got, want)
	}
	runAll("rm", func(name string) []string { return []string{"rm", "--yes", name} }, "")
	if creds := sb.list(); len(creds) != 0 {
		t.Errorf("after %d concurrent rm, list still shows %v", n, names(creds))
	}
	for _, name := range all {
		assertNoKeychainItems(t, name)
	}
}

// TestE2EHangingVendor: a vendor that never answers. --timeout bounds the
// test (exit 1, saying so), and Ctrl-C (SIGINT) stops it with exit 130;
// either way nothing is recorded as passed.
func TestE2EHangingVendor(t *testing.T) {
	requireKeychain(t)
	t.Parallel()
	em := startEmulator(t, "drift")
	sb := newSandbox(t, keychainStore)
	name := credName(t, "hang")
	cleanKeychain(t, name)
	sb.must("api_key="+em.Values()["api_key"]+"\n", "add", "drift", "--name", name, "--field", "base_url="+em.URL(), "--no-test", "--secrets-stdin")
	em.Faults().Hang(true)

	t.Run("timeout", func(t *testing.T) {
		start := time.Now()
		r := sb.run("", "test", name, "--timeout", "500ms")
		if r.code != 1 {
			t.Errorf("want exit 1 when the vendor does not answer within --timeout:\n%s", r)
		}
		if out := strings.ToLower(r.stdout + r.stderr); !strings.Contains(out, "time") {
			t.Errorf("the failure does not say it timed out:\n%s", r)
		}
		t.Logf("test --timeout 500ms returned after %s", time.Since(start).Round(time.Millisecond))
		if cr, ok := find(sb.list(), name); !ok || cr.LastTest == nil || cr.LastTest.OK {
			t.Errorf("after a timed-out test, list --json shows last_test %+v; want a failure recorded", cr.LastTest)
		}
	})

	t.Run("SIGINT", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, credwizBin, "test", name)
		cmd.Env, cmd.Dir, cmd.Stdin = sb.env, sb.root, strings.NewReader("")
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		before := len(em.Requests())
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(20 * time.Second)
		for len(em.Requests()) == before {
			if time.Now().After(deadline) {
				_ = cmd.Process.Kill()
				t.Fatalf("credwiz test never reached the emulator")
			}
			time.Sleep(10 * time.Millisecond)
		}
		if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		err := cmd.Wait()
		r := result{args: cmd.Args[1:], stdout: out.String(), stderr: errOut.String()}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			r.code = ee.ExitCode()
		}
		if ctx.Err() != nil {
			t.Fatalf("credwiz test did not stop after SIGINT:\n%s", r)
		}
		if r.code != 130 {
			t.Errorf("after SIGINT: exit %d; want 130:\n%s", r.code, r)
		}
	})
}

// TestE2EScriptedForceReplaces: add --force over an existing name replaces
// it whole, even with another connector: no stale field, secret or cached
// token of the old credential survives.
func TestE2EScriptedForceReplaces(t *testing.T) {
	requireKeychain(t)
	t.Parallel()
	db, _ := connectors.Lookup("demandbase")
	up, _ := connectors.Lookup("uppromote")
	emDB, emUP := startEmulator(t, db.ID), startEmulator(t, up.ID)
	sb := newSandbox(t, keychainStore)
	name := credName(t, "force")
	cleanKeychain(t, name)

	fields, secrets := split(db, emDB.Values())
	sb.must(stdinLines(secrets), addArgs(db.ID, name, fields, "--description", "old", "--secrets-stdin")...)
	sb.must("", "token", name) // caches an OAuth token
	if _, ok := lookupKeychain(t, store.TokenService, name); !ok {
		t.Logf("note: no cached token after token; the stale-token check below proves less")
	}

	r := sb.run(stdinLines(map[string]string{"token": emUP.Values()["token"]}),
		addArgs(up.ID, name, map[string]string{"base_url": emUP.URL()}, "--secrets-stdin")...)
	if r.code != 1 {
		t.Errorf("add over an existing name without --force: want exit 1:\n%s", r)
	}
	upFields, upSecrets := split(up, emUP.Values())
	sb.must(stdinLines(upSecrets), addArgs(up.ID, name, upFields, "--force", "--secrets-stdin")...)

	creds := sb.list()
	if len(creds) != 1 {
		t.Fatalf("after add --force, list shows %v; want only %s", names(creds), name)
	}
	cr := creds[0]
	if cr.Connector != up.ID || cr.Description != "" || cr.LastTest == nil || !cr.LastTest.OK {
		t.Errorf("after add --force, list shows %+v; want a tested %s credential without the old description", cr, up.ID)
	}
	for k := range cr.Fields {
		if _, ok := up.Field(k); !ok {
			t.Errorf("after add --force, the %s field %s of the old credential survives", db.ID, k)
		}
	}
	if got, ok := keychainSecrets(t, name); !ok || !maps.Equal(got, upSecrets) {
		t.Errorf("after add --force, the keychain holds keys %v; want exactly %v", sortedKeys(got), sortedKeys(upSecrets))
	}
	if _, ok := lookupKeychain(t, store.TokenService, name); ok {
		t.Errorf("after add --force, the cached token of the replaced %s credential survives", db.ID)
	}
	r = sb.must("", "token", name)
	if strings.TrimSpace(r.stdout) != upSecrets["token"] {
		t.Errorf("token after add --force: want the new UpPromote key")
	}
}
