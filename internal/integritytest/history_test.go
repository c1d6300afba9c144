//go:build linux

package integritytest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/credwiz/credwiz/internal/testenv"
)

// The history checker: random concurrent histories of credwiz commands
// on two credentials, some SIGKILLed at random moments, checked for
// linearizability against the model of model_test.go, as etcd's
// robustness tests check etcd.

// historySize says how many histories run, how many at once, and their
// shape.
type historySize struct {
	histories, workers, clients, opsPerClient int
}

func historySizes() historySize {
	if testing.Short() {
		return historySize{histories: 60, workers: 3, clients: 3, opsPerClient: 3}
	}
	return historySize{histories: 500, workers: 4, clients: 3, opsPerClient: 3}
}

// killChance is the chance that an operation is SIGKILLed.
const killChance = 0.2

// historyFigures are the totals of TestHistories.
type historyFigures struct {
	sync.Mutex
	histories, ops, kills, unavailable, illegal, unknown int
}

// TestHistories runs random concurrent histories (add, replace, edit of
// the description, of the client ID and secret, of the base URL, reauth,
// rm, test, token, list) with random kills, and checks each with
// porcupine: zero violations. A final read after doctor --fix adds each
// credential's secret item and cached token.
func TestHistories(t *testing.T) {
	t.Parallel()
	size := historySizes()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d; %+v", seed, size)
	var fig historyFigures
	var wg sync.WaitGroup
	next := make(chan int)
	for wk := range size.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.Run(fmt.Sprintf("worker-%d", wk), func(t *testing.T) {
				h := newHistorian(t, seed+uint64(wk), size)
				for n := range next {
					h.run(t, n, &fig)
				}
			})
		}()
	}
	for n := range size.histories {
		next <- n
	}
	close(next)
	wg.Wait()
	t.Logf("%d histories, %d operations, %d of them SIGKILLed, %d failed on an unavailable secret store: %d not linearizable, %d undecided",
		fig.histories, fig.ops, fig.kills, fig.unavailable, fig.illegal, fig.unknown)
	if fig.illegal+fig.unknown > 0 {
		t.Errorf("%d histories are not linearizable, %d undecided", fig.illegal, fig.unknown)
	}
}

// historian runs histories in a world of its own (its own keyring).
type historian struct {
	w     *world
	rng   *rand.Rand
	urls  [2]string
	size  historySize
	empty snapshot

	mu    sync.Mutex
	usual map[string]time.Duration
}

func newHistorian(t *testing.T, seed uint64, size historySize) *historian {
	// A little vendor latency keeps the live tests of add, reauth, test
	// and token open while other commands run.
	em := testenv.Demandbase(t, testenv.EmulatorOptions{Latency: 25 * time.Millisecond})
	w := newWorld(t, testenv.Keychain, worldOptions{noB: true, em: em})
	h := &historian{w: w, rng: rand.New(rand.NewPCG(seed, 7)), size: size, usual: map[string]time.Duration{}}
	h.urls = [2]string{w.url, testenv.MarkedFront(t, w.em.URL())}
	h.empty = w.save(t)
	return h
}

// pick returns a random operation; n makes its description and marker
// unique.
func (h *historian) pick(n string) hInput {
	name := hNames[h.rng.IntN(len(hNames))]
	ops := []string{"add", "add", "replace", "edit-desc", "edit-desc", "edit-values", "edit-values", "edit-url", "edit-url",
		"reauth", "rm", "test", "test", "token", "token", "read"}
	return hInput{Op: ops[h.rng.IntN(len(ops))], Name: name, Desc: "d-" + n, Marker: "m-" + n, URL: h.rng.IntN(2)}
}

