//go:build linux

package integritytest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/credwiz/credwiz/internal/testenv"
)

// benchLatency is the Drift emulator's answer time in the test --all
// benchmark, benchParallel its --parallel.
const (
	benchLatency  = 100 * time.Millisecond
	benchParallel = 16
	// driftRequests is how many requests a Drift test makes.
	driftRequests = 1
)

// benchSizes are the numbers of credentials of BenchmarkTestAll.
var benchSizes = []int{10, 100, 1000, 2000}

// benchRow is one size's figures.
type benchRow struct {
	n           int
	cpuPerCred  time.Duration
	wall, floor time.Duration
	runs        int
}

// BenchmarkTestAll is credwiz test --all --parallel 16 over N Drift
// credentials on the keychain (a private Secret Service) whose vendor
// answers in 100 ms: the CPU per credential (the child's rusage, user +
// system) and the wall time against the latency floor, ⌈N/16⌉ × 1
// request × 100 ms. It prints a table with the two ratios the write
// protocol aims at: CPU per credential at N=2000 within 1.5× of N=10,
// wall time at N=2000 within 1.15× of the floor.
//
//	go test -run '^$' -bench TestAll -benchtime 2x ./internal/integritytest/
func BenchmarkTestAll(b *testing.B) {
	var rows []benchRow
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			sb, em := seedDrift(b, n)
			args := []string{"test", "--all", "--parallel", fmt.Sprint(benchParallel)}
			// One run first: it warms the keyring's caches and checks the
			// result.
			r := sb.Run("", args...)
			if r.Code != 0 || !strings.Contains(r.Stderr, fmt.Sprintf("%d passed", n)) {
				b.Fatalf("test --all over %d credentials:\n%s", n, r)
			}
			before := len(em.Requests())
			var cpu, wall time.Duration
			runs := 0
			for b.Loop() {
				r := sb.Run("", args...)
				if r.Code != 0 {
					b.Fatalf("test --all:\n%s", r)
				}
				cpu += r.CPU()
				wall += r.Dur
				runs++
			}
			if got := len(em.Requests()) - before; got != runs*n*driftRequests {
				b.Errorf("the vendor saw %d requests for %d runs over %d credentials, want %d", got, runs, n, runs*n*driftRequests)
			}
			row := benchRow{n: n, runs: runs,
				cpuPerCred: cpu / time.Duration(runs*n),
				wall:       wall / time.Duration(runs),
				floor:      time.Duration((n+benchParallel-1)/benchParallel*driftRequests) * benchLatency}
			b.ReportMetric(float64(row.cpuPerCred.Microseconds())/1000, "cpu-ms/cred")
			b.ReportMetric(row.wall.Seconds()/row.floor.Seconds(), "wall/floor")
			if len(rows) > 0 && rows[len(rows)-1].n == n {
				rows = rows[:len(rows)-1]
			}
			rows = append(rows, row)
		})
	}
	if len(rows) == 0 {
		return
	}
	var t strings.Builder
	fmt.Fprintf(&t, "\ntest --all --parallel %d, Drift at %s, keychain store\n", benchParallel, benchLatency)
	fmt.Fprintf(&t, "| N | runs | CPU per credential | CPU vs N=%d | wall | floor | wall / floor |\n|---|---|---|---|---|---|---|\n", rows[0].n)
	for _, r := range rows {
		fmt.Fprintf(&t, "| %d | %d | %.2f ms | %.2f× | %.2f s | %.2f s | %.2f× |\n", r.n, r.runs,
			float64(r.cpuPerCred.Microseconds())/1000, float64(r.cpuPerCred)/float64(rows[0].cpuPerCred),
			r.wall.Seconds(), r.floor.Seconds(), r.wall.Seconds()/r.floor.Seconds())
	}
	last := rows[len(rows)-1]
	fmt.Fprintf(&t, "N=%d vs N=%d CPU per credential: %.2f× (goal ≤ 1.5×); wall at N=%d: %.2f× the floor (goal ≤ 1.15×)\n",
		last.n, rows[0].n, float64(last.cpuPerCred)/float64(rows[0].cpuPerCred), last.n, last.wall.Seconds()/last.floor.Seconds())
	// On stdout: go test shows a parent benchmark's log only with -v.
	fmt.Print(t.String())
}

// seedDrift makes a keychain sandbox with n Drift credentials whose
// vendor (unthrottled) answers in benchLatency: the index is written
// directly, the secrets over D-Bus with the owners credwiz gives them.
func seedDrift(b *testing.B, n int) (*testenv.Sandbox, interface{ Requests() []string }) {
	b.Helper()
	em := testenv.Drift(b, testenv.EmulatorOptions{Latency: benchLatency, Unthrottled: true})
	key := em.Values()["api_key"]
	sb := testenv.New(b, testenv.Options{})
	id := testenv.RandomHex(8)
	now := time.Now().UTC().Truncate(time.Second).Format(time.RFC3339)
	type cred struct {
		Name             string            `json:"name"`
		Connector        string            `json:"connector"`
		Description      string            `json:"description"`
		Fields           map[string]string `json:"fields"`
		SecretKeys       []string          `json:"secret_keys"`
		Revision         int64             `json:"revision"`
		SecretRevision   int64             `json:"secret_revision"`
		CreatedAt        string            `json:"created_at"`
		UpdatedAt        string            `json:"updated_at"`
		SecretsUpdatedAt string            `json:"secrets_updated_at"`
	}
	doc := struct {
		Version     int    `json:"version"`
		ID          string `json:"id"`
		Store       string `json:"store"`
		Revision    int64  `json:"revision"`
		Credentials []cred `json:"credentials"`
	}{Version: 2, ID: id, Store: "keychain", Revision: int64(n)}
	items := make([]testenv.Item, 0, n)
	for i := range n {
		name := fmt.Sprintf("drift-%05d", i)
		rev := int64(i + 1)
		doc.Credentials = append(doc.Credentials, cred{Name: name, Connector: "drift", Description: "seeded",
			Fields: map[string]string{"base_url": em.URL()}, SecretKeys: []string{"api_key"},
			Revision: rev, SecretRevision: rev, CreatedAt: now, UpdatedAt: now, SecretsUpdatedAt: now})
		items = append(items, testenv.Item{Service: testenv.SecretService, Account: name,
			Owner: testenv.Owner{Dir: id, Rev: rev}, Values: map[string]string{"api_key": key}})
	}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		b.Fatal(err)
	}
	if err := os.MkdirAll(sb.ConfigDir, 0o700); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sb.ConfigDir, testenv.IndexFileName), append(data, '\n'), 0o600); err != nil {
		b.Fatal(err)
	}
	sb.Keyring.Create(b, items...)
	if ix := testenv.ReadIndex(b, sb.ConfigDir); len(ix.Credentials) != n {
		b.Fatalf("seeded %d credentials, the index holds %d", n, len(ix.Credentials))
	}
	return sb, em
}
