package ui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
	"github.com/credwiz/credwiz/store"
)

// brokenSecrets is a secret store whose writes fail while broken is set,
// as on a full disk, and whose reads fail too while unreadable is set, as
// with a FIFO in place of the store's directory.
type brokenSecrets struct {
	store.Secrets
	broken, unreadable bool
}

var errDiskFull = errors.New("no space left on the device")

func (b *brokenSecrets) Get(account string) (store.Item, error) {
	if b.unreadable {
		return store.Item{}, errDiskFull
	}
	return b.Secrets.Get(account)
}

func (b *brokenSecrets) Set(account string, it store.Item) error {
	if b.broken {
		return errDiskFull
	}
	return b.Secrets.Set(account, it)
}

func (b *brokenSecrets) Delete(account string) error {
	if b.broken {
		return errDiskFull
	}
	return b.Secrets.Delete(account)
}

// TestFailedWriteSaysItsPrefixOnce: a failed add, edit or rm names the
// credential and what was (not) done once, not "save "x": save "x": …".
func TestFailedWriteSaysItsPrefixOnce(t *testing.T) {
	e := newTestEnv(t)
	sec := &brokenSecrets{Secrets: e.secrets}
	e.open = func(o store.Options) (*store.Store, error) {
		return &store.Store{Index: store.NewIndex(o.Dir), Secrets: sec, Tokens: e.tokens, Kind: store.KindMemory}, nil
	}
	em := connectortest.NewDrift()
	t.Cleanup(em.Close)
	c, _ := connectors.Lookup("drift")
	args, stdin := addArgs(c, "f1", em.Values())
	if r := e.run(stdin, append(args, "--no-test")...); r.code != 0 {
		t.Fatalf("add: exit %d: %s", r.code, r.err)
	}
	sec.broken = true
	args2, _ := addArgs(c, "f2", em.Values())
	for i, run := range []struct {
		stdin, twice string
		args         []string
	}{
		{stdin, `"f2"`, append(args2, "--no-test")},
		{"api_key=another-key-0123456789\n", `"f1"`, []string{"edit", "f1", "--secrets-stdin", "--no-test"}},
		{"", `delete "f1"`, []string{"rm", "f1", "--yes"}},
	} {
		sec.unreadable = i == 2
		r := e.run(run.stdin, run.args...)
		if r.code != 1 || !strings.Contains(r.err, "no space left") {
			t.Fatalf("%s: exit %d: %s", run.args[0], r.code, r.err)
		}
		if n := strings.Count(r.err, run.twice); n != 1 {
			t.Errorf("%s says %s %d times:\n%s", run.args[0], run.twice, n, r.err)
		}
	}
}

// TestCancelledTestPrintsNoRawContextError: SIGTERM (the context ending)
// while test waits for the vendor ends in "Cancelled." alone: no result
// line saying "context canceled", on a terminal or off one.
func TestCancelledTestPrintsNoRawContextError(t *testing.T) {
	e := newTestEnv(t)
	em := connectortest.NewDrift()
	t.Cleanup(em.Close)
	c, _ := connectors.Lookup("drift")
	args, stdin := addArgs(c, "slow", em.Values())
	if r := e.run(stdin, args...); r.code != 0 {
		t.Fatalf("add: exit %d: %s", r.code, r.err)
	}
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	for _, tty := range []bool{false, true} {
		ctx, cancel := context.WithCancel(context.Background())
		em.Rewrite(func(*http.Request, *connectortest.Answer) {
			cancel()
			select {
			case <-release:
			case <-time.After(10 * time.Second):
			}
		})
		ios, out, errOut := testIO("")
		ios.OutTTY = tty
		code := Main(ctx, e.factory(ios), []string{"test", "slow"})
		cancel()
		all := out.String() + errOut.String()
		if code != 130 || strings.Contains(all, "context canceled") || strings.TrimSpace(errOut.String()) != "Cancelled." {
			t.Errorf("test cancelled (terminal %v): exit %d, stdout %q, stderr %q; want exit 130 and only Cancelled.", tty, code, out.String(), errOut.String())
		}
	}
}

// TestDoctorClipsOtherItems: a keychain shared by many config dirs does
// not turn doctor's "Other items" line into a list of every name.
func TestDoctorClipsOtherItems(t *testing.T) {
	e := newTestEnv(t)
	em := connectortest.NewDrift()
	t.Cleanup(em.Close)
	c, _ := connectors.Lookup("drift")
	args, stdin := addArgs(c, "mine", em.Values())
	if r := e.run(stdin, append(args, "--no-test")...); r.code != 0 {
		t.Fatalf("add: exit %d: %s", r.code, r.err)
	}
	for i := range 12 {
		it := store.Item{Values: map[string]string{"api_key": "x"}, Owner: store.Owner{Dir: "another-dir", Rev: 1}}
		if err := e.secrets.Set(fmt.Sprintf("theirs%02d", i), it); err != nil {
			t.Fatal(err)
		}
	}
	r := e.run("", "doctor")
	var line string
	for _, l := range strings.Split(r.out, "\n") {
		if strings.Contains(l, "Other items") {
			line = l
		}
	}
	if !strings.Contains(line, "12 items") || !strings.Contains(line, "theirs00") || !strings.HasSuffix(line, "7 more") || strings.Contains(line, "theirs11") {
		t.Errorf("doctor's Other items line = %q; want 12 items, the first 5 named, then 7 more", line)
	}
}
