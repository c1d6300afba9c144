package ui

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
	"github.com/credwiz/credwiz/store"
)

// Benchmarks of the in-process parts of the performance targets; the whole
// process (start-up, keychain) is measured by scripts/bench.sh. See
// docs/PERFORMANCE.md.

// newBenchEnv is newTestEnv for a benchmark: a config dir and in-memory
// secret and token stores.
func newBenchEnv(b *testing.B) *testEnv {
	b.Helper()
	dir := b.TempDir()
	return &testEnv{dir: dir, secrets: store.NewMemory(), tokens: store.NewMemory(),
		env: map[string]string{"CREDWIZ_CONFIG_DIR": dir}, now: time.Now}
}

// benchRun runs credwiz with args through Main, as main does, writing
// stdout to out (io.Discard to leave the output out of the measurement),
// and returns stderr and the exit code.
func (e *testEnv) benchRun(out io.Writer, stdin string, args ...string) (string, int) {
	var errOut bytes.Buffer
	ios := &IOStreams{In: strings.NewReader(stdin), Out: out, ErrOut: &errOut, NoColor: true,
		Width: func() int { return 80 }}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	code := Main(ctx, e.factory(ios), args)
	return errOut.String(), code
}

// mustRun is benchRun that fails the benchmark unless credwiz exits 0.
func (e *testEnv) mustRun(b *testing.B, out io.Writer, stdin string, args ...string) {
	b.Helper()
	if stderr, code := e.benchRun(out, stdin, args...); code != 0 {
		b.Fatalf("credwiz %s: exit %d: %s", strings.Join(args, " "), code, stderr)
	}
}

