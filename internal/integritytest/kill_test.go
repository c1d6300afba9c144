//go:build linux

package integritytest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/credwiz/credwiz/internal/testenv"
	"github.com/credwiz/credwiz/store"
)

// baseState is what A holds before most scenarios: ka with a cached
// token, kb without one.
var baseState = state{"ka": {"first", "rev-1"}, "kb": {"second", "rev-2"}}

// leftoverState is the base after an edit of ka killed past its commit
// point (its new secret in a staged item, its old token stale) and an add
// of kn killed before its metadata (an orphan item), plus a temporary file.
var leftoverState = baseState.with("ka", credState{"edited", "rev-8"})

// scenario is one command and the state it leads to.
type scenario struct {
	name string
	// base is the state before: "empty", "base" or "leftovers".
	base string
	cmd  func(w *world) testenv.Cmd
	// after is the state after the command, from the state before.
	after func(s state) state
	// reaches are steps the command must pass (so the test cannot pass by
	// never pausing).
	reaches []store.Step
}

var scenarios = []scenario{
	{name: "first-add", base: "empty",
		cmd:     func(w *world) testenv.Cmd { return w.addCmd("kn", "new", "rev-9") },
		after:   func(s state) state { return s.with("kn", credState{"new", "rev-9"}) },
		reaches: []store.Step{store.StepIDCommitted, store.StepSecretWritten, store.StepIndexCommitted}},
	{name: "add", base: "base",
		cmd:     func(w *world) testenv.Cmd { return w.addCmd("kn", "new", "rev-9") },
		after:   func(s state) state { return s.with("kn", credState{"new", "rev-9"}) },
		reaches: []store.Step{store.StepSecretWritten, store.StepIndexCommitted}},
	{name: "add-replace", base: "base",
		cmd:   func(w *world) testenv.Cmd { return w.addCmd("ka", "replaced", "rev-9", "--force") },
		after: func(s state) state { return s.with("ka", credState{"replaced", "rev-9"}) },
		reaches: []store.Step{store.StepSecretStaged, store.StepIndexCommitted, store.StepSecretWritten,
			store.StepIndexSettled, store.StepStagedDeleted, store.StepTokenDeleted}},
	{name: "edit", base: "base",
		cmd:   func(w *world) testenv.Cmd { return w.editCmd("ka", "", "edited", "rev-9") },
		after: func(s state) state { return s.with("ka", credState{"edited", "rev-9"}) },
		reaches: []store.Step{store.StepSecretStaged, store.StepIndexCommitted, store.StepSecretWritten,
			store.StepIndexSettled, store.StepStagedDeleted, store.StepTokenDeleted}},
	{name: "edit-rename", base: "base",
		cmd:   func(w *world) testenv.Cmd { return w.editCmd("ka", "kr", "moved", "rev-9") },
		after: func(s state) state { return s.without("ka").with("kr", credState{"moved", "rev-9"}) },
		reaches: []store.Step{store.StepSecretWritten, store.StepIndexCommitted, store.StepOldSecretDeleted,
			store.StepTokenDeleted}},
	{name: "rename-only", base: "base",
		cmd:     func(w *world) testenv.Cmd { return w.editCmd("ka", "kr", "moved", "") },
		after:   func(s state) state { return s.without("ka").with("kr", credState{"moved", s["ka"].Marker}) },
		reaches: []store.Step{store.StepSecretWritten, store.StepIndexCommitted, store.StepOldSecretDeleted}},
	{name: "rename-over", base: "base",
		cmd:   func(w *world) testenv.Cmd { return w.editCmd("ka", "kb", "over", "", "--force") },
		after: func(s state) state { return s.without("ka").with("kb", credState{"over", s["ka"].Marker}) },
		reaches: []store.Step{store.StepSecretStaged, store.StepIndexCommitted, store.StepSecretWritten,
			store.StepOldSecretDeleted}},
	{name: "reauth", base: "base",
		cmd:   func(w *world) testenv.Cmd { return w.reauthCmd("ka", "rev-9") },
		after: func(s state) state { return s.with("ka", credState{s["ka"].Desc, "rev-9"}) },
		reaches: []store.Step{store.StepSecretStaged, store.StepIndexCommitted, store.StepSecretWritten,
			store.StepIndexSettled, store.StepStagedDeleted, store.StepTokenDeleted}},
	{name: "rm", base: "base",
		cmd:     func(*world) testenv.Cmd { return testenv.Cmd{Args: []string{"rm", "ka", "--yes"}} },
		after:   func(s state) state { return s.without("ka") },
		reaches: []store.Step{store.StepIndexCommitted, store.StepOldSecretDeleted, store.StepTokenDeleted}},
	{name: "test", base: "base",
		cmd:     func(*world) testenv.Cmd { return testenv.Cmd{Args: []string{"test", "--all"}} },
		after:   func(s state) state { return s },
		reaches: []store.Step{store.StepIndexCommitted, store.StepTokenWritten}},
	{name: "token", base: "base",
		cmd:     func(*world) testenv.Cmd { return testenv.Cmd{Args: []string{"token", "kb"}} },
		after:   func(s state) state { return s },
		reaches: []store.Step{store.StepTokenWritten}},
	{name: "doctor-fix", base: "leftovers",
		cmd:     func(*world) testenv.Cmd { return testenv.Cmd{Args: []string{"doctor", "--fix"}} },
		after:   func(s state) state { return s },
		reaches: []store.Step{store.StepSecretWritten, store.StepIndexSettled, store.StepStagedDeleted, store.StepRepaired}},
}

