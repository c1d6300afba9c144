//go:build linux

package integritytest

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/credwiz/credwiz/connectors/connectortest"
	"github.com/credwiz/credwiz/internal/testenv"
)

// Each reproduction of a failure that made credwiz adopt its write
// protocol, as a test. They read credwiz only as a user can (see
// public_test.go).

// slow is the vendor latency that keeps a live test running while the
// second command of a race runs.
const slow = 3 * time.Second

// waitRequests waits until em has received at least n requests more than
// before (the slow command is now inside its live test).
func waitRequests(t *testing.T, em connectortest.Emulator, before, n int, p *testenv.Proc) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for len(em.Requests()) < before+n {
		select {
		case <-p.Done():
			t.Fatalf("the first command ended before the vendor saw its request:\n%s", p.Wait())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the vendor did not see the first command's request within a minute; stderr: %s", p.Stderr())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestReproFullDiskEdit: an edit of description and secret on a full
// disk fails and leaves the old pair, which still works; doctor finds
// nothing to repair but what it can finish.
func TestReproFullDiskEdit(t *testing.T) {
	t.Parallel()
	mnt := testenv.Tmpfs(t, 1<<20)
	w := newWorld(t, testenv.Keychain, worldOptions{configDir: filepath.Join(mnt, "config"), noB: true})
	w.must(w.addCmd("kk", "rev-1", "rev-1"))
	f := testenv.NewFiller(filepath.Join(mnt, "filler"))
	if err := f.Fill(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Release() })
	r := w.a.RunCmd(w.editCmd("kk", "", "changed", "rev-2"))
	t.Logf("the edit on a full disk:\n%s", r)
	if r.Code == 0 {
		t.Errorf("the edit says it saved on a full disk:\n%s", r)
	}
	if m := secretMarker(t, w.a, "kk"); r.Code != 0 && m != "rev-1" {
		t.Errorf("the failed edit replaced the secret: the keychain holds %q, want the old rev-1", m)
	}
	if l := list(t, w.a)["kk"]; l.Description != "rev-1" {
		t.Errorf("the failed edit changed the description to %q", l.Description)
	}
	if r := w.a.Run("", "test", "kk"); r.Code != 0 {
		t.Errorf("the old pair does not work after the failed edit (disk still full):\n%s", r)
	}
	if err := f.Release(); err != nil {
		t.Fatal(err)
	}
	if r := w.a.Run("", "doctor", "--fix"); r.Code != 0 {
		t.Errorf("doctor --fix:\n%s", r)
	}
	if m := onePair(t, w.a, "kk"); m != "rev-1" {
		t.Errorf("after doctor --fix kk is %q, want rev-1", m)
	}
	if r := w.a.Run("", "test", "kk"); r.Code != 0 {
		t.Errorf("the old pair does not work:\n%s", r)
	}
}

// TestReproKilledEdit: 30 edits of description and secret, each SIGKILLed
// at a random moment; after each and doctor --fix, the description's
// marker and the keychain's are one pair, and the credential works.
func TestReproKilledEdit(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testenv.Keychain, worldOptions{noB: true})
	w.must(w.addCmd("kk", "rev-1", "rev-1"))
	first := w.a.RunCmd(w.editCmd("kk", "", "rev-2", "rev-2"))
	if first.Code != 0 {
		t.Fatalf("edit:\n%s", first)
	}
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 1))
	cur := "rev-2"
	mismatches := 0
	for i := 3; i < 33; i++ {
		next := "rev-" + strconv.Itoa(i)
		p := w.a.Start(w.editCmd("kk", "", next, next))
		select {
		case <-p.Done():
		case <-time.After(time.Duration(rng.Int64N(int64(first.Dur) * 3 / 2))):
			p.Kill()
		}
		r := p.Wait()
		if !r.Killed() && r.Code != 0 {
			t.Fatalf("edit %s:\n%s", next, r)
		}
		_ = w.a.Run("", "doctor", "--fix")
		l := list(t, w.a)["kk"]
		sec := secretMarker(t, w.a, "kk")
		if l.Description != testenv.Marker(l.Fields["client_id"]) || sec != l.Description {
			mismatches++
			t.Errorf("kill %d (seed %d): description %q, client ID %q, keychain secret %q: not one pair",
				i-2, seed, l.Description, testenv.Marker(l.Fields["client_id"]), sec)
		}
		if l.Description != cur && l.Description != next {
			t.Errorf("kill %d: the credential is %q, neither before (%s) nor after (%s)", i-2, l.Description, cur, next)
		}
		cur = l.Description
		if r := w.a.Run("", "test", "kk"); r.Code != 0 {
			t.Errorf("kill %d: the credential does not work:\n%s", i-2, r)
		}
	}
	t.Logf("30 kills, %d pairs broken", mismatches)
}

