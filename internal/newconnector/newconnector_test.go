// Package newconnector proves that a new connector is its own file, its
// emulator and its tests, with no edit anywhere else: acme_test.go
// declares a connector the rest of credwiz has never heard of and
// acme_emulator_test.go its emulator, each registering itself; this file
// runs the conformance suite, the bad-input table and the wizard's forms
// over it, through the same code paths as the built-in connectors.
package newconnector

import (
	"bytes"
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
	"github.com/credwiz/credwiz/connectors/connectortest/conformance"
	"github.com/credwiz/credwiz/internal/badinput"
	"github.com/credwiz/credwiz/store"
	"github.com/credwiz/credwiz/ui"
)

func acme(t *testing.T) *connectors.Connector {
	t.Helper()
	c, ok := connectors.Lookup("acme")
	if !ok {
		t.Fatal("the acme connector is not registered")
	}
	return c
}

func TestRegisteredAfterTheBuiltIns(t *testing.T) {
	all := connectors.All()
	if len(all) < 2 || all[len(all)-1].ID != "acme" {
		t.Fatalf("All() does not end with acme: %d connectors", len(all))
	}
	if connectortest.New("acme") == nil {
		t.Fatal("no emulator for acme")
	}
}

func TestConformance(t *testing.T) {
	conformance.Run(t, acme(t))
}

// machine is one config dir with in-memory secret and token stores,
// shared by every command run on it.
type machine struct {
	t               *testing.T
	dir             string
	secrets, tokens *store.Memory
}

func newMachine(t *testing.T) *machine {
	return &machine{t: t, dir: t.TempDir(), secrets: store.NewMemory(), tokens: store.NewMemory()}
}

// run runs credwiz args in process, as main does; with p set, at a
// terminal whose questions p answers.
func (m *machine) run(p ui.Prompter, stdin string, args ...string) (code int, stdout, stderr string) {
	m.t.Helper()
	var out, errOut bytes.Buffer
	io := &ui.IOStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut, NoColor: true,
		Width: func() int { return 80 }, InTTY: p != nil, ErrTTY: p != nil}
	f := &ui.Factory{
		IO:         io,
		Version:    "test",
		Now:        time.Now,
		Getenv:     func(k string) string { return map[string]string{"CREDWIZ_CONFIG_DIR": m.dir}[k] },
		Environ:    func() []string { return nil },
		Connectors: connectors.All,
		OpenStore: func(o store.Options) (*store.Store, error) {
			return &store.Store{Index: store.NewIndex(o.Dir), Secrets: m.secrets, Tokens: m.tokens, Kind: store.KindMemory}, nil
		},
		Timeout:  5 * time.Second,
		Prompter: p,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code = ui.Main(ctx, f, args)
	return code, out.String(), errOut.String()
}

// snapshot is every file of the config dir and every stored item.
func (m *machine) snapshot() map[string]string {
	snap := map[string]string{}
	files, _ := filepath.Glob(filepath.Join(m.dir, "*"))
	for _, p := range files {
		if strings.HasSuffix(p, ".lock") {
			continue
		}
		b, _ := os.ReadFile(p)
		snap[p] = string(b)
	}
	for svc, s := range map[string]*store.Memory{"secret": m.secrets, "token": m.tokens} {
		items, _ := s.List()
		for _, l := range items {
			it, _ := s.Get(l.Account)
			for k, v := range it.Values {
				snap[svc+":"+l.Account+":"+k] = v
			}
		}
	}
	return snap
}

// TestBadInput runs the bad-input table of every field in process: each
// refused value exits 2 naming the field and changes nothing; each
// accepted one is saved as it should be.
func TestBadInput(t *testing.T) {
	c := acme(t)
	em := connectortest.New(c.ID)
	defer em.Close()
	good := em.Values()
	for i, bc := range badinput.Cases(c, good) {
		t.Run(bc.Name, func(t *testing.T) {
			t.Parallel()
			m := newMachine(t)
			args, stdin := badinput.ScriptedAdd(c, badinput.Existing(c), badinput.BaseInput(c, good))
			if code, _, errOut := m.run(nil, stdin, append(args, "--no-test")...); code != 0 {
				t.Fatalf("add %s: exit %d: %s", badinput.Existing(c), code, errOut)
			}
			name := "bi-" + string(rune('a'+i%26)) + string(rune('a'+i/26))
			args, stdin = bc.Command(name)
			before := m.snapshot()
			code, out, errOut := m.run(nil, stdin, args...)
			bc.Check(t, code, out, errOut)
			if bc.Want != 0 {
				if !maps.Equal(before, m.snapshot()) {
					t.Error("a refused command changed the config dir or the stores")
				}
				return
			}
			fd, _ := c.Field(bc.Field)
			got := ""
			if fd.Secret {
				it, _ := m.secrets.Get(name)
				got = it.Values[bc.Field]
			} else if cred, err := store.NewIndex(m.dir).Get(name); err == nil {
				got = cred.Fields[bc.Field]
			}
			if got != bc.Stored {
				t.Errorf("saved %s = %q…; want %q…", bc.Field, got[:min(len(got), 12)], bc.Stored[:min(len(bc.Stored), 12)])
			}
		})
	}
}

