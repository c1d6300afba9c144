//go:build linux

package integritytest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/credwiz/credwiz/internal/testenv"
)

// recorder is a testing.TB that records errors instead of failing, to
// check that the checks fail when they should.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *recorder) Error(args ...any) { r.errs = append(r.errs, fmt.Sprint(args...)) }
func (r *recorder) Helper()           {}

// failedWith reports whether an error holding text was recorded.
func (r *recorder) failedWith(text string) bool {
	return slices.ContainsFunc(r.errs, func(e string) bool { return strings.Contains(e, text) })
}

// TestCheckCatches breaks a world's state by hand in each way the kill
// and disk-full tests look for, and checks that world.check (and its
// parts) report it.
func TestCheckCatches(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testenv.Keychain, worldOptions{})
	w.seed(state{"ka": {"first", "rev-1"}}, "ka")
	good := w.save(t)
	ix := testenv.ReadIndex(t, w.a.ConfigDir)
	ka, _ := ix.Get("ka")
	want := state{"ka": {"first", "rev-1"}}

	t.Run("clean", func(t *testing.T) {
		r := &recorder{TB: t}
		w.check(r, checkOptions{works: true}, want)
		if len(r.errs) > 0 {
			t.Errorf("a clean world fails the check: %q", r.errs)
		}
	})
	for _, c := range []struct {
		name, want string
		breakIt    func()
	}{
		{"not one pair", "NOT ONE PAIR", func() {
			w.a.Keyring.Put(t, testenv.Item{Service: testenv.SecretService, Account: "ka",
				Owner: testenv.Owner{Dir: ix.ID, Rev: ka.SecretRevision}, Values: w.secretOf("rev-0")})
		}},
		{"an item of another revision", "has owner", func() {
			w.a.Keyring.Put(t, testenv.Item{Service: testenv.SecretService, Account: "ka",
				Owner: testenv.Owner{Dir: ix.ID, Rev: ka.SecretRevision + 5}, Values: w.secretOf("rev-1")})
		}},
		{"a secret gone", "is missing", func() {
			w.a.Keyring.Remove(t, testenv.SecretService, "ka")
		}},
		{"another state", "neither the state before nor the one after", func() {
			w.must(w.editCmd("ka", "", "changed", "rev-5"))
		}},
		{"the other config dir touched", "the other config dir's items changed", func() {
			w.a.Keyring.Remove(t, testenv.TokenService, "ob")
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			w.restore(t, good)
			c.breakIt()
			r := &recorder{TB: t}
			w.check(r, checkOptions{keepLeftovers: true}, want)
			if !r.failedWith(c.want) {
				t.Errorf("the check did not report %q; it reported %q", c.want, r.errs)
			}
		})
	}
	t.Run("leftovers", func(t *testing.T) {
		w.restore(t, good)
		staged := fmt.Sprintf("ka#r%d@%s", ka.Revision+1, ix.ID)
		w.a.Keyring.Put(t, testenv.Item{Service: testenv.SecretService, Account: staged,
			Owner: testenv.Owner{Dir: ix.ID, Rev: ka.Revision + 1}, Values: w.secretOf("rev-2")})
		w.a.Keyring.Put(t, testenv.Item{Service: testenv.TokenService, Account: "gone",
			Owner: testenv.Owner{Dir: ix.ID, Rev: 1}, Values: map[string]string{"access_token": "x"}})
		orphans, _, _, foreign := leftovers(w.observe(t), w.a.ConfigDir)
		if !slices.Equal(orphans, []string{"cached token gone", "secret " + staged}) {
			t.Errorf("leftovers = %q", orphans)
		}
		if len(foreign) != 3 {
			t.Errorf("foreign = %q, want B's three items", foreign)
		}
		// doctor reports them and --fix removes them: the check passes.
		w.check(t, checkOptions{}, want)
	})
	w.restore(t, good)
}
