//go:build unix

package faulttest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/credwiz/credwiz/connectors/connectortest"
	"github.com/credwiz/credwiz/store"
)

// concurrentFor is how long the writers of TestConcurrentWriters run
// (3 s with -short).
func concurrentFor() time.Duration {
	if testing.Short() {
		return 3 * time.Second
	}
	return 10 * time.Second
}

// wantCred is what a writer expects of one of its credentials at the end.
type wantCred struct {
	key  string // the api_key its keychain item must hold
	desc string // its description
	// lastOK, when set, is the result its last test must have recorded.
	lastOK *bool
	// unknown: a command on it failed, so its state is not known.
	unknown bool
}

// TestConcurrentWriters runs 20 writers of four kinds, each a loop of
// separate credwiz processes, for about 10 s against one config dir and a
// real Secret Service: adders add new credentials (with the live test
// against a Drift emulator, or --no-test), editors change descriptions and
// rename, removers add and delete, testers run credwiz test while their
// emulator alternately accepts and rejects the key (so each recorded
// result differs from the last). Each writer owns its names and tracks
// what it expects; at the end the index must hold exactly that — no lost
// update — and must have parsed at every moment in between; doctor finds
// no orphan and no credential without its secret.
func TestConcurrentWriters(t *testing.T) {
	t.Parallel()
	bus := startSecretService(t)
	sb := newSandbox(t, "keychain", bus)
	sb.seed() // records the keychain store, so that no writer probes

	// A reader checks, the whole time, that credentials.json parses.
	stopReader := make(chan struct{})
	var readerWG sync.WaitGroup
	var reads atomic.Int64
	readerWG.Add(1)
	go func() {
		defer readerWG.Done()
		path := filepath.Join(sb.dir, store.IndexFile)
		for {
			select {
			case <-stopReader:
				return
			case <-time.After(5 * time.Millisecond):
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Errorf("read the index while writers run: %v", err)
				return
			}
			if _, err := parseIndex(b); err != nil {
				t.Errorf("the index did not parse while writers ran: %v\n%s", err, clip(string(b)))
				return
			}
			reads.Add(1)
		}
	}()

	deadline := time.Now().Add(concurrentFor())
	var mu sync.Mutex
	want := map[string]wantCred{}
	ops := map[string]int{}
	// Goroutines, not parallel subtests: all 20 must run at once,
	// whatever -parallel says.
	var wg sync.WaitGroup
	for i := range 20 {
		kind := []string{"adder", "editor", "remover", "tester"}[i%4]
		em := connectortest.NewDrift()
		t.Cleanup(em.Close)
		key := em.Values()["api_key"]
		sb.secret(key)
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, n := runWriter(t, sb, kind, i, em, key, deadline)
			mu.Lock()
			for name, c := range got {
				want[name] = c
			}
			ops[kind] += n
			mu.Unlock()
		}()
	}
	wg.Wait()
	close(stopReader)
	readerWG.Wait()
	t.Logf("operations: %v; index reads while writing: %d", ops, reads.Load())
	for kind, n := range ops {
		if n < 5 {
			t.Errorf("the %s writers did only %d operations in %s", kind, n, concurrentFor())
		}
	}

	idx := sb.readIndex()
	for n, w := range want {
		if w.unknown {
			delete(want, n)
			delete(idx, n)
		}
	}
	wantNames := slices.Sorted(func(yield func(string) bool) {
		for n := range want {
			if !yield(n) {
				return
			}
		}
	})
	if got := names(idx); !slices.Equal(got, wantNames) {
		t.Errorf("lost updates: the index lists %d credentials, the writers expect %d\nmissing: %v\nunexpected: %v",
			len(got), len(wantNames), minus(wantNames, got), minus(got, wantNames))
	}
	for name, w := range want {
		c, ok := idx[name]
		if !ok {
			continue
		}
		if c.Description != w.desc {
			t.Errorf("%s: description %q, want %q (a lost edit)", name, c.Description, w.desc)
		}
		if w.lastOK != nil && (c.LastTest == nil || c.LastTest.OK != *w.lastOK) {
			t.Errorf("%s: last test %+v, want ok=%v (a lost test result)", name, c.LastTest, *w.lastOK)
		}
		if w.lastOK != nil && c.LastTest != nil && c.LastTest.Revision != c.Revision {
			t.Errorf("%s: the last test certifies revision %d, the credential is at %d", name, c.LastTest.Revision, c.Revision)
		}
		if m := keychainSecret(t, bus, name); m["api_key"] != w.key {
			t.Errorf("%s: the keychain does not hold its api_key", name)
		}
	}
	if t.Failed() {
		return // a command failed: the totals below are not known
	}
	r := sb.must("", "list", "--json")
	var list []json.RawMessage
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || len(list) != len(want) {
		t.Errorf("list --json: %d credentials (%v), want %d", len(list), err, len(want))
	}
	doc := doctorJSON(t, sb, false)
	if len(doc.Orphans) > 0 || len(doc.Missing) > 0 || doc.code != 0 {
		t.Errorf("doctor after the writers: orphans %v, missing %v, exit %d", doc.Orphans, doc.Missing, doc.code)
	}
}