// stateOf names the states a scenario starts from.
var stateOf = map[string]state{"empty": {}, "base": baseState, "leftovers": leftoverState}

// bases makes A's starting states in w and records them.
func bases(t *testing.T, w *world) map[string]snapshot {
	t.Helper()
	out := map[string]snapshot{"empty": w.save(t)}
	w.seed(baseState, "ka")
	out["base"] = w.save(t)
	if _, paused := w.a.KillAt(string(store.StepIndexCommitted), 1, w.editCmd("ka", "", "edited", "rev-8")); !paused {
		t.Fatal("setup: the edit of ka did not pause at index-committed")
	}
	if _, paused := w.a.KillAt(string(store.StepSecretWritten), 1, w.addCmd("kn", "new", "rev-7")); !paused {
		t.Fatal("setup: the add of kn did not pause at secret-written")
	}
	if err := os.WriteFile(filepath.Join(w.a.ConfigDir, ".credentials.json4242"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	out["leftovers"] = w.save(t)
	return out
}

// stepHit is one pause point of a scenario: the n-th time at step.
type stepHit struct {
	step store.Step
	n    int
}

// TestKillAtEveryStep SIGKILLs each scenario's command at every store step
// it passes, every time it passes it (the steps are found by trying
// each), on the keychain and on the encrypted file store. After each kill
// the whole check runs (world.check).
func TestKillAtEveryStep(t *testing.T) {
	t.Parallel()
	for _, kind := range []testenv.StoreKind{testenv.Keychain, testenv.File} {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			t.Logf("%s store: %d kills at steps", kind, countHits(killAtSteps(t, kind)))
		})
	}
}

// countHits counts the pause points of all scenarios.
func countHits(hits map[string][]stepHit) int {
	n := 0
	for _, hs := range hits {
		n += len(hs)
	}
	return n
}

// killAtSteps runs every scenario in a world of kind, finding each
// scenario's pause points by trying every step until the command no
// longer pauses. It returns the points it killed at.
func killAtSteps(t *testing.T, kind testenv.StoreKind) map[string][]stepHit {
	w := newWorld(t, kind, worldOptions{})
	snaps := bases(t, w)
	found := map[string][]stepHit{}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			before := stateOf[sc.base]
			after := sc.after(before)
			cmd := sc.cmd(w)
			kill := func(h stepHit) bool {
				w.restore(t, snaps[sc.base])
				r, paused := w.a.In(t).KillAt(string(h.step), h.n, cmd)
				if !paused {
					if r.Code != 0 {
						t.Errorf("%s: without a kill: want exit 0:\n%s", sc.name, r)
					}
					return false
				}
				found[sc.name] = append(found[sc.name], h)
				t.Run(fmt.Sprintf("%s#%d", h.step, h.n), func(t *testing.T) {
					w.check(t, checkOptions{works: true}, before, after)
				})
				return true
			}
			for _, step := range store.Steps {
				for n := 1; kill(stepHit{step, n}); n++ {
					if n == 10 {
						t.Errorf("%s passed %s more than 10 times", sc.name, step)
						break
					}
				}
			}
			for _, step := range sc.reaches {
				if !slices.ContainsFunc(found[sc.name], func(h stepHit) bool { return h.step == step }) {
					t.Errorf("%s never paused at %s (pause points: %v): is the hook build in use?", sc.name, step, found[sc.name])
				}
			}
			// The command without a kill ends in the state after it.
			w.restore(t, snaps[sc.base])
			if r := w.a.In(t).RunCmd(cmd); r.Code != 0 {
				t.Errorf("without a kill: want exit 0:\n%s", r)
			}
			w.check(t, checkOptions{works: true}, after)
			t.Logf("%s on the %s store: killed at %d points: %v", sc.name, kind, len(found[sc.name]), found[sc.name])
		})
	}
	return found
}

// TestKillAtRandom runs random commands on a few credentials and SIGKILLs
// most of them at a random moment of their run (uniform up to 1.5 times
// their usual duration), then runs the whole check; now and then it
// leaves the leftovers for the next commands to meet, or kills doctor
// --fix too: 220 kills on each store (-short 40).
func TestKillAtRandom(t *testing.T) {
	t.Parallel()
	for _, kind := range []testenv.StoreKind{testenv.Keychain, testenv.File} {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			kills := 220
			if testing.Short() {
				kills = 40
			}
			randomKills(t, kind, kills)
		})
	}
}

// randomOp is one command of a random run.
type randomOp struct {
	kind  string
	cmd   testenv.Cmd
	after state
}

