package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
	"github.com/credwiz/credwiz/store"
)

// TestShowLabelsAligned: with colour on, every value of show starts in
// the same column.
func TestShowLabelsAligned(t *testing.T) {
	e := newTestEnv(t)
	em := connectortest.NewSalesforce()
	defer em.Close()
	c, _ := connectors.Lookup("salesforce")
	args, stdin := addArgs(c, "sf", em.Values())
	if r := e.run(stdin, append(args, "--description", "aligned")...); r.code != 0 {
		t.Fatal(r.err)
	}
	ios, out, _ := testIO("")
	ios.OutTTY, ios.NoColor = true, false
	root := NewRoot(e.factory(ios))
	root.SetArgs([]string{"show", "sf"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	col := -1
	for _, l := range strings.Split(strings.TrimSpace(ansi.Strip(out.String())), "\n")[1:] {
		i := strings.Index(l, ": ")
		if i < 0 {
			continue
		}
		rest := l[i+1:]
		start := i + 1 + len(rest) - len(strings.TrimLeft(rest, " "))
		if col < 0 {
			col = start
		}
		if start != col {
			t.Errorf("value of %q starts at column %d, others at %d:\n%s", l[:i], start, col, ansi.Strip(out.String()))
		}
	}
}

// TestTestAllInColumns: test --all prints one row per credential with the
// connector in one column whatever the name's length.
func TestTestAllInColumns(t *testing.T) {
	e := newTestEnv(t)
	em := connectortest.NewDrift()
	defer em.Close()
	c, _ := connectors.Lookup("drift")
	for _, n := range []string{"a", "a-much-longer-name"} {
		args, stdin := addArgs(c, n, em.Values())
		if r := e.run(stdin, args...); r.code != 0 {
			t.Fatal(r.err)
		}
	}
	r := e.run("", "test", "--all")
	if r.code != 0 {
		t.Fatal(r.err)
	}
	col := -1
	for _, l := range strings.Split(strings.TrimSpace(r.out), "\n") {
		i := strings.Index(l, "drift")
		if col < 0 {
			col = i
		}
		if i != col {
			t.Errorf("rows not in columns:\n%s", r.out)
			break
		}
	}
}

func TestListNothingExpiring(t *testing.T) {
	e := newTestEnv(t)
	if err := putCredential(e.index(), store.Credential{Name: "x", Connector: "drift"}); err != nil {
		t.Fatal(err)
	}
	ios, _, errOut := testIO("")
	ios.OutTTY = true
	root := NewRoot(e.factory(ios))
	root.SetArgs([]string{"list", "--expiring-within", "14d"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	if got := errOut.String(); !strings.Contains(got, "No password expires within 14d (1 saved credential") {
		t.Errorf("list --expiring-within with nothing expiring says %q", got)
	}
	if got := emptyListText("", 0); !strings.Contains(got, "No credentials saved yet") {
		t.Error(got)
	}
}

// TestFailureAdviceFitsTheConnector: a saved Drift credential that is
// rejected is told to re-authenticate without talk of passwords; a
// Salesforce one with.
func TestFailureAdviceFitsTheConnector(t *testing.T) {
	e := newTestEnv(t)
	em := connectortest.NewDrift()
	defer em.Close()
	c, _ := connectors.Lookup("drift")
	v := em.Values()
	args, stdin := addArgs(c, "d", v)
	if r := e.run(stdin, args...); r.code != 0 {
		t.Fatal(r.err)
	}
	em.SetToken("drift-rotated-" + strings.Repeat("9", 20))
	r := e.run("", "test", "d")
	if r.code != 1 || !strings.Contains(flat(r.out), "If the secret was revoked or rotated, run: credwiz reauth d") || strings.Contains(r.out, "password") {
		t.Errorf("Drift failure advice:\n%s", r.out)
	}
	sf, _ := connectors.Lookup("salesforce")
	msg := failure(sf, "prod-sf", &connectors.Error{Class: connectors.ErrRejected, Code: "invalid_grant"})
	if !strings.Contains(msg, "If the password expired") {
		t.Errorf("Salesforce failure advice: %s", msg)
	}
}

func TestStoreAdviceNamesMigrate(t *testing.T) {
	e := newTestEnv(t)
	f := e.factory(nil)
	if got := fileAdvice(f); !strings.Contains(got, "--store file") {
		t.Errorf("before the first save: %q", got)
	}
	em := connectortest.NewDrift()
	defer em.Close()
	c, _ := connectors.Lookup("drift")
	args, stdin := addArgs(c, "d", em.Values())
	if r := e.run(stdin, args...); r.code != 0 {
		t.Fatal(r.err)
	}
	if kind, _ := e.index().Kind(); kind != store.KindFile && kind != "" {
		if got := fileAdvice(f); got != "credwiz migrate --to file" {
			t.Errorf("with %s recorded: %q", kind, got)
		}
	}
	if h := (&store.UnavailableError{Reason: store.ReasonNoService}).Hint(); !strings.Contains(h, "credwiz migrate --to file") {
		t.Errorf("keychain hint: %s", h)
	}
}