// seedBench writes n credentials, one index transaction, as
// scripts/benchseed does: metadata only (list never reads secrets).
func seedBench(b *testing.B, dir string, n int) {
	b.Helper()
	now := time.Now().UTC().Truncate(time.Second)
	kinds := []struct{ connector, key, val string }{
		{"demandbase", "client_id", "dbks-0123456789abcdef"},
		{"salesforce", "username", "integration@acme.example.com"},
		{"uppromote", "api_version", "v2"},
		{"clazar", "client_id", "clz-0123456789abcdef"},
		{"drift", "base_url", "https://driftapi.com"},
	}
	// An index with a config dir ID, as every one credwiz saved a
	// credential in: one credential saved through the store, removed again.
	st := &store.Store{Index: store.NewIndex(dir), Secrets: store.NewMemory(), Tokens: store.NewMemory(), Kind: store.KindKeychain}
	if _, err := st.Add(context.Background(), store.Credential{Name: "seed-id", Connector: "drift", Fields: map[string]string{"base_url": "https://driftapi.com"}},
		map[string]string{"api_key": "seed-id-key-0123"}, store.AddOptions{}); err != nil {
		b.Fatal(err)
	}
	err := store.NewIndex(dir).Update(context.Background(), func(tx *store.Tx) error {
		tx.Remove("seed-id")
		tx.SetKind(store.KindKeychain)
		for i := range n {
			k := kinds[i%len(kinds)]
			tx.Put(store.Credential{
				Name: fmt.Sprintf("%s-%05d", k.connector, i), Connector: k.connector,
				Description: "seeded for benchmarks", Fields: map[string]string{k.key: k.val},
				SecretKeys: []string{"secret"}, CreatedAt: now, UpdatedAt: now,
				SecretsUpdatedAt: now.AddDate(0, 0, -(i % 90)),
				LastTest:         &store.TestResult{At: now, OK: i%7 != 0, Account: "acct-" + k.connector},
			})
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// countingWriter counts what is written to it.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

// BenchmarkListJSON is credwiz list --json (the command, in-process) with
// 1,000 and 10,000 saved credentials. Target (whole process, see
// scripts/bench.sh): ≤ 15 ms and ≤ 100 ms.
func BenchmarkListJSON(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			e := newBenchEnv(b)
			seedBench(b, e.dir, n)
			var check bytes.Buffer
			e.mustRun(b, &check, "", "list", "--json")
			if got := bytes.Count(check.Bytes(), []byte(`"name":`)); got != n {
				b.Fatalf("list --json printed %d credentials, want %d", got, n)
			}
			b.SetBytes(int64(check.Len()))
			b.ReportAllocs()
			for b.Loop() {
				e.mustRun(b, io.Discard, "", "list", "--json")
			}
		})
	}
}

// BenchmarkListPlain is credwiz list (not a terminal: tab-separated rows)
// with 10,000 saved credentials.
func BenchmarkListPlain(b *testing.B) {
	e := newBenchEnv(b)
	seedBench(b, e.dir, 10000)
	w := &countingWriter{}
	e.mustRun(b, w, "", "list")
	b.SetBytes(w.n)
	b.ReportAllocs()
	for b.Loop() {
		e.mustRun(b, io.Discard, "", "list")
	}
}

// testAllSerial is the time of one test --all at --parallel 1, for the
// speed-up BenchmarkTestAll reports at --parallel 16.
var testAllSerial time.Duration

// BenchmarkTestAll is credwiz test --all over 50 Drift credentials whose
// emulator answers each request after 200 ms, at --parallel 1 and 16 (the
// default). The parallel-16 run reports the speed-up over parallel-1.
// Target: ≤ 1.2 s wall, ≥ 8× faster than one by one.
//
// Each run takes 10 s at --parallel 1: CI uses -benchtime 1x.
func BenchmarkTestAll(b *testing.B) {
	for _, parallel := range []int{1, 16} {
		b.Run(fmt.Sprintf("parallel-%d", parallel), func(b *testing.B) {
			e := newBenchEnv(b)
			em := connectortest.NewDrift()
			defer em.Close()
			// Drift allows 600 requests a minute, which the emulator
			// enforces; its clock runs a second per reading, so that long
			// benchmark runs stay within the limit.
			start := time.Now()
			var ticks atomic.Int64
			em.SetClock(func() time.Time { return start.Add(time.Duration(ticks.Add(1)) * time.Second) })
			c, _ := connectors.Lookup("drift")
			v := em.Values()
			for i := range 50 {
				args, stdin := addArgs(c, fmt.Sprintf("drift-%02d", i), v)
				e.mustRun(b, io.Discard, stdin, append(args, "--no-test")...)
			}
			em.Faults().Delay(200 * time.Millisecond)
			before := len(em.Requests())
			for b.Loop() {
				var out bytes.Buffer
				e.mustRun(b, &out, "", "test", "--all", "--parallel", fmt.Sprint(parallel))
				if got := strings.Count(out.String(), "✓"); got != 50 {
					b.Fatalf("%d of 50 tests passed:\n%s", got, out.String())
				}
			}
			if got := len(em.Requests()) - before; got != 50*b.N {
				b.Fatalf("the emulator got %d requests, want %d", got, 50*b.N)
			}
			perOp := b.Elapsed() / time.Duration(b.N)
			b.ReportMetric(perOp.Seconds(), "s/run")
			switch {
			case parallel == 1:
				testAllSerial = perOp
			case testAllSerial > 0:
				b.ReportMetric(float64(testAllSerial)/float64(perOp), "speedup")
			}
		})
	}
}

// BenchmarkToken is 100 × credwiz token NAME for a Demandbase and a Clazar
// credential (saved with --no-test, so no token is cached yet): exactly
// one token exchange in all, whatever b.N (the benchmark fails
// otherwise); every other call is a cache hit. Reports ns per call.
// Target (whole process, see scripts/bench.sh): p50 ≤ 20 ms plus one
// keychain read.
func BenchmarkToken(b *testing.B) {
	for _, id := range []string{"demandbase", "clazar"} {
		b.Run(id, func(b *testing.B) {
			e := newBenchEnv(b)
			em := connectortest.New(id)
			defer em.Close()
			c, _ := connectors.Lookup(id)
			args, stdin := addArgs(c, "bench-"+id, em.Values())
			e.mustRun(b, io.Discard, stdin, append(args, "--no-test")...)
			if n := em.TokensIssued(); n != 0 {
				b.Fatalf("add --no-test exchanged %d tokens", n)
			}
			var first bytes.Buffer
			e.mustRun(b, &first, "", "token", "bench-"+id)
			if strings.TrimSpace(first.String()) == "" {
				b.Fatal("token printed nothing")
			}
			b.ReportAllocs()
			calls := 1
			for b.Loop() {
				for range 100 {
					e.mustRun(b, io.Discard, "", "token", "bench-"+id)
					calls++
				}
			}
			if n := em.TokensIssued(); n != 1 {
				b.Fatalf("%d calls of credwiz token made %d token exchanges, want exactly 1", calls, n)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(100*b.N), "ns/call")
		})
	}
}
