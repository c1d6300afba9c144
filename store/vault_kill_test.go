package store

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/credwiz/credwiz/internal/vaulttest"
)

// vaultOp is one change that the kill tests stop after each of its steps.
type vaultOp struct {
	name string
	run  func(st *Store) error
	// after is the state the op leads to: name → marker.
	after map[string]string
}

// getFresh reads name through st's catalog, for an op.
func getFresh(st *Store, name string) (Credential, error) { return st.Catalog().Get(name) }

var vaultBefore = map[string]string{"a": "v1", "b": "b1"}

var vaultOps = []vaultOp{
	{"add a new name", func(st *Store) error {
		c := sampleCredential("c")
		c.Description = "c1"
		return addErr(st, c, map[string]string{"marker": "c1"})
	}, map[string]string{"a": "v1", "b": "b1", "c": "c1"}},
	{"add replacing", func(st *Store) error {
		c := sampleCredential("a")
		c.Description = "v2"
		_, err := st.Add(bg, c, map[string]string{"marker": "v2"}, AddOptions{Replace: true})
		return err
	}, map[string]string{"a": "v2", "b": "b1"}},
	{"change the secret", func(st *Store) error {
		c, err := getFresh(st, "a")
		if err == nil {
			_, err = st.Change(bg, "a", c.Revision, Change{Description: desc("v2"), Secret: map[string]string{"marker": "v2"}})
		}
		return err
	}, map[string]string{"a": "v2", "b": "b1"}},
	{"rename", func(st *Store) error {
		c, err := getFresh(st, "a")
		if err == nil {
			_, err = st.Change(bg, "a", c.Revision, Change{Name: "z"})
		}
		return err
	}, map[string]string{"z": "v1", "b": "b1"}},
	{"rename with a new secret", func(st *Store) error {
		c, err := getFresh(st, "a")
		if err == nil {
			_, err = st.Change(bg, "a", c.Revision, Change{Name: "z", Description: desc("v2"), Secret: map[string]string{"marker": "v2"}})
		}
		return err
	}, map[string]string{"z": "v2", "b": "b1"}},
	{"rename over another", func(st *Store) error {
		c, err := getFresh(st, "a")
		if err == nil {
			_, err = st.Change(bg, "a", c.Revision, Change{Name: "b", Replace: true})
		}
		return err
	}, map[string]string{"b": "v1"}},
	{"delete", func(st *Store) error { return st.Delete(bg, "a") }, map[string]string{"b": "b1"}},
	{"destroy", func(st *Store) error { return st.Destroy(bg, "a") }, map[string]string{"b": "b1"}},
	{"record", func(st *Store) error {
		c, err := getFresh(st, "a")
		if err != nil {
			return err
		}
		errs, err := st.Record(bg, []Record{{Name: "a", Revision: c.Revision, Result: passed(time.Now()), Token: map[string]string{"access_token": "t"}}})
		return errors.Join(append(errs, err)...)
	}, vaultBefore},
}

// seedVault writes the state every op starts from: "b" saved by a
// teammate (bob), "a" by the operator (alice, in aliceDir).
func seedVault(t testing.TB, folder, aliceDir string) {
	t.Helper()
	bob := openVaultStore(t, t.TempDir(), folder, "bob@desk", "")
	b := sampleCredential("b")
	b.Description = "b1"
	mustAdd(t, bob, b, map[string]string{"marker": "b1"})
	alice := openVaultStore(t, aliceDir, folder, "alice@laptop", "")
	a := sampleCredential("a")
	a.Description = "v1"
	mustAdd(t, alice, a, map[string]string{"marker": "v1"})
}

// openVaultPlain opens the Vault store of dir on the shared dev server,
// for a helper process.
func openVaultPlain(dir, folder string) (*Store, error) {
	st, err := Open(Options{Dir: dir, Kind: KindVault, Vault: VaultOptions{Path: folder, Address: os.Getenv(vaulttest.EnvAddr),
		Token: os.Getenv(vaulttest.EnvToken), Author: "alice@laptop", Timeout: 20 * time.Second}})
	if err != nil {
		return nil, err
	}
	st.Tokens = NewMemory()
	return st, nil
}

// pauseHook returns a Hook that, the n-th time step at is passed, prints
// "paused" and waits to be killed.
func pauseHook(at Step, n int) func(Step) {
	seen := 0
	return func(s Step) {
		if s != at {
			return
		}
		if seen++; seen == n {
			fmt.Println("paused", s)
			select {}
		}
	}
}

// runVaultHelper runs the Vault helper actions of the kill tests in a
// child process: vault-op runs HELPER_OP on the store of HELPER_DIR,
// vault-move migrates it, pausing at HELPER_PAUSE_AT (the
// HELPER_PAUSE_N-th time) until killed.
func runVaultHelper(action string) (int, bool) {
	n, _ := strconv.Atoi(os.Getenv("HELPER_PAUSE_N"))
	hook := pauseHook(Step(os.Getenv("HELPER_PAUSE_AT")), max(n, 1))
	dir, folder := os.Getenv("HELPER_DIR"), os.Getenv("HELPER_FOLDER")
	var err error
	switch action {
	case "vault-op":
		var st *Store
		if st, err = openVaultPlain(dir, folder); err != nil {
			break
		}
		st.Hook = hook
		for _, o := range vaultOps {
			if o.name == os.Getenv("HELPER_OP") {
				err = o.run(st)
			}
		}
	case "vault-move":
		err = runMoveHelper(dir, folder, hook)
	default:
		return 0, false
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1, true
	}
	fmt.Println("done")
	return 0, true
}