// nextOp picks a command for state s. m is a fresh marker.
func nextOp(rng *rand.Rand, w *world, s state, m string) randomOp {
	pool := []string{"ka", "kb", "kc"}
	var have, free []string
	for _, n := range pool {
		if _, ok := s[n]; ok {
			have = append(have, n)
		} else {
			free = append(free, n)
		}
	}
	pick := func(ns []string) string { return ns[rng.IntN(len(ns))] }
	if len(have) == 0 {
		n := pick(free)
		return randomOp{"add", w.addCmd(n, "d-"+m, m), s.with(n, credState{"d-" + m, m})}
	}
	n := pick(have)
	switch rng.IntN(11) {
	case 0:
		if len(free) > 0 {
			f := pick(free)
			return randomOp{"add", w.addCmd(f, "d-"+m, m), s.with(f, credState{"d-" + m, m})}
		}
		return randomOp{"add-replace", w.addCmd(n, "d-"+m, m, "--force"), s.with(n, credState{"d-" + m, m})}
	case 1:
		return randomOp{"edit", w.editCmd(n, "", "d-"+m, m), s.with(n, credState{"d-" + m, m})}
	case 2:
		return randomOp{"edit-description", w.editCmd(n, "", "d-"+m, ""), s.with(n, credState{"d-" + m, s[n].Marker})}
	case 3:
		if len(free) > 0 {
			f := pick(free)
			return randomOp{"edit-rename", w.editCmd(n, f, "d-"+m, m), s.without(n).with(f, credState{"d-" + m, m})}
		}
		fallthrough
	case 4:
		if len(have) > 1 {
			o := pick(slices.DeleteFunc(slices.Clone(have), func(x string) bool { return x == n }))
			return randomOp{"rename-over", w.editCmd(n, o, "d-"+m, "", "--force"), s.without(n).with(o, credState{"d-" + m, s[n].Marker})}
		}
		fallthrough
	case 5:
		return randomOp{"reauth", w.reauthCmd(n, m), s.with(n, credState{s[n].Desc, m})}
	case 6:
		return randomOp{"rm", testenv.Cmd{Args: []string{"rm", n, "--yes"}}, s.without(n)}
	case 7:
		return randomOp{"test-all", testenv.Cmd{Args: []string{"test", "--all"}}, s}
	case 8:
		return randomOp{"test", testenv.Cmd{Args: []string{"test", n}}, s}
	case 9:
		return randomOp{"token", testenv.Cmd{Args: []string{"token", n}}, s}
	}
	return randomOp{"doctor-fix", testenv.Cmd{Args: []string{"doctor", "--fix"}}, s}
}

// randomKills runs commands until kills of them were SIGKILLed.
func randomKills(t *testing.T, kind testenv.StoreKind, kills int) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	w := newWorld(t, kind, worldOptions{})
	s := state{}
	usual := map[string]time.Duration{} // an unkilled run's duration, by kind of command
	killed, exited := 0, 0
	for i := 1; killed < kills; i++ {
		op := nextOp(rng, w, s, fmt.Sprintf("rev-%d", i))
		est, known := usual[op.kind]
		if !known || rng.IntN(8) == 0 {
			r := w.a.In(t).RunCmd(op.cmd)
			if r.Code != 0 {
				t.Fatalf("step %d, %s: want exit 0:\n%s", i, op.kind, r)
			}
			usual[op.kind] = r.Dur
			s = op.after
			continue
		}
		p := w.a.In(t).Start(op.cmd)
		delay := time.Duration(rng.Int64N(int64(est)*3/2 + 1))
		select {
		case <-p.Done():
		case <-time.After(delay):
			p.Kill()
		}
		r := p.Wait()
		if r.Killed() {
			killed++
		} else {
			exited++
			if r.Code != 0 {
				t.Fatalf("step %d, %s (not killed): want exit 0:\n%s", i, op.kind, r)
			}
		}
		ok := t.Run(fmt.Sprintf("%d-%s", i, op.kind), func(t *testing.T) {
			keep := rng.IntN(5) == 0
			if !keep && rng.IntN(4) == 0 {
				// Kill doctor --fix itself on its way; the check's own
				// doctor --fix then finishes the job.
				p := w.a.In(t).Start(testenv.Cmd{Args: []string{"doctor", "--fix"}})
				select {
				case <-p.Done():
				case <-time.After(time.Duration(rng.Int64N(int64(200 * time.Millisecond)))):
					p.Kill()
				}
				p.Wait()
			}
			s = w.check(t, checkOptions{works: i%10 == 0, keepLeftovers: keep}, s, op.after)
		})
		if !ok {
			t.Fatalf("stopping at step %d (seed %d): %s killed after %s\n%s", i, seed, op.kind, delay, r)
		}
	}
	w.check(t, checkOptions{works: true}, s)
	t.Logf("%s store: %d commands killed at random moments (%d ended before their kill); %d checks found leftovers; of the changing commands, %d left the state before, %d the state after",
		kind, killed, exited, w.dirty, w.matched[0], w.matched[1])
	if !testing.Short() && killed < 200 {
		t.Errorf("only %d kills", killed)
	}
}
