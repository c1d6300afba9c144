package ui

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// Key bytes as a terminal sends them.
const (
	kEnter = "\r"
	kTab   = "\t"
	kDown  = "\x1b[B"
	kUp    = "\x1b[A"
	kCtrlC = "\x03"
	kCtrlU = "\x15"
	// kEsc is Esc in the keyboard protocol's unambiguous form (CSI 27 u):
	// a bare ESC byte followed at once by more bytes reads as Alt+key, on
	// any terminal.
	kEsc = "\x1b[27u"
)

// terminalRun is a command run in-process at a "terminal": stdin is a
// pipe that the test writes key bytes to, stderr (where the session
// draws) is a buffer, and the session is the real one.
type terminalRun struct {
	t      *testing.T
	in     *io.PipeWriter
	inFile *os.File // the pipe's write end, when stdin is an OS pipe
	out    *bytes.Buffer
	errOut *lockedBuffer
	done   chan result
	asked  chan string // the ID of every page asked, in order
	shown  chan string // the ID of every page shown (keys typed now go to it), in order
	last   atomic.Pointer[Page]
}

// lockedBuffer is a bytes.Buffer safe for the session's writes and the
// test's reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// recordingPrompter passes questions to the session and reports each
// page's ID.
type recordingPrompter struct {
	Prompter
	asked chan string
	last  *atomic.Pointer[Page]
}

// Work reports "work" before the work starts (it is shown at once).
func (r recordingPrompter) Work(ctx context.Context, w Work) error {
	fn := w.Fn
	w.Fn = func(ctx context.Context) error {
		select {
		case r.asked <- "work":
		default:
		}
		return fn(ctx)
	}
	return r.Prompter.Work(ctx, w)
}

func (r recordingPrompter) Ask(p *Page) error {
	r.last.Store(p)
	select {
	case r.asked <- p.ID:
	default:
	}
	return r.Prompter.Ask(p)
}

// startTerminal runs credwiz args at an in-process terminal of w×h.
func (e *testEnv) startTerminal(w, h int, args ...string) *terminalRun {
	e.t.Helper()
	pr, pw := io.Pipe()
	out := &bytes.Buffer{}
	errOut := &lockedBuffer{}
	ios := &IOStreams{In: pr, Out: out, ErrOut: errOut, InTTY: true, ErrTTY: true, NoColor: true,
		Width: func() int { return w }, Height: func() int { return h }}
	f := e.factory(ios)
	tr := &terminalRun{t: e.t, in: pw, out: out, errOut: errOut, done: make(chan result, 1), asked: make(chan string, 100)}
	s := newSession(f)
	tr.watchShown(s)
	f.Prompter = recordingPrompter{Prompter: s, asked: tr.asked, last: &tr.last}
	f.closers = append(f.closers, s.Close)
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

// keys types s, all at once.
func (tr *terminalRun) keys(s string) {
	tr.t.Helper()
	var w io.Writer = tr.in
	if tr.inFile != nil {
		w = tr.inFile
	}
	if _, err := io.WriteString(w, s); err != nil {
		tr.t.Fatalf("typing: %v", err)
	}
}

// waitAsk waits until page id is asked.
func (tr *terminalRun) waitAsk(id string) {
	tr.t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case got := <-tr.asked:
			if got == id {
				return
			}
		case r := <-tr.done:
			tr.done <- r
			tr.t.Fatalf("credwiz ended (exit %d) before asking %q; stderr:\n%s", r.code, id, tr.errOut.String())
		case <-deadline:
			tr.t.Fatalf("page %q was not asked; stderr:\n%s", id, tr.errOut.String())
		}
	}
}

// watchShown records the pages s shows.
func (tr *terminalRun) watchShown(s *session) {
	tr.shown = make(chan string, 100)
	s.shown = func(id string) {
		select {
		case tr.shown <- id:
		default:
		}
	}
}

// waitShown waits until page id is shown: keys typed from now on were
// typed on it (a page that asks a secret discards the keys typed before).
func (tr *terminalRun) waitShown(id string) {
	tr.t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case got := <-tr.shown:
			if got == id {
				return
			}
		case r := <-tr.done:
			tr.done <- r
			tr.t.Fatalf("credwiz ended (exit %d) before showing %q; stderr:\n%s", r.code, id, tr.errOut.String())
		case <-deadline:
			tr.t.Fatalf("page %q was not shown; stderr:\n%s", id, tr.errOut.String())
		}
	}
}

// waitSecretShown waits until the first page that asks a secret is
// shown.
func (tr *terminalRun) waitSecretShown() {
	tr.t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case <-tr.shown:
			if p := tr.last.Load(); p != nil && asksSecret(p) {
				return
			}
		case r := <-tr.done:
			tr.done <- r
			tr.t.Fatalf("credwiz ended (exit %d) before showing a secret's page; stderr:\n%s", r.code, tr.errOut.String())
		case <-deadline:
			tr.t.Fatalf("no secret's page was shown; stderr:\n%s", tr.errOut.String())
		}
	}
}

// waitDrawn waits until what the session drew contains text (escape
// sequences removed), and returns it.
func (tr *terminalRun) waitDrawn(text string) string {
	tr.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s := ansi.Strip(tr.errOut.String())
		if strings.Contains(s, text) {
			return s
		}
		if time.Now().After(deadline) {
			tr.t.Fatalf("%q was not drawn; the screen:\n%s", text, s)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// wait waits for the command to end.
func (tr *terminalRun) wait() result {
	tr.t.Helper()
	select {
	case r := <-tr.done:
		r.err = tr.errOut.String()
		return r
	case <-time.After(60 * time.Second):
		tr.t.Fatalf("credwiz did not end; stderr:\n%s", tr.errOut.String())
	}
	return result{}
}

// screenText strips escape sequences from what the session drew.
func screenText(s string) string { return plain(s) }

var _ = strings.Contains

// plain strips ANSI and trailing spaces.
func plain(s string) string {
	lines := strings.Split(ansi.Strip(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n") + "\n"
}