// stepsOf runs f with a recording hook and returns how often it passed
// each step.
func stepsOf(t *testing.T, f func(hook func(Step)) error) map[Step]int {
	t.Helper()
	counts := map[Step]int{}
	if err := f(func(s Step) { counts[s]++ }); err != nil {
		t.Fatalf("dry run: %v", err)
	}
	return counts
}

// killAt runs the helper action with env, waits until it pauses at step
// (the n-th time), and kills it with SIGKILL. It reports whether the
// helper paused (false: it finished without reaching the step).
func killAt(t *testing.T, action string, step Step, n int, env ...string) bool {
	t.Helper()
	cmd := helperCmd(t, action, append(env, "HELPER_PAUSE_AT="+string(step), "HELPER_PAUSE_N="+strconv.Itoa(n))...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	paused := false
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "paused") {
			paused = true
			_ = cmd.Process.Signal(syscall.SIGKILL)
			break
		}
	}
	err = cmd.Wait()
	if !paused && err != nil {
		t.Fatalf("%s did not pause at %s and failed: %v: %s", action, step, err, stderr.String())
	}
	return paused
}

// TestVaultKillAtEveryStep kills a process after each write step of every
// change (add, replace, secret change, renames, delete, destroy, test
// recording): another process then sees exactly the state before or the
// state after, every credential one pair (its description marker is its
// secret's), the teammate's credential untouched unless the change was
// about it; doctor finds what is left and --fix leaves a clean store with
// the same credentials.
func TestVaultKillAtEveryStep(t *testing.T) {
	vaulttest.Require(t)
	kills := 0
	for _, o := range vaultOps {
		t.Run(o.name, func(t *testing.T) {
			steps := stepsOf(t, func(hook func(Step)) error {
				folder, dir := vaulttest.Folder(t), t.TempDir()
				seedVault(t, folder, dir)
				st := openVaultStore(t, dir, folder, "alice@laptop", "")
				st.Hook = hook
				return o.run(st)
			})
			if len(steps) == 0 {
				t.Fatal("the op passed no step")
			}
			for step, count := range steps {
				for n := 1; n <= min(count, 2); n++ {
					folder, dir := vaulttest.Folder(t), t.TempDir()
					seedVault(t, folder, dir)
					if !killAt(t, "vault-op", step, n, "HELPER_DIR="+dir, "HELPER_FOLDER="+folder, "HELPER_OP="+o.name) {
						t.Fatalf("did not pause at %s #%d", step, n)
					}
					kills++
					observer := openVaultStore(t, t.TempDir(), folder, "carol@ci", "")
					got := vaultState(t, observer)
					if !maps.Equal(got, vaultBefore) && !maps.Equal(got, o.after) {
						t.Fatalf("killed at %s #%d: state %v, want %v or %v", step, n, got, vaultBefore, o.after)
					}
					if _, ok := o.after["b"]; ok && got["b"] != "b1" && o.after["b"] == "b1" {
						t.Fatalf("killed at %s #%d: the teammate's b is %q", step, n, got["b"])
					}
					// A teammate's next write of each credential must not bring
					// back what the killed write replaced (a renamed name).
					bob := openVaultStore(t, t.TempDir(), folder, "bob@desk", "")
					creds, err := bob.Catalog().List()
					if err != nil {
						t.Fatal(err)
					}
					for _, c := range creds {
						m := c.Description + "+"
						if _, err := bob.Change(context.Background(), c.Name, c.Revision, Change{Description: &m, Secret: map[string]string{"marker": m}}); err != nil {
							t.Fatalf("killed at %s #%d: the next write of %s: %v", step, n, c.Name, err)
						}
						got[c.Name] = m
					}
					if now := vaultState(t, observer); !maps.Equal(now, got) {
						t.Fatalf("killed at %s #%d: after the next writes: %v, want %v", step, n, now, got)
					}
					alice := openVaultStore(t, dir, folder, "alice@laptop", "")
					if _, err := alice.Repair(context.Background(), false); err != nil {
						t.Fatalf("killed at %s #%d: Repair: %v", step, n, err)
					}
					if h, err := alice.Check(context.Background()); err != nil || len(h.Unfinished)+len(h.Mismatched)+len(h.Orphans) != 0 {
						t.Fatalf("killed at %s #%d: Check after Repair: %+v, %v", step, n, h, err)
					}
					if after := vaultState(t, observer); !maps.Equal(after, got) {
						t.Fatalf("killed at %s #%d: Repair changed the state from %v to %v", step, n, got, after)
					}
				}
			}
		})
	}
	t.Logf("%d kills", kills)
}
