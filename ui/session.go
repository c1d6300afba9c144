package ui

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
)

// session is the Prompter at a terminal: one bubbletea program for the
// whole command, started at the first question and ended by Close. Its one
// input reader is never torn down between questions, so a key typed while
// credwiz moves from one page to the next waits in order for the next page
// (see keyorder.go); text the command prints meanwhile goes above the
// page, into the terminal's scrollback.
type session struct {
	f *Factory

	startOnce   sync.Once
	prog        *tea.Program
	done        chan struct{} // closed when the program has ended
	closing     atomic.Bool
	cancelled   atomic.Bool  // Ctrl-C, or the program ended: every later question is ErrCancelled
	interrupted atomic.Bool  // Ctrl-C: the command's context ends with the program
	width       atomic.Int64 // the terminal's width, for printed lines
	dropped     atomic.Bool  // keys typed before the first page were discarded (typeahead.go)

	// shown, when set (tests), is called with each page's ID once the
	// page is the one keys go to.
	shown func(id string)

	out, errOut io.Writer  // the streams the session replaced
	widthFn     func() int // the IOStreams' Width the session replaced
	writers     []*sessionWriter
}

func newSession(f *Factory) *session { return &session{f: f, done: make(chan struct{})} }

// frameSettle is two frames of bubbletea's renderer (60 per second).
const frameSettle = 2 * time.Second / 60

// askMsg asks the model to show a page; the answer goes to reply.
type askMsg struct {
	page  *Page
	reply chan error
}

// workStartMsg and workEndMsg show and hide the spinner of w.
type (
	workStartMsg struct{ w *workState }
	workEndMsg   struct{ w *workState }
	closeMsg     struct{}
)

// workState is running Work: how to cancel it and why it was cancelled.
type workState struct {
	title       string
	cancellable bool
	cancel      context.CancelFunc
	result      chan error // ErrBack or ErrCancelled when a key cancelled the work
}

// start starts the program once, and routes the command's output through
// it. When its first page p asks a secret or is guarded, the keys typed
// before it are discarded first (see typeahead.go).
func (s *session) start(p *Page) {
	s.startOnce.Do(func() {
		f := s.f
		if p != nil && dropsTypedAhead(p, true) && discardTypedAhead(f.IO.In) {
			s.dropped.Store(true)
		}
		w, h := f.IO.TermWidth(), f.IO.TermHeight()
		s.width.Store(int64(w))
		m := newSessionModel(s, w, h)
		opts := []tea.ProgramOption{
			tea.WithInput(f.IO.In), tea.WithOutput(f.IO.ErrOut),
			tea.WithContext(f.context()), tea.WithoutSignalHandler(),
		}
		if _, ok := f.IO.ErrOut.(*os.File); !ok {
			// Not drawn on a real terminal (a test): it has no size to ask.
			opts = append(opts, tea.WithWindowSize(w, h))
		}
		s.prog = tea.NewProgram(m, opts...)
		s.out, s.errOut = f.IO.Out, f.IO.ErrOut
		go func() {
			_, _ = s.prog.Run()
			if !s.closing.Load() {
				s.cancelled.Store(true)
			}
			close(s.done)
			if s.interrupted.Load() {
				s.interruptCommand()
			}
		}()
		// A printed line is wrapped one column short of the terminal
		// (emit): what fits the width (a table) is made that much narrower.
		s.widthFn = f.IO.Width
		f.IO.Width = func() int { return max(int(s.width.Load())-1, 1) }
		ew := &sessionWriter{s: s, fallback: s.errOut}
		f.IO.ErrOut = ew
		s.writers = append(s.writers, ew)
		if f.IO.OutTTY {
			ow := &sessionWriter{s: s, fallback: s.out}
			f.IO.Out = ow
			s.writers = append(s.writers, ow)
		}
	})
}

// interruptCommand ends the command's context, as SIGINT would: the
// terminal is in raw mode while the session runs, so Ctrl-C reaches
// credwiz as a key, also while the command works between questions (the
// tests of test --all after a passphrase). It runs once the program has
// ended; the command prints on without it.
func (s *session) interruptCommand() {
	if c := s.f.cancel; c != nil {
		c()
	}
}

// send delivers msg to the program; false when it has ended.
func (s *session) send(msg tea.Msg) bool {
	select {
	case <-s.done:
		return false
	default:
	}
	s.prog.Send(msg)
	return true
}

// Ask implements Prompter.
func (s *session) Ask(p *Page) error {
	if s.cancelled.Load() {
		return ErrCancelled
	}
	s.start(p)
	reply := make(chan error, 1)
	if !s.send(askMsg{page: p, reply: reply}) {
		return ErrCancelled
	}
	select {
	case err := <-reply:
		if err == nil || errors.Is(err, ErrBack) {
			// Let the renderer draw the blank frame that replaces the
			// answered page before the command prints above it: lines
			// printed above a tall frame that then disappears would leave
			// the next page at the top of an emptied screen. Only the
			// picture depends on this; keys typed meanwhile wait in order.
			time.Sleep(frameSettle)
		}
		return err
	case <-s.done:
		select {
		case err := <-reply:
			return err
		default:
			return ErrCancelled
		}
	}
}

// Work implements Prompter.
func (s *session) Work(ctx context.Context, w Work) error {
	if s.cancelled.Load() {
		return ErrCancelled
	}
	s.start(nil)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ws := &workState{title: w.Title, cancellable: w.Cancellable, cancel: cancel, result: make(chan error, 1)}
	s.send(workStartMsg{ws})
	err := w.Fn(ctx)
	s.send(workEndMsg{ws})
	select {
	case r := <-ws.result:
		return r
	default:
	}
	if w.Cancellable && s.cancelled.Load() {
		return ErrCancelled
	}
	return err
}

// Close ends the program (its last view is blank, so what was printed
// stays) and gives the command its streams back.
func (s *session) Close() {
	s.startOnce.Do(func() {}) // a session never started stays so
	if s.prog == nil {
		return
	}
	for _, w := range s.writers {
		w.flush()
	}
	s.closing.Store(true)
	s.send(closeMsg{})
	<-s.done
	s.f.IO.Out, s.f.IO.ErrOut, s.f.IO.Width = s.out, s.errOut, s.widthFn
}

// sessionWriter prints the command's output above the program, a line at
// a time, wrapped at spaces to the terminal's width; once the program has
// ended it writes to the stream it replaced.
type sessionWriter struct {
	s        *session
	fallback io.Writer
	mu       sync.Mutex
	buf      []byte
}

func (w *sessionWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, b...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		line := string(w.buf[:i])
		w.buf = w.buf[i+1:]
		if err := w.emit(line); err != nil {
			return len(b), err
		}
	}
	return len(b), nil
}

// flush prints a last unterminated line.
func (w *sessionWriter) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 {
		_ = w.emit(string(w.buf))
		w.buf = nil
	}
}

// emit prints one line, wrapped, one terminal row at a time: the
// program's frame is never taller than the terminal less one row, so a
// row printed above it scrolls only printed text, never the frame, into
// the scrollback.
func (w *sessionWriter) emit(line string) error {
	if width := int(w.s.width.Load()); width > 1 {
		line = wrapAtSpaces(line, width-1)
	}
	for _, row := range strings.Split(line, "\n") {
		if !w.s.send(tea.Println(row)()) {
			if _, err := io.WriteString(w.fallback, row+"\n"); err != nil {
				return err
			}
		}
	}
	return nil
}