// runWriter runs one writer's loop until deadline and returns what it
// expects of its credentials and how many operations it did.
func runWriter(t *testing.T, w *sandbox, kind string, i int, em connectortest.Emulator, key string, deadline time.Time) (map[string]wantCred, int) {
	out := map[string]wantCred{}
	base := "base_url=" + em.URL()
	add := func(name, desc string, test bool) bool {
		args := []string{"add", "drift", "--name", name, "--description", desc, "--field", base, "--secrets-stdin"}
		if !test {
			args = append(args, "--no-test")
		}
		r := w.run(stdinOf("api_key", key), args...)
		if r.code != 0 {
			t.Errorf("%s: want exit 0:\n%s", kind, r)
			out[name] = wantCred{unknown: true}
			return false
		}
		return true
	}
	n := 0
	switch kind {
	case "adder":
		for k := 0; time.Now().Before(deadline); k++ {
			name := fmt.Sprintf("w%02d-add-%03d", i, k)
			if !add(name, "added", k%2 == 0) {
				break
			}
			out[name] = wantCred{key: key, desc: "added"}
			n++
		}
	case "editor":
		name := fmt.Sprintf("w%02d-edit-000", i)
		if !add(name, "rev-0", false) {
			break
		}
		desc := "rev-0"
		for k := 1; time.Now().Before(deadline); k++ {
			var r result
			nextName, nextDesc := name, desc
			if k%4 == 0 {
				nextName = fmt.Sprintf("w%02d-edit-%03d", i, k)
				r = w.run("", "edit", name, "--name", nextName)
			} else {
				nextDesc = fmt.Sprintf("rev-%d", k)
				r = w.run("", "edit", name, "--description", nextDesc)
			}
			if r.code != 0 {
				t.Errorf("editor: want exit 0:\n%s", r)
				// The outcome is unknown: expect nothing of these names.
				out[name], out[nextName] = wantCred{unknown: true}, wantCred{unknown: true}
				return out, n
			}
			name, desc = nextName, nextDesc
			n++
		}
		out[name] = wantCred{key: key, desc: desc}
	case "remover":
		for k := 0; time.Now().Before(deadline); k++ {
			name := fmt.Sprintf("w%02d-rm-%03d", i, k)
			if !add(name, "short-lived", false) {
				break
			}
			n++
			if k%3 == 0 {
				out[name] = wantCred{key: key, desc: "short-lived"}
				continue
			}
			if r := w.run("", "rm", name, "--yes"); r.code != 0 {
				t.Errorf("remover: want exit 0:\n%s", r)
				out[name] = wantCred{unknown: true}
				break
			}
			n++
		}
	case "tester":
		name := fmt.Sprintf("w%02d-test", i)
		if !add(name, "tested", false) {
			break
		}
		drift := em.(*connectortest.Drift)
		var ok bool
		for k := 0; time.Now().Before(deadline); k++ {
			ok = k%2 == 0
			if ok {
				drift.SetToken(key)
			} else {
				drift.SetToken("drift-revoked-" + randomHex(8))
			}
			r := w.run("", "test", name, "--json")
			wantCode := 0
			if !ok {
				wantCode = 1
			}
			var outs []struct {
				OK    bool
				Class string
			}
			if r.code != wantCode || json.Unmarshal([]byte(r.stdout), &outs) != nil || len(outs) != 1 || outs[0].OK != ok {
				t.Errorf("tester: want exit %d and ok=%v:\n%s", wantCode, ok, r)
				out[name] = wantCred{unknown: true}
				return out, n
			}
			if strings.Contains(r.stderr, "warning") {
				// Nothing else changes the tester's credential: its
				// result must be recorded.
				t.Errorf("tester: the result was not recorded:\n%s", r)
			}
			if !ok && outs[0].Class != "rejected" {
				t.Errorf("tester: class %q, want rejected", outs[0].Class)
			}
			n++
		}
		tested := wantCred{key: key, desc: "tested"}
		if n > 0 {
			// On a loaded machine the add may end past the deadline:
			// then no test ran and none is recorded.
			tested.lastOK = &ok
		}
		out[name] = tested
	}
	return out, n
}

// minus returns the elements of a not in b.
func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}