// TestReproEncodingFailure: a vendor answer that credwiz cannot record
// (a Drift token lifetime of 1e308 ms) must not leave a new secret under
// old metadata.
func TestReproEncodingFailure(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"access_token":"x","authenticated_userid":"orgId:1","credential_id":"app-1","token_type":"bearer","expires_in":1e308,"created_at":1e308,"scope":"user_read"}`)
	}))
	t.Cleanup(srv.Close)
	sb := testenv.New(t, testenv.Options{})
	add := func(args []string, m string) testenv.Result {
		return sb.RunCmd(testenv.Cmd{Args: args, Stdin: "api_key=" + testenv.Mark("key", m) + "\n"})
	}
	if r := add([]string{"add", "drift", "--name", "dr", "--description", "rev-1", "--field", "base_url=" + srv.URL, "--secrets-stdin", "--no-test"}, "rev-1"); r.Code != 0 {
		t.Fatalf("add:\n%s", r)
	}
	r := add([]string{"edit", "dr", "--description", "rev-2", "--secrets-stdin"}, "rev-2")
	t.Logf("the edit with the odd answer:\n%s", r)
	m := onePair(t, sb, "dr")
	if r.Code != 0 && m != "rev-1" {
		t.Errorf("the failed edit left %q; want the old pair rev-1", m)
	}
	if r.Code == 0 && m != "rev-2" {
		t.Errorf("the edit said it saved, but the credential is %q", m)
	}
}

// TestReproDoctorForeignItem: doctor --fix never deletes an item of
// another config dir sharing the keychain, whatever an interrupted add
// left in this one.
func TestReproDoctorForeignItem(t *testing.T) {
	t.Parallel()
	for _, how := range []string{"journal", "kill"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, testenv.Keychain, worldOptions{noB: true})
			b := testenv.New(t, testenv.Options{Keyring: w.a.Keyring})
			switch how {
			case "journal":
				// What an add of kk2 killed before its keychain write left in
				// the index format before the protocol: the name journaled.
				if err := os.MkdirAll(w.a.ConfigDir, 0o700); err != nil {
					t.Fatal(err)
				}
				doc := `{"version":1,"store":"keychain","credentials":[],"pending_secrets":["kk2"]}` + "\n"
				if err := os.WriteFile(filepath.Join(w.a.ConfigDir, testenv.IndexFileName), []byte(doc), 0o600); err != nil {
					t.Fatal(err)
				}
			case "kill":
				if _, paused := w.a.KillAt("id-committed", 1, w.addCmd("kk2", "A's", "a-1")); !paused {
					t.Fatal("the add of kk2 did not pause at id-committed")
				}
			}
			c := w.addCmd("kk2", "B's", "b-1")
			if r := b.RunCmd(c); r.Code != 0 {
				t.Fatalf("B's add:\n%s", r)
			}
			r := w.a.Run("", "doctor", "--fix")
			t.Logf("A's doctor --fix:\n%s", r)
			if m := secretMarker(t, b, "kk2"); m != "b-1" {
				t.Errorf("after A's doctor --fix, the keychain's kk2 is %q, want B's b-1\n%s", m, r)
			}
			if r := b.Run("", "test", "kk2"); r.Code != 0 {
				t.Errorf("B's credential is broken:\n%s", r)
			}
		})
	}
}

// TestReproTestThenEdit: test NAME runs while NAME is edited (new client
// ID and secret, no test): the test must not certify the edited values,
// nor cache the token it got with the old secret.
func TestReproTestThenEdit(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testenv.Keychain, worldOptions{noB: true})
	w.must(w.addCmd("k", "d", "rev-1"))
	w.em.Faults().Delay(slow)
	n := len(w.em.Requests())
	p := w.a.Start(testenv.Cmd{Args: []string{"test", "k"}})
	waitRequests(t, w.em, n, 1, p)
	if r := w.a.RunCmd(w.editCmd("k", "", "d", "rev-2")); r.Code != 0 {
		t.Fatalf("the edit during the test:\n%s", r)
	}
	tr := p.Wait()
	w.em.Faults().Delay(0)
	t.Logf("the test that ran during the edit:\n%s", tr)
	if l := list(t, w.a)["k"]; l.LastTest != nil && l.LastTest.OK {
		t.Errorf("list shows a pass for k's edited values, which were never tested")
	}
	issued := w.em.TokensIssued()
	if r := w.a.Run("", "token", "k"); r.Code != 0 {
		t.Fatalf("token:\n%s", r)
	}
	if w.em.TokensIssued() == issued {
		t.Errorf("token k printed a cached token: the one the test got with the old secret, not one of the edited values")
	}
}

// TestReproReauthThenRm: rm NAME during reauth NAME's live test; the
// credential must stay deleted.
func TestReproReauthThenRm(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testenv.Keychain, worldOptions{noB: true})
	w.must(w.addCmd("k", "d", "rev-1"))
	w.em.Faults().Delay(slow)
	n := len(w.em.Requests())
	p := w.a.Start(w.reauthCmd("k", "rev-2"))
	waitRequests(t, w.em, n, 1, p)
	rm := w.a.Run("", "rm", "k", "--yes")
	if rm.Code != 0 || !strings.Contains(rm.Stderr, "Deleted") {
		t.Fatalf("rm during the reauth:\n%s", rm)
	}
	rr := p.Wait()
	w.em.Faults().Delay(0)
	t.Logf("the reauth that ran during rm:\n%s", rr)
	if _, ok := list(t, w.a)["k"]; ok {
		t.Errorf("k is listed again after rm said it was deleted (the reauth: exit %d)", rr.Code)
	}
	if svcs := hasItems(t, w.a, "k"); len(svcs) > 0 {
		t.Errorf("k's items are back in the keychain after rm: %v", svcs)
	}
}

// TestReproSlowEditThenDescription: an edit of a field whose live test is
// slow, and meanwhile an edit of the description: neither change is lost.
func TestReproSlowEditThenDescription(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testenv.Keychain, worldOptions{noB: true})
	w.must(w.addCmd("k", "A", "rev-1"))
	other := testenv.MarkedFront(t, w.em.URL())
	w.em.Faults().Delay(slow)
	n := len(w.em.Requests())
	p := w.a.Start(testenv.Cmd{Args: []string{"edit", "k", "--field", "base_url=" + other}})
	waitRequests(t, w.em, n, 1, p)
	if r := w.a.Run("", "edit", "k", "--description", "B"); r.Code != 0 {
		t.Fatalf("the description edit:\n%s", r)
	}
	er := p.Wait()
	w.em.Faults().Delay(0)
	t.Logf("the slow edit:\n%s", er)
	l := list(t, w.a)["k"]
	if l.Description != "B" {
		t.Errorf("the description is %q: the edit to B was lost (the slow edit: exit %d)", l.Description, er.Code)
	}
	want := w.url
	if er.Code == 0 {
		want = other
	}
	if l.Fields["base_url"] != want {
		t.Errorf("base_url is %q, want %q (the slow edit exited %d)", l.Fields["base_url"], want, er.Code)
	}
}

// TestReproTestAllThenRm: rm r2 while test --all runs: r2's cached token
// must not be left in the keychain, nor kept by doctor --fix.
func TestReproTestAllThenRm(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testenv.Keychain, worldOptions{noB: true})
	w.must(w.addCmd("r1", "d", "rev-1"))
	w.must(w.addCmd("r2", "d", "rev-2"))
	w.em.Faults().Delay(slow)
	n := len(w.em.Requests())
	p := w.a.Start(testenv.Cmd{Args: []string{"test", "--all"}})
	waitRequests(t, w.em, n, 2, p)
	if r := w.a.Run("", "rm", "r2", "--yes"); r.Code != 0 {
		t.Fatalf("rm r2:\n%s", r)
	}
	tr := p.Wait()
	w.em.Faults().Delay(0)
	t.Logf("test --all:\n%s", tr)
	if _, ok := w.a.Keyring.Lookup(t, testenv.TokenService, "r2"); ok {
		t.Errorf("r2's cached token is in the keychain after rm r2")
	}
	_ = w.a.Run("", "doctor", "--fix")
	if _, ok := w.a.Keyring.Lookup(t, testenv.TokenService, "r2"); ok {
		t.Errorf("doctor --fix kept r2's cached token")
	}
}

// TestReproUntestedChange: edit --no-test of a secret or a connection
// field drops the pass from list, list --json and show --json.
func TestReproUntestedChange(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testenv.Keychain, worldOptions{noB: true})
	for _, c := range []struct {
		name string
		edit testenv.Cmd
	}{
		{"secret", w.editCmd("ks", "", "d", "rev-2")},
		{"field", testenv.Cmd{Args: []string{"edit", "kf", "--field", "base_url=" + testenv.MarkedFront(t, w.em.URL()), "--no-test"}}},
	} {
		name := "k" + c.name[:1]
		w.must(w.addCmd(name, "d", "rev-1"))
		if l := list(t, w.a)[name]; l.LastTest == nil || !l.LastTest.OK || !strings.HasPrefix(lastTestColumn(t, w.a, name), "ok ") {
			t.Fatalf("%s: the add's test is not shown as passed", name)
		}
		w.must(c.edit)
		if l := list(t, w.a)[name]; l.LastTest != nil && l.LastTest.OK {
			t.Errorf("edit --no-test of a %s: list --json still shows the pass", c.name)
		}
		r := w.a.Run("", "show", name, "--json")
		if strings.Contains(strings.ReplaceAll(r.Stdout, " ", ""), `"last_test":{"at"`) && strings.Contains(r.Stdout, `"ok":true`) {
			t.Errorf("edit --no-test of a %s: show --json still shows the pass:\n%s", c.name, r)
		}
		if col := lastTestColumn(t, w.a, name); col != "untested-change" {
			t.Errorf("edit --no-test of a %s: list's last-test column is %q, want untested-change (a terminal shows \"not tested since the change\")", c.name, col)
		}
	}
}

// lastTestColumn returns the last-test column of name's line of list
// (not a terminal: tab-separated columns).
func lastTestColumn(t *testing.T, sb *testenv.Sandbox, name string) string {
	t.Helper()
	r := sb.Run("", "list")
	for _, line := range strings.Split(r.Stdout, "\n") {
		cols := strings.Split(line, "\t")
		if len(cols) >= 5 && cols[0] == name {
			return cols[4]
		}
	}
	t.Fatalf("list has no line for %s:\n%s", name, r)
	return ""
}

// TestReproLockWait: waiting for the index lock ends at SIGTERM and
// SIGINT (exit 130, nothing saved), and says after a second what it
// waits for.
func TestReproLockWait(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testenv.Keychain, worldOptions{noB: true})
	w.must(w.addCmd("k1", "d", "rev-1"))
	hold := func(t *testing.T) (release func()) {
		path := filepath.Join(w.a.ConfigDir, testenv.IndexFileName+".lock")
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
			t.Fatal(err)
		}
		_ = f.Truncate(0)
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
		return func() { _ = unix.Flock(int(f.Fd()), unix.LOCK_UN); f.Close() }
	}
	pid := strconv.Itoa(os.Getpid())
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			release := hold(t)
			defer release()
			p := w.a.Start(w.addCmd("k2", "d", "rev-2", "--no-test"))
			// Wait until it says whom it waits for, or for 5 s if it never
			// says (that is TestReproLockWait/message's failure).
			p.WaitStderr(pid, 5*time.Second)
			p.Signal(sig)
			// A wait that ignores the signal goes on until the lock is free
			// (then saves) or its own 30 s timeout; one that honours it ends
			// at once. 20 s is a hang detector, not a measurement.
			select {
			case <-p.Done():
			case <-time.After(20 * time.Second):
				t.Errorf("%s while waiting for the lock: credwiz is still waiting 20 s later; releasing the lock", sig)
			}
			release()
			r := p.Wait()
			if r.Code != 130 {
				t.Errorf("%s while waiting for the lock: want exit 130:\n%s", sig, r)
			}
			if _, ok := list(t, w.a)["k2"]; ok {
				t.Errorf("k2 was saved although the command was cancelled")
			}
			if svcs := hasItems(t, w.a, "k2"); len(svcs) > 0 {
				t.Errorf("k2 has items in %v although the command was cancelled", svcs)
			}
		})
	}
	t.Run("message", func(t *testing.T) {
		release := hold(t)
		defer release()
		p := w.a.Start(w.addCmd("k3", "d", "rev-3", "--no-test"))
		said := p.WaitStderr(pid, 10*time.Second)
		p.Kill()
		r := p.Wait()
		if !said {
			t.Errorf("after 10 s of waiting for the lock, credwiz has not said what it waits for (the holder, pid %s):\n%s", pid, r)
		}
	})
}

// TestReproTestAllBatched: test --all records the results of 40
// credentials in one replacement of credentials.json (or a few).
func TestReproTestAllBatched(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testenv.Keychain, worldOptions{noB: true})
	const n = 40
	var names []string
	for i := range n {
		name := fmt.Sprintf("c%02d", i)
		names = append(names, name)
		w.must(w.addCmd(name, "d", "rev-1", "--no-test"))
	}
	watch := testenv.WatchDir(t, w.a.ConfigDir)
	before := watch.Moved(t, testenv.IndexFileName)
	r := w.a.Run("", "test", "--all")
	if r.Code != 0 {
		t.Fatalf("test --all:\n%s", r)
	}
	writes := watch.Moved(t, testenv.IndexFileName) - before
	t.Logf("test --all of %d credentials replaced %s %d times", n, testenv.IndexFileName, writes)
	if writes == 0 || writes > 2 {
		t.Errorf("test --all of %d credentials replaced %s %d times; want once (one transaction)", n, testenv.IndexFileName, writes)
	}
	ls := list(t, w.a)
	for _, name := range names {
		if l := ls[name]; l.LastTest == nil || !l.LastTest.OK {
			t.Errorf("%s: no pass recorded", name)
		}
	}
}
