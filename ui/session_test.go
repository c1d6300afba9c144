package ui

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/credwiz/credwiz/connectors/connectortest"
)

// These tests drive the real session (bubbletea reading key bytes from a
// pipe) through the real commands.

// TestTerminalEscBackKeepsValues types the name page and the key, goes
// back to the name page with Esc (twice: the key's page, then the name
// page's second question), changes the description, and saves.
func TestTerminalEscBackKeepsValues(t *testing.T) {
	e := newTestEnv(t)
	em := connectortest.NewDrift()
	defer em.Close()
	key := em.Values()["api_key"]
	tr := e.startTerminal(80, 24, "add", "drift")
	tr.keys("back1" + kEnter + "first words" + kEnter)
	tr.waitShown("settings/1")
	tr.keys(key + kEnter) // the focus is on Base URL now
	tr.keys(kEsc)         // back to the API key
	tr.keys(kEsc)         // back to the name page
	tr.waitAsk("name")
	// The name page comes back with its focus on the first question:
	// Enter keeps the name, then the description is replaced.
	tr.keys(kEnter + kCtrlU + "second words" + kEnter)
	tr.waitAsk("settings/1")
	tr.keys(kTab + kCtrlU + em.URL() + kEnter) // the key is still there: Tab to the URL
	tr.waitAsk("decide")
	tr.keys(kEnter)
	r := tr.wait()
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	cred, err := e.index().Get("back1")
	sec := e.secretValues("back1")
	if err != nil || cred.Description != "second words" || sec["api_key"] != key || cred.Fields["base_url"] != em.URL() {
		t.Errorf("saved %+v %v (%v)", cred, sec, err)
	}
}

// TestTerminalEscAtTheFirstStepAsks: Esc on the first page after typing
// asks "Discard this credential?"; Enter (No) stays; Esc on the first page
// again, then y, discards: exit 130, nothing saved.
func TestTerminalEscAtTheFirstStepAsks(t *testing.T) {
	e := newTestEnv(t)
	tr := e.startTerminal(80, 24, "add", "drift")
	tr.keys("half")
	tr.keys(kEsc)
	tr.waitAsk("discard")
	tr.keys(kEnter) // No, the default
	tr.waitAsk("name")
	tr.keys(kEsc)
	tr.waitAsk("discard")
	tr.keys("y")
	r := tr.wait()
	if r.code != 130 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	if len(e.snapshot()) != 0 {
		t.Errorf("saved %v", e.snapshot())
	}
}

// TestTerminalCtrlC: Ctrl-C on any page, or during the test, ends credwiz
// with 130 and nothing saved.
func TestTerminalCtrlC(t *testing.T) {
	em := connectortest.NewDrift()
	defer em.Close()
	em.Faults().Hang(true) // the test hangs until cancelled
	key := em.Values()["api_key"]
	for _, at := range []string{"connector", "name", "settings/1", "test"} {
		t.Run(at, func(t *testing.T) {
			e := newTestEnv(t)
			tr := e.startTerminal(60, 20, "add")
			steps := []struct{ page, keys string }{
				{"connector", strings.Repeat(kDown, 4) + kEnter},
				{"name", "cc" + kEnter + kEnter},
				{"settings/1", key + kEnter + kCtrlU + em.URL() + kEnter},
			}
			for _, s := range steps {
				tr.waitAsk(s.page)
				if s.page == at {
					break
				}
				tr.keys(s.keys)
			}
			if at == "test" {
				tr.waitAsk("work")
			}
			tr.keys(kCtrlC)
			r := tr.wait()
			if r.code != 130 {
				t.Fatalf("exit %d: %s", r.code, screenText(r.err))
			}
			if len(e.snapshot()) != 0 {
				t.Errorf("saved %v", e.snapshot())
			}
		})
	}
}

// TestTerminalEscDuringTheTest: Esc cancels a hanging test; the decision
// offers Retry; the emulator answers again and Retry saves.
func TestTerminalEscDuringTheTest(t *testing.T) {
	e := newTestEnv(t)
	em := connectortest.NewDrift()
	defer em.Close()
	em.Faults().Hang(true)
	tr := e.startTerminal(80, 24, "add", "drift")
	tr.keys("slow" + kEnter + kEnter)
	tr.waitShown("settings/1")
	tr.keys(em.Values()["api_key"] + kEnter + kCtrlU + em.URL() + kEnter)
	tr.waitAsk("work")
	tr.keys(kEsc)
	tr.waitAsk("decide")
	em.Faults().Hang(false)
	tr.keys(kEnter) // Retry
	tr.waitAsk("decide")
	tr.keys(kEnter) // Save
	r := tr.wait()
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, screenText(r.err))
	}
	if n := strings.Count(screenText(r.err), "Test cancelled"); n != 1 {
		t.Errorf("the cancelled test said %d times:\n%s", n, screenText(r.err))
	}
	if _, err := e.index().Get("slow"); err != nil {
		t.Error(err)
	}
}

