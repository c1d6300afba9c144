package ui

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
	"github.com/credwiz/credwiz/store"
)

// The golden files in testdata/ are the plain text of key screens at 80×24
// (colours stripped; the program's colour profile pinned to Ascii). Update
// them with: go test ./ui -run Golden -update

// formHarness runs a huh form as a bubbletea v2 model under teatest.
type formHarness struct{ form *huh.Form }

func (h formHarness) Init() tea.Cmd { return h.form.Init() }

func (h formHarness) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, cmd := h.form.Update(msg)
	h.form = m.(*huh.Form)
	return h, cmd
}

func (h formHarness) View() tea.View { return tea.NewView(h.form.View()) }

// screen drives form with keys under teatest at 80×24, waits until the
// output shows want, quits (the quit is queued after the keys, so every key
// has been handled), and returns the final form's plain text.
func screen(t *testing.T, form *huh.Form, want string, keys ...tea.Msg) string {
	t.Helper()
	tm := teatest.NewTestModel(t, formHarness{form},
		teatest.WithInitialTermSize(80, 24),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	for _, k := range keys {
		tm.Send(k)
	}
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(want)) },
		teatest.WithDuration(5*time.Second))
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	h := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(formHarness)
	return plain(h.form.View())
}

// plain strips ANSI and trailing spaces.
func plain(s string) string {
	lines := strings.Split(ansi.Strip(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n") + "\n"
}

func keyPress(k rune) tea.Msg { return tea.KeyPressMsg{Code: k} }
func text(s string) tea.Msg   { return tea.KeyPressMsg{Text: s, Code: []rune(s)[0]} }
func typed(s string) (msgs []tea.Msg) {
	for _, r := range s {
		msgs = append(msgs, text(string(r)))
	}
	return msgs
}

func goldenFactory(t *testing.T) *Factory {
	e := newTestEnv(t)
	io, _, _ := TestIO("")
	f := e.factory(io)
	f.Now = func() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) }
	return f
}

func TestGoldenConnectorPick(t *testing.T) {
	f := goldenFactory(t)
	var id string
	form := f.newForm(connectorPickGroup(f, &id))
	got := screen(t, form, "Salesforce", keyPress(tea.KeyDown))
	if !strings.Contains(got, "> Salesforce") {
		t.Errorf("Down did not move the cursor to Salesforce:\n%s", got)
	}
	golden.RequireEqual(t, got)
}

func TestGoldenSettingsMaskedSecret(t *testing.T) {
	f := goldenFactory(t)
	c, _ := connectors.Lookup("drift")
	b := newBoundValues(c, nil)
	adv := false
	form := f.newForm(settingsGroups(c, b, modeAdd, nil, &adv, false)...)
	const secret = "drift-s3cr3t-value"
	got := screen(t, form, "Base URL", typed(secret)...)
	if strings.Contains(got, secret) {
		t.Fatalf("the secret is visible on the settings screen:\n%s", got)
	}
	if *b["api_key"] != secret {
		t.Errorf("typed secret not bound: %q", *b["api_key"])
	}
	golden.RequireEqual(t, got)
}

func TestGoldenFailureScreen(t *testing.T) {
	f := goldenFactory(t)
	em := connectortest.NewSalesforce()
	defer em.Close()
	c, _ := connectors.Lookup("salesforce")
	v := em.Values()
	v["password"] = "not-the-password"
	rep, err := c.Test(context.Background(), nil, v)
	if err == nil {
		t.Fatal("the emulator accepted a wrong password")
	}
	form, act := buildResultForm(f, c, "", rep, err, 1)
	got := screen(t, form, "Save anyway")
	if *act != actRetry {
		t.Errorf("default action %q, want retry", *act)
	}
	if strings.Contains(got, "not-the-password") {
		t.Fatal("the password is on the failure screen")
	}
	golden.RequireEqual(t, got)
}

func TestGoldenListTable(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	io, out, _ := TestIO("")
	io.OutTTY = true
	io.Width = func() int { return 80 }
	creds := []store.Credential{
		{Name: "prod-sf", Connector: "salesforce", Description: "ABM sync",
			Fields:           map[string]string{"username": "integration@acme.com", "password_expires_days": "90"},
			SecretsUpdatedAt: now.AddDate(0, 0, -80),
			LastTest:         &store.TestResult{At: now.Add(-2 * time.Hour), OK: true, Account: "integration@acme.com @ org 00D5g"}},
		{Name: "prod-drift", Connector: "drift", Description: "chat",
			Fields:   map[string]string{"base_url": "https://driftapi.com"},
			LastTest: &store.TestResult{At: now.Add(-3 * 24 * time.Hour), OK: false, Class: "rejected", TokenNeverExpires: true}},
		{Name: "db", Connector: "demandbase", Fields: map[string]string{"client_id": "dbks-1"}},
	}
	byID := map[string]*connectors.Connector{}
	for _, c := range connectors.All() {
		byID[c.ID] = c
	}
	printCredentials(io, now, byID, creds)
	got := plain(out.String())
	for _, want := range []string{"password in 10 days", "✗ 3d ago (rejected)", "never (static key)"} {
		if !strings.Contains(got, want) {
			t.Errorf("list table lacks %q:\n%s", want, got)
		}
	}
	golden.RequireEqual(t, got)
}
