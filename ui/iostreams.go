package ui

import (
	"io"
	"os"
	"strconv"

	"golang.org/x/term"
)

// IOStreams are a command's standard streams and what is known about them.
// Status text and forms go to ErrOut so that Out carries only data.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	// InTTY, OutTTY and ErrTTY report whether each stream is a terminal.
	InTTY, OutTTY, ErrTTY bool
	// NoColor disables colour (NO_COLOR set, or not a terminal).
	NoColor bool
	// Width returns the terminal width in columns; 0 when unknown.
	Width func() int
	// Height returns the terminal height in lines; nil or 0 when unknown.
	Height func() int
}

// SystemIO returns the process's standard streams.
func SystemIO() *IOStreams {
	s := &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		InTTY:  isTerminal(os.Stdin),
		OutTTY: isTerminal(os.Stdout),
		ErrTTY: isTerminal(os.Stderr),
	}
	s.NoColor = os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb"
	s.Width = func() int {
		for _, f := range []*os.File{os.Stdout, os.Stderr} {
			if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
				return w
			}
		}
		if c, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil {
			return c
		}
		return 0
	}
	s.Height = func() int {
		if _, h, err := term.GetSize(int(os.Stderr.Fd())); err == nil && h > 0 {
			return h
		}
		if l, err := strconv.Atoi(os.Getenv("LINES")); err == nil {
			return l
		}
		return 0
	}
	return s
}

// ColorOut reports whether Out may carry colour.
func (s *IOStreams) ColorOut() bool { return s.OutTTY && !s.NoColor }

// TermWidth returns the width for output: the terminal's, else 80.
func (s *IOStreams) TermWidth() int {
	if s.Width != nil {
		if w := s.Width(); w > 0 {
			return w
		}
	}
	return 80
}

// TermHeight returns the terminal's height in lines, else 24.
func (s *IOStreams) TermHeight() int {
	if s.Height != nil {
		if h := s.Height(); h > 0 {
			return h
		}
	}
	return 24
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
