package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"

	"golang.org/x/term"
)

// readMasked prints prompt and reads one line without echo from the
// operator's terminal: stdin when it is one, else /dev/tty (so that a
// command whose stdin is a pipe, `printf … | credwiz add … --secrets-stdin`,
// can still ask, as ssh and gpg do). A cancelled ctx (Ctrl-C, SIGTERM)
// restores the terminal's echo and returns ErrCancelled.
func (f *Factory) readMasked(ctx context.Context, prompt string) (string, error) {
	fd, out, closeTTY, err := f.terminal()
	if err != nil {
		return "", err
	}
	defer closeTTY()
	state, err := term.GetState(fd)
	if err != nil {
		return "", fmt.Errorf("read from the terminal: %w", err)
	}
	fmt.Fprint(out, prompt)
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := term.ReadPassword(fd)
		done <- result{b, err}
	}()
	select {
	case r := <-done:
		fmt.Fprintln(out)
		if errors.Is(r.err, io.EOF) {
			return "", ErrCancelled
		}
		if r.err != nil {
			return "", fmt.Errorf("read from the terminal: %w", r.err)
		}
		s := string(r.b)
		clear(r.b)
		return s, nil
	case <-ctx.Done():
		_ = term.Restore(fd, state)
		fmt.Fprintln(out)
		return "", ErrCancelled
	}
}

// terminal returns the file descriptor to read the operator's answer
// from, where to print the prompt, and how to release them.
func (f *Factory) terminal() (fd int, out io.Writer, release func(), err error) {
	if in, ok := f.IO.In.(*os.File); ok && f.IO.InTTY {
		return int(in.Fd()), f.IO.ErrOut, func() {}, nil
	}
	if runtime.GOOS == "windows" {
		return 0, nil, nil, errors.New("no terminal to ask on")
	}
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("no terminal to ask on (%w)", err)
	}
	return int(tty.Fd()), tty, func() { tty.Close() }, nil
}

// canAskTerminal reports whether the operator can be asked at a terminal:
// --no-input is not set, stdin or stderr is a terminal, and one can be
// opened.
func (f *Factory) canAskTerminal() bool {
	if f.NoInput {
		return false
	}
	if f.AskSecret != nil {
		return true
	}
	if !f.IO.InTTY && !f.IO.ErrTTY {
		return false
	}
	_, _, release, err := f.terminal()
	if err != nil {
		return false
	}
	release()
	return true
}
