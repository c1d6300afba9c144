package ui

import (
	"context"
	"errors"
	"fmt"
	"io"

	"charm.land/huh/v2"
)

// accessiblePrompter asks with huh's accessible mode: plain numbered
// prompts, one line each, for screen readers (--accessible, $ACCESSIBLE).
// There is no Esc there: every answer goes forward.
type accessiblePrompter struct{ f *Factory }

// Ask implements Prompter.
func (a *accessiblePrompter) Ask(p *Page) error {
	f := a.f
	if p.Title != "" {
		fmt.Fprintln(f.IO.ErrOut, p.Title)
	}
	for _, l := range p.Note {
		fmt.Fprintln(f.IO.ErrOut, l)
	}
	bp := buildPage(accessibleTitles(p), 1<<20, 0) // no wrapping: screen readers read lines
	form := bp.form.WithAccessible(true).WithInput(f.IO.In).WithOutput(f.IO.ErrOut)
	// huh's accessible prompts read lines and ignore signals, which main
	// catches: wait for the form or for the command's context.
	done := make(chan error, 1)
	go func() { done <- form.Run() }()
	select {
	case err := <-done:
		if errors.Is(err, huh.ErrUserAborted) || errors.Is(err, io.EOF) {
			return ErrCancelled
		}
		return err
	case <-f.context().Done():
		return ErrCancelled
	}
}

// accessibleTitles returns p with each question's help in its title: huh's
// accessible mode reads titles out, not descriptions.
func accessibleTitles(p *Page) *Page {
	cp := *p
	cp.Questions = append([]Question(nil), p.Questions...)
	for i := range cp.Questions {
		q := &cp.Questions[i]
		if q.Help != "" && q.Kind != KindNote {
			q.Title += ". " + q.Help
			q.Help = ""
		}
	}
	return &cp
}

// Work implements Prompter: the title on a line of its own, then the work.
func (a *accessiblePrompter) Work(ctx context.Context, w Work) error {
	fmt.Fprintln(a.f.IO.ErrOut, w.Title)
	err := w.Fn(ctx)
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return ErrCancelled
	}
	return err
}
