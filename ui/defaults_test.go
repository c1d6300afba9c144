package ui

import (
	"strings"
	"testing"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
)

// TestTerminalTypingReplacesTheDefault: in Add, a field's default is shown
// greyed in the empty field, so the URL typed there (as anybody types it,
// without clearing anything first) is the URL saved, not the default with
// the URL appended.
func TestTerminalTypingReplacesTheDefault(t *testing.T) {
	e := newTestEnv(t)
	em := connectortest.NewDrift()
	defer em.Close()
	key := em.Values()["api_key"]
	tr := e.startTerminal(80, 24, "add", "drift")
	tr.keys("typed-url" + kEnter + kEnter)
	tr.waitShown("settings/1") // the key's page: keys typed before it are dropped
	tr.keys(key + kEnter + em.URL() + kEnter)
	tr.waitAsk("decide")
	tr.keys(kEnter)
	r := tr.wait()
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, screenText(r.err))
	}
	cred, err := e.index().Get("typed-url")
	if err != nil || cred.Fields["base_url"] != em.URL() {
		t.Errorf("base_url saved as %q (%v); typed %q", cred.Fields["base_url"], err, em.URL())
	}
}

// TestAddDefaultsApplyWhenBlank: an Add form's field with a default starts
// blank, with the default as its placeholder and a word that blank means
// the default; left blank, the default is what is tested and saved. Edit
// shows the saved value, editable.
func TestAddDefaultsApplyWhenBlank(t *testing.T) {
	c, _ := connectors.Lookup("drift")
	b := newBoundValues(c, nil)
	var q Question
	for _, sp := range settingsPages(c, modeAdd, nil) {
		for _, qq := range sp.questions(c, b, modeAdd) {
			if qq.Key == "base_url" {
				q = qq
			}
		}
	}
	if q.Value == nil || *q.Value != "" || q.Placeholder != "https://driftapi.com" || !strings.Contains(q.Help, "blank") {
		t.Fatalf("base_url in Add: value %v, placeholder %q, help %q", q.Value, q.Placeholder, q.Help)
	}
	if err := q.Validate(""); err != nil {
		t.Errorf("a blank base_url (the default) is refused: %v", err)
	}
	if got := b.values(c)["base_url"]; got != "https://driftapi.com" {
		t.Errorf("a blank base_url gives %q; want the default", got)
	}
	e := newBoundValues(c, connectors.Values{"base_url": "http://127.0.0.1:1", "api_key": "k"})
	if *e["base_url"] != "http://127.0.0.1:1" {
		t.Errorf("Edit: base_url shown as %q; want the saved value", *e["base_url"])
	}
}

// TestTerminalFooterSaysCtrlUClears: a field holding a value (Edit's saved
// values) says in the footer how to clear it.
func TestTerminalFooterSaysCtrlUClears(t *testing.T) {
	e := newTestEnv(t)
	em := connectortest.NewDrift()
	defer em.Close()
	savedDrift(t, e, em, "clearable")
	tr := e.startTerminal(100, 30, "edit", "clearable")
	tr.waitAsk("name")
	tr.waitDrawn("ctrl+u clear")
	tr.keys(kCtrlC)
	tr.wait()
}
