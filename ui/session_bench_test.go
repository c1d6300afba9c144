package ui

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/credwiz/credwiz/connectors"
)

// The cost of keeping keys in order: a character typed into a Salesforce
// settings page, handed to the session's model (queue, hold check,
// relayout check, tagging) against handed to the bare huh form. Run side
// by side: go test ./ui -run '^$' -bench Typing -count 5

func salesforcePage(b *testing.B) *Page {
	c, _ := connectors.Lookup("salesforce")
	bv := newBoundValues(c, nil)
	return &Page{ID: "settings/3", Title: "Salesforce · bench · connection settings",
		Questions: settingsPages(c, modeAdd, nil)[2].questions(c, bv, modeAdd)}
}

func BenchmarkTypingSession(b *testing.B) {
	m := newSessionModel(nil, 80, 24)
	m.Update(askMsg{page: salesforcePage(b), reply: make(chan error, 1)})
	keys := benchKeys()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m.Update(keys[i%len(keys)])
		_ = m.View()
		i++
	}
}

func BenchmarkTypingHuhForm(b *testing.B) {
	bp := buildPage(salesforcePage(b), 80, 0)
	bp.form.Init()
	bp.form.Update(tea.WindowSizeMsg{Width: 80, Height: 20})
	keys := benchKeys()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		bp.form.Update(keys[i%len(keys)])
		_ = bp.form.View()
		i++
	}
}

// benchKeys are 63 characters and Ctrl-U, so the value stays as long as a
// consumer key.
func benchKeys() []tea.Msg {
	var keys []tea.Msg
	for range 63 {
		keys = append(keys, tea.KeyPressMsg{Text: "x", Code: 'x'})
	}
	return append(keys, tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
}