// TestTerminalFilterEsc: Esc while filtering the connector list clears the
// filter instead of leaving the page.
func TestTerminalFilterEsc(t *testing.T) {
	e := newTestEnv(t)
	tr := e.startTerminal(80, 24, "add")
	tr.waitAsk("connector")
	tr.keys("/dri")
	tr.keys(kEsc)           // clears the filter: the picker stays
	tr.keys(kDown + kEnter) // the second connector of the full list
	tr.waitAsk("name")
	tr.keys(kCtrlC)
	r := tr.wait()
	if r.code != 130 {
		t.Fatalf("exit %d", r.code)
	}
	if tr.last.Load() == nil || tr.last.Load().Title != "Salesforce · new credential · name" {
		t.Errorf("after Esc cleared the filter, Down should pick Salesforce: %+v", tr.last.Load())
	}
}

// TestTerminalPastedAnswers: answers pasted one a line (bracketed paste)
// fill one field each (the secret's page, which drops what was typed
// before it was shown, gets its own paste).
func TestTerminalPastedAnswers(t *testing.T) {
	e := newTestEnv(t)
	em := connectortest.NewDrift()
	defer em.Close()
	key := em.Values()["api_key"]
	tr := e.startTerminal(80, 24, "add", "drift")
	tr.waitAsk("name")
	tr.keys("\x1b[200~pasted\nfrom a password manager\n\x1b[201~")
	tr.waitShown("settings/1")
	tr.keys("\x1b[200~" + key + "\n\x1b[201~")
	tr.keys(kCtrlU + em.URL() + kEnter)
	tr.waitAsk("decide")
	tr.keys(kEnter)
	r := tr.wait()
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, screenText(r.err))
	}
	cred, _ := e.index().Get("pasted")
	if sec := e.secretValues("pasted"); cred.Description != "from a password manager" || sec["api_key"] != key {
		t.Errorf("saved %+v %v", cred, sec)
	}
}

// TestTerminalCtrlCWhileTheCommandWorks: after the picker, test runs with
// the terminal still in the session's raw mode; Ctrl-C there (a key, not
// a signal) still ends the command: 130.
func TestTerminalCtrlCWhileTheCommandWorks(t *testing.T) {
	e := newTestEnv(t)
	em := connectortest.NewDrift()
	defer em.Close()
	savedDrift(t, e, em, "hangs")
	em.Faults().Hang(true)
	before := len(em.Requests())
	tr := e.startTerminal(80, 24, "test")
	tr.waitAsk("pick")
	tr.keys(kEnter) // All credentials
	for deadline := time.Now().Add(10 * time.Second); len(em.Requests()) == before; {
		if time.Now().After(deadline) {
			t.Fatal("the test sent no request")
		}
		time.Sleep(10 * time.Millisecond) // until the test's request hangs
	}
	tr.keys(kCtrlC)
	r := tr.wait()
	if r.code != 130 {
		t.Fatalf("exit %d: %s", r.code, screenText(r.err))
	}
}

// TestSessionNarrowsTheWidth: while a session runs, a printed line is
// wrapped one column short of the terminal, so the width the commands fit
// their tables to (TermWidth) is one less; it is given back at the end.
// (A home-menu List at 100 columns wrapped its EXPIRES cells.)
func TestSessionNarrowsTheWidth(t *testing.T) {
	e := newTestEnv(t)
	pr, pw := io.Pipe()
	defer pw.Close()
	ios := &IOStreams{In: pr, Out: &bytes.Buffer{}, ErrOut: &lockedBuffer{}, InTTY: true, ErrTTY: true, OutTTY: true, NoColor: true,
		Width: func() int { return 100 }, Height: func() int { return 30 }}
	f := e.factory(ios)
	s := newSession(f)
	s.start(nil)
	if got := f.IO.TermWidth(); got != 99 {
		t.Errorf("in the session: TermWidth %d, want 99", got)
	}
	var buf bytes.Buffer
	printTable(&IOStreams{Out: &buf, OutTTY: true, NoColor: true, Width: f.IO.Width},
		[]string{"A", "B"}, [][]string{{strings.Repeat("a", 60), strings.Repeat("b", 60)}}, 0, 1)
	for _, l := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
		if n := len([]rune(l)); n > 99 {
			t.Errorf("a table row is %d columns: it would wrap in the session", n)
		}
	}
	s.Close()
	if got := f.IO.TermWidth(); got != 100 {
		t.Errorf("after the session: TermWidth %d, want 100", got)
	}
}
