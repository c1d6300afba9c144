package ui

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// spinnerModel shows a spinner while work runs; Esc or Ctrl-C cancels the
// work's context and ends with cancelled set.
type spinnerModel struct {
	title     string
	spin      spinner.Model
	cancel    context.CancelFunc
	work      func() error
	err       error
	done      bool
	cancelled bool
}

type workDoneMsg struct{ err error }

func newSpinnerModel(title string, cancel context.CancelFunc, work func() error) spinnerModel {
	return spinnerModel{
		title:  title,
		spin:   spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(lipgloss.NewStyle().Foreground(lipgloss.Color("5")))),
		cancel: cancel,
		work:   work,
	}
}

func (m spinnerModel) Init() tea.Cmd {
	return tea.Batch(m.spin.Tick, func() tea.Msg { return workDoneMsg{m.work()} })
}

func (m spinnerModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case workDoneMsg:
		m.err, m.done = msg.err, true
		return m, tea.Quit
	case tea.KeyPressMsg:
		switch msg.String() {
		case "esc", "ctrl+c":
			m.cancel()
			m.cancelled = true
			return m, tea.Quit
		}
	}
	var cmd tea.Cmd
	m.spin, cmd = m.spin.Update(msg)
	return m, cmd
}

func (m spinnerModel) View() tea.View {
	if m.done || m.cancelled {
		return tea.NewView("")
	}
	hint := lipgloss.NewStyle().Foreground(lipgloss.Color("8")).Render("  esc to cancel")
	return tea.NewView(m.spin.View() + " " + m.title + hint + "\n")
}

// withSpinner runs work(ctx) showing title with a spinner on a terminal (a
// plain line otherwise, and in accessible mode). Esc or Ctrl-C cancels
// work's context and returns ErrCancelled.
func (f *Factory) withSpinner(ctx context.Context, title string, work func(ctx context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if f.accessible() || !f.IO.ErrTTY || !f.IO.InTTY {
		fmt.Fprintln(f.IO.ErrOut, title)
		err := work(ctx)
		if ctx.Err() != nil && errors.Is(err, context.Canceled) {
			return ErrCancelled
		}
		return err
	}
	// claimed decides, once, whether the work runs: the program's command
	// goroutine claims it to run it, or the cancelling side claims it to
	// make sure it never starts.
	var claimed atomic.Bool
	finished := make(chan struct{})
	m := newSpinnerModel(title, cancel, func() error {
		if !claimed.CompareAndSwap(false, true) {
			return context.Canceled
		}
		defer close(finished)
		return work(ctx)
	})
	final, err := tea.NewProgram(m, tea.WithContext(ctx), tea.WithInput(f.IO.In), tea.WithOutput(f.IO.ErrOut)).Run()
	if fm, ok := final.(spinnerModel); ok && fm.done {
		return fm.err
	}
	// Cancelled (Esc, Ctrl-C, a signal) or the program failed: tell the
	// work to stop and wait for it, so that nothing it writes races with
	// the caller (it honours ctx at once; the wait is bounded anyway).
	cancel()
	if !claimed.CompareAndSwap(false, true) {
		select {
		case <-finished:
		case <-time.After(f.Timeout + time.Second):
		}
	}
	if err != nil && !errors.Is(err, tea.ErrInterrupted) && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		return err
	}
	return ErrCancelled
}
