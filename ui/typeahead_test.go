package ui

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/credwiz/credwiz/connectors/connectortest"
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
	tr := &terminalRun{t: e.t, out: out, errOut: errOut, done: make(chan result, 1), asked: make(chan string, 100)}
	s := newSession(f)
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
// Every answer must land in its own field, and the secret must never be
// drawn.
func TestTerminalTypedAheadBeforeStart(t *testing.T) {
	e := newTestEnv(t)
	em := connectortest.NewDrift()
	defer em.Close()
	key := em.Values()["api_key"]
	answers := []string{"ta-drift", "typed ahead", key, kCtrlU + em.URL()}
	tr := e.startTerminalTypedAhead(100, 30, strings.Join(answers, kTypedAheadEnter)+kTypedAheadEnter, "add", "drift")
	tr.waitAsk("decide")
	tr.keys(kEnter) // Save
	r := tr.wait()
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, screenText(r.err))
	}
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
