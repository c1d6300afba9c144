package ui

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/credwiz/credwiz/connectors/connectortest"
	"github.com/credwiz/credwiz/store"
)

// kTypedAheadEnter is Enter as a key typed before credwiz put the terminal
// in raw mode reaches it: the terminal's line discipline (ICRNL) had
// already turned the carriage return into a line feed.
const kTypedAheadEnter = "\n"

// startTerminalTypedAhead is startTerminal whose keys were all typed
// before the command started: they wait in stdin's buffer (a pipe here)
// when Main begins.
func (e *testEnv) startTerminalTypedAhead(w, h int, keys string, args ...string) *terminalRun {
	e.t.Helper()
	return e.startTerminalTypedAheadWith(w, h, keys, nil, args...)
}

// startTerminalTypedAheadWith is startTerminalTypedAhead with mod applied
// to the command's Factory first (nil: none).
func (e *testEnv) startTerminalTypedAheadWith(w, h int, keys string, mod func(*Factory), args ...string) *terminalRun {
	e.t.Helper()
	pr, pw, err := os.Pipe()
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := pw.WriteString(keys); err != nil {
		e.t.Fatal(err)
	}
	out := &bytes.Buffer{}
	errOut := &lockedBuffer{}
	ios := &IOStreams{In: pr, Out: out, ErrOut: errOut, InTTY: true, ErrTTY: true, NoColor: true,
		Width: func() int { return w }, Height: func() int { return h }}
	f := e.factory(ios)
	if mod != nil {
		mod(f)
	}
	tr := &terminalRun{t: e.t, out: out, errOut: errOut, done: make(chan result, 1), asked: make(chan string, 100)}
	s := newSession(f)
	tr.watchShown(s)
	f.Prompter = recordingPrompter{Prompter: s, asked: tr.asked, last: &tr.last}
	f.closers = append(f.closers, s.Close)
	tr.inFile = pw
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	go func() {
		defer cancel()
		code := Main(ctx, f, args)
		tr.done <- result{out: out.String(), code: code}
		pr.Close()
	}()
	e.t.Cleanup(func() { pw.Close() })
	return tr
}

// TestTerminalTypedAheadBeforeStart types every answer of the Drift
// wizard before credwiz starts, as an operator does right after the
// command (or while `go run` compiles): the Enters arrive as line feeds.
// The name and the description land in their own fields; the key's page
// (the first that asks a secret) drops what was typed before it was
// shown, a key and the URL here, and gets them typed again. The secret
// must never be drawn.
func TestTerminalTypedAheadBeforeStart(t *testing.T) {
	e := newTestEnv(t)
	em := connectortest.NewDrift()
	defer em.Close()
	key := em.Values()["api_key"]
	answers := []string{"ta-drift", "typed ahead", "stale-typed-ahead-key", kCtrlU + "http://127.0.0.1:9"}
	tr := e.startTerminalTypedAhead(100, 30, strings.Join(answers, kTypedAheadEnter)+kTypedAheadEnter, "add", "drift")
	tr.waitShown("settings/1")
	r := tr.saveDrift(key, em.URL())
	cred, err := e.index().Get("ta-drift")
	if err != nil {
		t.Fatalf("not saved as ta-drift: %v; screen:\n%s", err, screenText(r.err))
	}
	if sec := e.secretValues("ta-drift"); cred.Description != "typed ahead" || sec["api_key"] != key || cred.Fields["base_url"] != em.URL() {
		t.Errorf("saved %+v, key typed: %v", cred, sec["api_key"] == key)
	}
	if strings.Contains(r.err, key) {
		t.Errorf("the secret was drawn on the screen")
	}
}

// TestTerminalTypedAheadNotIntoANewPassphrase: on the first add (no store
// yet) the new store's passphrase page comes first. The name and the
// description typed before credwiz started must not become the
// passphrase: they are discarded, the page starts empty, and the
// passphrase is what is typed once it is shown.
func TestTerminalTypedAheadNotIntoANewPassphrase(t *testing.T) {
	t.Setenv("CREDWIZ_PASSPHRASE", "")
	os.Unsetenv("CREDWIZ_PASSPHRASE")
	e := newTestEnv(t)
	em := connectortest.NewDrift()
	defer em.Close()
	key := em.Values()["api_key"]
	fileStore := func(f *Factory) {
		f.OpenStore = func(o store.Options) (*store.Store, error) { o.WorkFactor = 10; return store.Open(o) }
		// Main sets StoreKind from --store: the environment asks for the
		// file store, whether or not a keychain answers here.
		e.env["CREDWIZ_STORE"] = "file"
	}
	const pass = "chosen passphrase"
	tr := e.startTerminalTypedAheadWith(100, 30, "ta-drift"+kTypedAheadEnter+"typed ahead"+kTypedAheadEnter, fileStore, "add", "drift")
	tr.waitShown("passphrase") // keys typed before it is drawn are discarded
	tr.keys(pass + kEnter + pass + kEnter)
	tr.waitAsk("name")
	tr.keys("real-name" + kEnter + kEnter)
	tr.waitAsk("settings/1")
	r := tr.saveDrift(key, em.URL())
	cred, err := e.index().Get("real-name")
	if err != nil || cred.Description != "" {
		t.Fatalf("saved %+v (%v); screen:\n%s", cred, err, screenText(r.err))
	}
	t.Setenv("CREDWIZ_PASSPHRASE", pass)
	ios, out, errOut := testIO("")
	f := e.factory(ios)
	fileStore(f)
	if code := Main(context.Background(), f, []string{"token", "real-name"}); code != 0 || strings.TrimSpace(out.String()) != key {
		t.Errorf("the store does not open with the passphrase typed on its page: exit %d: %s", code, errOut)
	}
}

// TestTerminalTypedAheadNotIntoASecret: keys held behind the navigation of
// the name page (typed in one burst with the name) are dropped when the
// key's page, the first that asks a secret, is shown: the key saved is the
// one typed on that page, while the name and description typed ahead are
// kept.
func TestTerminalTypedAheadNotIntoASecret(t *testing.T) {
	e := newTestEnv(t)
	em := connectortest.NewDrift()
	defer em.Close()
	key := em.Values()["api_key"]
	tr := e.startTerminal(80, 24, "add", "drift")
	tr.waitShown("name")
	tr.keys("held1" + kEnter + "held behind" + kEnter + "stale-key" + kEnter)
	tr.waitShown("settings/1")
	tr.saveDrift(key, em.URL())
	cred, err := e.index().Get("held1")
	if sec := e.secretValues("held1"); err != nil || cred.Description != "held behind" || sec["api_key"] != key {
		t.Errorf("saved %+v (%v), the key typed on its page: %v", cred, err, sec["api_key"] == key)
	}
}

// saveDrift answers the Drift settings page tr shows (key, then the base
// URL in place of the default) and saves; credwiz must exit 0.
func (tr *terminalRun) saveDrift(key, url string) result {
	tr.t.Helper()
	tr.keys(key + kEnter + kCtrlU + url + kEnter)
	tr.waitAsk("decide")
	tr.keys(kEnter) // Save
	r := tr.wait()
	if r.code != 0 {
		tr.t.Fatalf("exit %d: %s", r.code, screenText(r.err))
	}
	return r
}