// answerer is a Prompter that answers every question of the forms from
// values, by key, as an operator would type them.
type answerer struct {
	t     *testing.T
	set   map[string]string // answers by question key
	pages []string          // the pages asked, by ID
}

func (a *answerer) Ask(p *ui.Page) error {
	a.t.Helper()
	a.pages = append(a.pages, p.ID)
	for _, q := range p.Questions {
		v, ok := a.set[q.Key]
		switch {
		case q.Kind == ui.KindNote:
		case q.Kind == ui.KindConfirm:
			*q.Yes = v == "yes"
		case !ok:
			a.t.Fatalf("page %s asks %s (%s), which the test does not answer", p.ID, q.Key, q.Title)
		case q.Kind == ui.KindSelect && !slices.ContainsFunc(q.Options, func(c ui.Choice) bool { return c.Value == v }):
			a.t.Fatalf("page %s: %s offers no %q", p.ID, q.Key, v)
		default:
			*q.Value = v
		}
		if q.Validate != nil && q.Value != nil {
			if err := q.Validate(*q.Value); err != nil {
				a.t.Fatalf("page %s: %s refused: %v", p.ID, q.Key, err)
			}
		}
	}
	return nil
}

func (a *answerer) Work(ctx context.Context, w ui.Work) error { return w.Fn(ctx) }

// TestForms adds a credential through the wizard (the connector picked
// from the list, its settings and advanced settings asked), then edits and
// re-authenticates it through theirs, each passing the live test.
func TestForms(t *testing.T) {
	c := acme(t)
	em := connectortest.New(c.ID)
	defer em.Close()
	v := em.Values()
	m := newMachine(t)

	add := &answerer{t: t, set: map[string]string{"connector": c.ID, "name": "prod-acme", "description": "wizard",
		"api_key": v["api_key"], "base_url": v["base_url"], "advanced": "yes", "region": "us", "decide": "save"}}
	if code, _, errOut := m.run(add, "", "add"); code != 0 {
		t.Fatalf("add: exit %d: %s", code, errOut)
	}
	if want := []string{"connector", "name", "settings/1", "advanced", "settings/2", "decide"}; !slices.Equal(add.pages, want) {
		t.Errorf("add asked %v; want %v", add.pages, want)
	}
	cred, err := store.NewIndex(m.dir).Get("prod-acme")
	if err != nil || cred.Fields["region"] != "us" || cred.Fields["base_url"] != v["base_url"] || cred.LastTest == nil || !cred.LastTest.OK {
		t.Fatalf("saved %+v (%v)", cred, err)
	}
	if it, _ := m.secrets.Get("prod-acme"); it.Values["api_key"] != v["api_key"] {
		t.Error("the API key was not saved")
	}

	edit := &answerer{t: t, set: map[string]string{"name": "prod-acme", "description": "edited",
		"api_key": "", "base_url": v["base_url"], "advanced": "no", "decide": "save"}}
	if code, _, errOut := m.run(edit, "", "edit", "prod-acme"); code != 0 {
		t.Fatalf("edit: exit %d: %s", code, errOut)
	}
	if cred, _ := store.NewIndex(m.dir).Get("prod-acme"); cred.Description != "edited" {
		t.Errorf("edit saved the description %q", cred.Description)
	}

	rotated := "acme-key-rotated-9876543210"
	em.(*acmeEmulator).SetSecrets(map[string]string{"api_key": rotated})
	reauth := &answerer{t: t, set: map[string]string{"api_key": rotated, "decide": "save"}}
	if code, _, errOut := m.run(reauth, "", "reauth", "prod-acme"); code != 0 {
		t.Fatalf("reauth: exit %d: %s", code, errOut)
	}
	if it, _ := m.secrets.Get("prod-acme"); it.Values["api_key"] != rotated {
		t.Error("reauth did not save the new key")
	}
	if want := []string{"guide", "settings/1", "decide"}; !slices.Equal(reauth.pages, want) {
		t.Errorf("reauth asked %v; want %v", reauth.pages, want)
	}
}
