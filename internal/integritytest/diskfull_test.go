//go:build linux

package integritytest

import (
	"fmt"
	"maps"
	"path/filepath"
	"testing"

	"github.com/credwiz/credwiz/internal/testenv"
)

// diskScenarios are the commands whose file writes the disk-full test
// makes fail in turn.
var diskScenarios = []string{"add", "edit", "edit-rename", "reauth", "rm", "test", "doctor-fix"}

// TestDiskFull puts A's config dir on a small tmpfs and, for each command
// and each k, fills the tmpfs right before the command opens its k-th new
// file there (a temporary file of the index, or of an item of the
// encrypted file store in its secrets directory; an open gate holds the
// process until the tmpfs is full), so that every file write of the
// command fails in turn. After each: the command either
// failed (exit 1) with the state before it, or finished after its commit
// point (exit 0, with a warning) with the state after it; the credentials
// work while the disk is still full; and, once there is space again, the
// whole check (world.check) holds. -short: three commands.
// Exit 1 must mean "nothing changed", as for add and edit, whose failures
// after the commit point are warnings with exit 0.
func TestDiskFull(t *testing.T) {
	t.Parallel()
	for _, kind := range []testenv.StoreKind{testenv.Keychain, testenv.File} {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			diskFull(t, kind)
		})
	}
}

func diskFull(t *testing.T, kind testenv.StoreKind) {
	mnt := testenv.Tmpfs(t, 2<<20)
	cfg := filepath.Join(mnt, "config")
	w := newWorld(t, kind, worldOptions{configDir: cfg})
	snaps := bases(t, w)
	filler := testenv.NewFiller(filepath.Join(mnt, "filler"))
	gate := testenv.NewOpenGate(t, cfg, isTemp)
	cases, failedBefore, savedAfter := 0, 0, 0
	for i, name := range diskScenarios {
		if testing.Short() && i >= 3 {
			break
		}
		sc := scenarioNamed(t, name)
		t.Run(name, func(t *testing.T) {
			before := stateOf[sc.base]
			after := sc.after(before)
			cmd := sc.cmd(w)
			w.restore(t, snaps[sc.base])
			gate.Reset()
			if r := w.a.In(t).RunCmd(cmd); r.Code != 0 {
				t.Fatalf("with space: want exit 0:\n%s", r)
			}
			writes := gate.Opens()
			if len(writes) == 0 {
				t.Fatalf("the command opened no new file in the config dir: is the gate working?")
			}
			t.Logf("%s opens %d new files: %v", name, len(writes), writes)
			for k := 1; k <= len(writes); k++ {
				t.Run(fmt.Sprintf("full-before-write-%d", k), func(t *testing.T) {
					w.restore(t, snaps[sc.base])
					gate.Reset()
					gate.Before(k, func() {
						if err := filler.Fill(); err != nil {
							t.Errorf("fill the tmpfs: %v", err)
						}
					})
					r := w.a.In(t).RunCmd(cmd)
					opened := gate.Opens()
					gate.Reset()
					cases++
					want := after
					switch {
					case len(opened) < k:
						t.Errorf("the command opened %d new files this time, not %d: the disk never filled", len(opened), k)
					case r.Code == 0:
						savedAfter++
					default:
						failedBefore++
						want = before
					}
					t.Logf("full before write %d of %d: exit %d\n%s", k, len(writes), r.Code, r)
					if got := w.observe(t).st; !maps.Equal(got, want) {
						t.Errorf("exit %d on a full disk, and the credentials are %v; want %v", r.Code, got, want)
					}
					if len(want) > 0 {
						if tr := w.a.In(t).Run("", "test", "--all"); tr.Code != 0 {
							t.Errorf("the credentials do not work on the full disk:\n%s", tr)
						}
					}
					if err := filler.Release(); err != nil {
						t.Fatal(err)
					}
					w.check(t, checkOptions{works: true}, want)
				})
			}
		})
	}
	t.Logf("%s store: %d disk-full cases: %d failed with the state before, %d saved past their commit point", kind, cases, failedBefore, savedAfter)
}

// scenarioNamed returns the scenario called name.
func scenarioNamed(t *testing.T, name string) scenario {
	t.Helper()
	for _, sc := range scenarios {
		if sc.name == name {
			return sc
		}
	}
	t.Fatalf("no scenario %q", name)
	return scenario{}
}