// command is the credwiz command of in.
func (h *historian) command(in hInput) testenv.Cmd {
	w := h.w
	secret := "client_secret=" + testenv.Mark(w.sec, in.Marker) + "\n"
	add := func(extra ...string) testenv.Cmd {
		return testenv.Cmd{Args: append([]string{"add", "demandbase", "--name", in.Name, "--description", in.Desc,
			"--field", "base_url=" + h.urls[in.URL], "--field", "client_id=" + testenv.Mark(w.cid, in.Marker), "--secrets-stdin"}, extra...),
			Stdin: secret}
	}
	switch in.Op {
	case "add":
		return add()
	case "replace":
		return add("--force")
	case "edit-desc":
		return testenv.Cmd{Args: []string{"edit", in.Name, "--description", in.Desc}}
	case "edit-values":
		return w.editCmd(in.Name, "", in.Desc, in.Marker)
	case "edit-url":
		return testenv.Cmd{Args: []string{"edit", in.Name, "--field", "base_url=" + h.urls[in.URL], "--no-test"}}
	case "reauth":
		return w.reauthCmd(in.Name, in.Marker)
	case "rm":
		return testenv.Cmd{Args: []string{"rm", in.Name, "--yes"}}
	case "test":
		return testenv.Cmd{Args: []string{"test", in.Name, "--json"}}
	case "token":
		return testenv.Cmd{Args: []string{"token", in.Name}}
	case "read", "final":
		return testenv.Cmd{Args: []string{"list", "--json"}}
	}
	panic("unknown op " + in.Op)
}

// exec runs one operation, killing it at a random moment with
// killChance, and returns it as porcupine records it.
func (h *historian) exec(t *testing.T, start time.Time, client int, in hInput, kill bool, delay float64) (porcupine.Operation, testenv.Result) {
	h.mu.Lock()
	usual, known := h.usual[in.Op]
	h.mu.Unlock()
	if !known {
		usual = 150 * time.Millisecond
	}
	call := time.Since(start).Nanoseconds()
	p := h.w.a.In(t).Start(h.command(in))
	if kill {
		select {
		case <-p.Done():
		case <-time.After(time.Duration(delay * float64(usual) * 1.5)):
			p.Kill()
		}
	}
	r := p.Wait()
	ret := time.Since(start).Nanoseconds()
	out := hOutput{Killed: r.Killed(), OK: r.Code == 0}
	// The store's error says "secret store unavailable" (store.ErrUnavailable)
	// when the keychain did not answer.
	out.Unavailable = r.Code == 1 && strings.Contains(r.Stderr, "secret store unavailable")
	switch {
	case out.Killed:
	case r.Code == 0 && (in.Op == "read" || in.Op == "final"):
		out.View = h.views(t, r)
	case r.Code == 0 && in.Op == "token":
		out.Token = strings.TrimSpace(r.Stdout)
	case r.Code == 0 && in.Op == "test":
		var res []struct {
			Report struct {
				Account string `json:"account"`
			} `json:"report"`
		}
		if err := json.Unmarshal([]byte(r.Stdout), &res); err != nil || len(res) != 1 {
			t.Errorf("test --json: %v\n%s", err, r)
		} else {
			out.Tested = testenv.Marker(res[0].Report.Account)
		}
	case r.Code == 2 || r.Code < 0:
		t.Errorf("%s: a usage error or a harness failure:\n%s", in.Op, r)
	}
	if !out.Killed && !kill {
		h.mu.Lock()
		h.usual[in.Op] = r.Dur
		h.mu.Unlock()
	}
	return porcupine.Operation{ClientId: client, Input: in, Output: out, Call: call, Return: ret}, r
}

// views decodes list --json into the model's views.
func (h *historian) views(t *testing.T, r testenv.Result) [len(hNames)]hView {
	var views [len(hNames)]hView
	var ls []listed
	if err := json.Unmarshal([]byte(r.Stdout), &ls); err != nil {
		t.Errorf("list --json: %v\n%s", err, r)
		return views
	}
	for _, l := range ls {
		i := hIndex(l.Name)
		if i < 0 {
			t.Errorf("list shows %q, which no operation added", l.Name)
			continue
		}
		url := -1
		for u, s := range h.urls {
			if l.Fields["base_url"] == s {
				url = u
			}
		}
		views[i] = hView{Exists: true, Desc: l.Description, Marker: testenv.Marker(l.Fields["client_id"]), URL: url,
			Tested: l.LastTest != nil && l.LastTest.OK}
	}
	return views
}

