//go:build unix

package faulttest

import (
	"encoding/json"
	"io"
	"log"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/credwiz/credwiz/connectors/connectortest"
	"github.com/credwiz/credwiz/store"
)

// bigBody is what the oversized-answer server streams.
const bigBody = 50 << 20

// netFault is one network fault a live test meets.
type netFault struct {
	name string
	// setup starts what the fault needs and returns the base URL; arm is
	// called before each command (faults that count requests re-arm).
	setup func(t *testing.T, em *connectortest.Drift) (baseURL string, arm func())
	// env is extra environment for the runs.
	env []string
	// timeout is --timeout ("" for the default).
	timeout string
	// ok: the test passes in the end (429 then success).
	ok bool
	// class is test --json's class; phrase must be in add's message.
	class, phrase string
	// min and max bound the command's wall time.
	min, max time.Duration
	// check runs after each command, for fault-specific checks.
	check func(t *testing.T, r result)
	// measure runs the commands through GNU time, for check to see the
	// peak RSS.
	measure bool
}

// TestNetworkFaults meets each network fault through the real binary,
// twice: in a scripted add (which must exit 1 naming what happened and
// save nothing) and in credwiz test --json of a credential saved with
// --no-test (which must report the class and record it). Each run is
// bounded in time and must not panic.
func TestNetworkFaults(t *testing.T) {
	t.Parallel()
	bus := startSecretService(t)
	emulator := func(em *connectortest.Drift, fault func(f *connectortest.Faults)) (string, func()) {
		return em.URL(), func() { fault(em.Faults()) }
	}
	faults := []netFault{
		{
			name: "connection refused",
			setup: func(t *testing.T, em *connectortest.Drift) (string, func()) {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				addr := ln.Addr().String()
				ln.Close()
				return "http://" + addr, func() {}
			},
			class: "unreachable", phrase: "connection refused", max: 5 * time.Second,
		},
		{
			// .invalid never resolves (RFC 6761). Its first label is 64
			// bytes, longer than DNS allows, so that Go's resolver (forced
			// with GODEBUG=netdns=go) refuses the name before sending any
			// query: this test never reaches the network, whatever the
			// machine's resolv.conf says.
			name: "DNS failure",
			setup: func(t *testing.T, em *connectortest.Drift) (string, func()) {
				return "https://" + strings.Repeat("x", 64) + ".credwiz-test.invalid", func() {}
			},
			env:   []string{"GODEBUG=netdns=go"},
			class: "unreachable", phrase: "cannot resolve host", max: 5 * time.Second,
		},
		{
			name: "TLS failure (self-signed)",
			setup: func(t *testing.T, em *connectortest.Drift) (string, func()) {
				srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "application/json")
					_, _ = w.Write([]byte(`{"authenticated_userid":"1","credential_id":"1","token_type":"bearer","expires_in":0,"created_at":0,"scope":"user_read"}`))
				}))
				// The handshake errors it logs are the point of the test.
				srv.Config.ErrorLog = log.New(io.Discard, "", 0)
				srv.StartTLS()
				t.Cleanup(srv.Close)
				return srv.URL, func() {}
			},
			class: "unreachable", phrase: "TLS verification", max: 5 * time.Second,
		},
		{
			name: "hang past --timeout",
			setup: func(t *testing.T, em *connectortest.Drift) (string, func()) {
				return emulator(em, func(f *connectortest.Faults) { f.Hang(true) })
			},
			timeout: "1s",
			class:   "unreachable", phrase: "no answer", min: time.Second, max: 5 * time.Second,
		},
		{
			name: "429 with Retry-After, then success",
			setup: func(t *testing.T, em *connectortest.Drift) (string, func()) {
				return emulator(em, func(f *connectortest.Faults) { f.RateLimit(1, "1") })
			},
			ok: true, min: time.Second, max: 6 * time.Second,
		},
		{
			name: "429 three times",
			setup: func(t *testing.T, em *connectortest.Drift) (string, func()) {
				return emulator(em, func(f *connectortest.Faults) { f.RateLimit(3, "1") })
			},
			class: "rate_limited", phrase: "rate limiting", min: 2 * time.Second, max: 7 * time.Second,
		},
		{
			name: "429 with a Retry-After past the 10s bound",
			setup: func(t *testing.T, em *connectortest.Drift) (string, func()) {
				return emulator(em, func(f *connectortest.Faults) { f.RateLimit(1, "3600") })
			},
			class: "rate_limited", phrase: "rate limiting", max: 3 * time.Second,
		},
		{
			name: "500",
			setup: func(t *testing.T, em *connectortest.Drift) (string, func()) {
				return emulator(em, func(f *connectortest.Faults) { f.ServerError(1) })
			},
			class: "vendor", phrase: "HTTP 500", max: 5 * time.Second,
		},
		{
			name: "malformed JSON",
			setup: func(t *testing.T, em *connectortest.Drift) (string, func()) {
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "application/json")
					_, _ = w.Write([]byte(`{"authenticated_userid": "1", "scope": [unterminated`))
				}))
				t.Cleanup(srv.Close)
				return srv.URL, func() {}
			},
			class: "vendor", phrase: "not the JSON expected", max: 5 * time.Second,
		},
		{
			name: "50 MB body",
			setup: func(t *testing.T, em *connectortest.Drift) (string, func()) {
				var sent atomic.Int64
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "application/json")
					k, _ := w.Write([]byte(`{"scope":"`))
					sent.Add(int64(k))
					chunk := []byte(strings.Repeat("a", 64<<10))
					for sent.Load() < bigBody {
						k, err := w.Write(chunk)
						sent.Add(int64(k))
						if err != nil {
							return
						}
					}
				}))
				t.Cleanup(srv.Close)
				t.Cleanup(func() {
					// The server's writes may still be draining into the
					// socket buffers; what matters is that credwiz did not
					// read it all.
					t.Logf("the server sent %d MiB of its 50 MiB before credwiz hung up", sent.Load()>>20)
				})
				return srv.URL, func() {}
			},
			class: "vendor", phrase: "larger than", max: 10 * time.Second, measure: true,
			check: func(t *testing.T, r result) {
				// The read is capped: the process never holds the body.
				t.Logf("peak RSS %d MiB", r.maxRSSKiB>>10)
				if r.maxRSSKiB > 100<<10 {
					t.Errorf("credwiz's peak RSS was %d MiB reading a 50 MiB answer; the read must be capped", r.maxRSSKiB>>10)
				}
			},
		},
	}
	for _, nf := range faults {
		t.Run(nf.name, func(t *testing.T) {
			t.Parallel()
			sb := newSandbox(t, "keychain", bus)
			em := connectortest.NewDrift()
			t.Cleanup(em.Close)
			key := em.Values()["api_key"]
			sb.secret(key)
			base, arm := nf.setup(t, em)
			run := func(stdin string, args ...string) result {
				t.Helper()
				if nf.measure {
					if r, ok := sb.runMeasured(stdin, nf.env, args...); ok {
						return r
					}
					t.Logf("%s is not installed (Debian: apt-get install time): peak RSS not checked", timeBin)
				}
				return sb.runEnv(stdin, nf.env, args...)
			}
			name := "net-" + strings.Map(func(r rune) rune {
				if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
					return r
				}
				return '-'
			}, strings.ToLower(nf.name))
			name = name[:min(len(name), 40)]
			common := []string{"--no-input", "--field", "base_url=" + base, "--secrets-stdin"}
			if nf.timeout != "" {
				common = append(common, "--timeout", nf.timeout)
			}
			bounded := func(r result) {
				t.Helper()
				t.Logf("credwiz %s: exit %d after %s: %s", r.args[0], r.code, r.dur.Round(time.Millisecond), clip(strings.TrimSpace(r.stderr)))
				if r.dur > nf.max {
					t.Errorf("took %s, more than %s:\n%s", r.dur.Round(time.Millisecond), nf.max, r)
				}
				if r.dur < nf.min {
					t.Errorf("took %s, less than %s: the wait (Retry-After or --timeout) was not honoured:\n%s", r.dur.Round(time.Millisecond), nf.min, r)
				}
				if nf.check != nil && (r.maxRSSKiB > 0 || !nf.measure) {
					nf.check(t, r)
				}
			}

			// 1. Scripted add with the live test.
			before := sb.snapshot()
			arm()
			args := append([]string{"add", "drift", "--name", name}, common...)
			r := run(stdinOf("api_key", key), args...)
			bounded(r)
			switch {
			case nf.ok:
				if r.code != 0 {
					t.Fatalf("add: want exit 0 after the retry:\n%s", r)
				}
				if _, ok := sb.readIndex()[name]; !ok {
					t.Errorf("add succeeded but %s is not in the index", name)
				}
				sb.must("", "rm", name, "--yes")
			default:
				if r.code != 1 {
					t.Errorf("add: exit %d, want 1:\n%s", r.code, r)
				}
				if !strings.Contains(r.stderr, nf.phrase) {
					t.Errorf("add: stderr does not say %q:\n%s", nf.phrase, r)
				}
				if !strings.Contains(r.stderr, "Nothing was saved") {
					t.Errorf("add: stderr does not say that nothing was saved:\n%s", r)
				}
				if !maps.Equal(before, sb.snapshot()) {
					t.Errorf("add failed but changed the config dir")
				}
				if _, ok := keychainItem(t, bus, store.SecretService, name); ok {
					t.Errorf("add failed but left a keychain item")
				}
			}

			// 2. credwiz test --json of a credential saved untested.
			sb.runEnv(stdinOf("api_key", key), nf.env, append(append([]string{"add", "drift", "--name", name}, common...), "--no-test")...)
			if _, ok := sb.readIndex()[name]; !ok {
				t.Fatalf("add --no-test did not save %s", name)
			}
			arm()
			testArgs := []string{"test", name, "--json"}
			if nf.timeout != "" {
				testArgs = append(testArgs, "--timeout", nf.timeout)
			}
			r = run("", testArgs...)
			bounded(r)
			var outs []struct {
				OK             bool
				Class, Message string
			}
			if err := json.Unmarshal([]byte(r.stdout), &outs); err != nil || len(outs) != 1 {
				t.Fatalf("test --json: %v\n%s", err, r)
			}
			wantCode := 1
			if nf.ok {
				wantCode = 0
			}
			if r.code != wantCode || outs[0].OK != nf.ok || outs[0].Class != nf.class {
				t.Errorf("test --json: exit %d ok=%v class %q, want exit %d ok=%v class %q:\n%s",
					r.code, outs[0].OK, outs[0].Class, wantCode, nf.ok, nf.class, r)
			}
			saved := sb.readIndex()[name]
			rec := saved.LastTest
			if rec == nil || rec.OK != nf.ok || rec.Class != nf.class {
				t.Errorf("the index recorded %+v, want ok=%v class %q", rec, nf.ok, nf.class)
			} else if rec.Revision != saved.Revision {
				t.Errorf("the recorded test certifies revision %d, the credential is at %d", rec.Revision, saved.Revision)
			}
		})
	}
}