// run runs and checks history n.
func (h *historian) run(t *testing.T, n int, fig *historyFigures) {
	w := h.w
	w.restore(t, h.empty)
	start := time.Now()
	var mu sync.Mutex
	var ops []porcupine.Operation
	var runs []testenv.Result
	record := func(op porcupine.Operation, r testenv.Result) {
		mu.Lock()
		ops = append(ops, op)
		runs = append(runs, r)
		mu.Unlock()
	}
	first := hInput{Op: "add", Name: "h1", Desc: fmt.Sprintf("d-%d-0", n), Marker: fmt.Sprintf("m-%d-0", n)}
	record(h.exec(t, start, 0, first, false, 0))
	// The operations and kill decisions are drawn up front, so that the
	// goroutines do not share the generator.
	type plan struct {
		in    hInput
		kill  bool
		delay float64
	}
	plans := make([][]plan, h.size.clients)
	for c := range plans {
		for k := range h.size.opsPerClient {
			plans[c] = append(plans[c], plan{h.pick(fmt.Sprintf("%d-%d-%d", n, c, k)), h.rng.Float64() < killChance, h.rng.Float64()})
		}
	}
	var wg sync.WaitGroup
	for c, ps := range plans {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, p := range ps {
				record(h.exec(t, start, c, p.in, p.kill, p.delay))
			}
		}()
	}
	wg.Wait()
	if r := w.a.In(t).Run("", "doctor", "--fix"); r.Code != 0 {
		t.Errorf("history %d: doctor --fix after the history:\n%s", n, r)
	}
	final, r := h.exec(t, start, 0, hInput{Op: "final"}, false, 0)
	if out := final.Output.(hOutput); out.OK {
		items := w.a.Keyring.Items(t)
		for i, name := range hNames {
			if it, ok := items.Get(testenv.SecretService, name); ok {
				out.View[i].Secret = testenv.Marker(it.Values["client_secret"])
			}
			if it, ok := items.Get(testenv.TokenService, name); ok {
				out.View[i].Tok = it.Values["access_token"]
			}
		}
		final.Output = out
	}
	record(final, r)

	res, info := porcupine.CheckOperationsVerbose(hModel.ToModel(), ops, 30*time.Second)
	fig.Lock()
	fig.histories++
	fig.ops += len(ops)
	for _, op := range ops {
		if op.Output.(hOutput).Killed {
			fig.kills++
		}
		if op.Output.(hOutput).Unavailable {
			fig.unavailable++
		}
	}
	switch res {
	case porcupine.Illegal:
		fig.illegal++
	case porcupine.Unknown:
		fig.unknown++
	}
	fig.Unlock()
	if res != porcupine.Ok {
		path := filepath.Join(os.TempDir(), fmt.Sprintf("credwiz-history-%d-%d.html", os.Getpid(), n))
		_ = porcupine.VisualizePath(hModel.ToModel(), info, path)
		var b strings.Builder
		for _, op := range ops {
			fmt.Fprintf(&b, "  client %d [%6.3fs, %6.3fs] %s\n", op.ClientId, float64(op.Call)/1e9, float64(op.Return)/1e9,
				hModel.DescribeOperation(op.Input, op.Output))
		}
		for _, r := range runs {
			if r.Code != 0 {
				fmt.Fprintf(&b, "  %s\n", strings.ReplaceAll(r.String(), "\n", "\n  "))
			}
		}
		t.Errorf("history %d is %s (visualization: %s):\n%s", n, res, path, b.String())
	}
}
