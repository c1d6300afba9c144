package ui

import (
	"context"
	"errors"
)

// ErrBack is returned by a Prompter when the operator pressed Esc: go back
// one step, keeping what was typed.
var ErrBack = errors.New("back")

// Prompter is how credwiz asks the operator anything. Commands never call
// huh or bubbletea directly: they describe a Page and ask through this
// seam, so that tests can answer from a script (and fail on a question
// they did not expect), and so that at a terminal one bubbletea program
// reads every key of a whole command, in order.
type Prompter interface {
	// Ask shows one page of questions and fills in their values. It
	// returns nil when the page was answered, ErrBack when the operator
	// pressed Esc on its first question, and ErrCancelled on Ctrl-C (and
	// for every Ask after it).
	Ask(p *Page) error
	// Work runs w.Fn, showing w.Title with a spinner. When w.Cancellable,
	// Esc cancels w.Fn's context and Work returns ErrBack; Ctrl-C cancels it
	// and returns ErrCancelled. Otherwise Work returns w.Fn's error.
	Work(ctx context.Context, w Work) error
}

// Work is slow work shown with a spinner.
type Work struct {
	// Title says what is happening ("Testing the Drift credential…").
	Title string
	// Cancellable work stops on Esc; the zero value means Esc is ignored
	// (saving cannot be interrupted half way).
	Cancellable bool
	// Fn is the work; it must honour its context.
	Fn func(ctx context.Context) error
}

// Kind is what sort of question a Question is.
type Kind int

const (
	// KindInput is a line of text.
	KindInput Kind = iota
	// KindSecret is a line of text shown masked.
	KindSecret
	// KindSelect picks one of Options (filterable with /).
	KindSelect
	// KindConfirm is yes or no, bound to Yes.
	KindConfirm
	// KindNote is text to read, with a button labelled NextLabel.
	KindNote
)

// Choice is one option of a select: what is shown and the value chosen.
type Choice struct{ Label, Value string }

// Question is one question of a Page. Values are bound by pointer: what
// was typed stays there when the operator goes back and forth.
type Question struct {
	Kind Kind
	// Key names the question for scripts and tests (a field key, "name").
	Key string
	// Title is the question; Help the text under it.
	Title, Help string
	// Placeholder is shown in an empty input.
	Placeholder string
	// Options are a select's choices.
	Options []Choice
	// Value is bound to an input or a select.
	Value *string
	// Yes is bound to a confirm; Affirmative and Negative label it
	// ("Yes"/"No" when empty).
	Yes                   *bool
	Affirmative, Negative string
	// NextLabel labels a note's button.
	NextLabel string
	// Validate checks an input's or a select's value when it is entered.
	Validate func(string) error
}

// Page is one screen: a title, text, and questions answered together.
type Page struct {
	// ID names the page for scripts and tests ("connector", "name",
	// "settings/2", "decide").
	ID string
	// Title is the header line; Note the text under it, fitted to the
	// screen (the lines that do not fit are summarised).
	Title string
	Note  []string
	// NoteMore, when set, words the line that replaces the entries of
	// Note that do not fit, given how many entries are shown (in full).
	NoteMore func(shown int) string
	// Questions are asked in order.
	Questions []Question
	// EscHelp says what Esc does here, for the footer ("back" when empty).
	EscHelp string
	// Guarded marks a question whose yes cannot be undone (delete, reveal
	// a secret): keys typed before it is shown are discarded, and only y,
	// n, ←/→ and Enter answer it, so that a line typed ahead (a shell
	// command such as "ls") cannot say yes (see typeahead.go).
	Guarded bool
}

// prompter returns the Prompter of this process: the one a test set, the
// plain prompts of accessible mode, or a terminal session that lives until
// closePrompter.
func (f *Factory) prompter() Prompter {
	if f.Prompter != nil {
		return f.Prompter
	}
	if f.accessible() {
		f.Prompter = &accessiblePrompter{f: f}
		return f.Prompter
	}
	s := newSession(f)
	f.Prompter = s
	f.closers = append(f.closers, s.Close)
	return s
}

// closePrompter ends the terminal session, if one was started, restoring
// the terminal and the streams.
func (f *Factory) closePrompter() {
	for _, c := range f.closers {
		c()
	}
	f.closers = nil
}

// confirmID asks a yes/no question on a page of the given ID (for
// scripts); Esc is no.
func confirmID(f *Factory, id, title string, def bool) (bool, error) {
	return confirmPage(f, id, title, def, false)
}

// confirmGuarded is confirmID for a question whose yes cannot be undone
// (Page.Guarded); its answer starts at no.
func confirmGuarded(f *Factory, id, title string) (bool, error) {
	return confirmPage(f, id, title, false, true)
}

// confirmPage asks the yes/no question title on a page of its own.
func confirmPage(f *Factory, id, title string, def, guarded bool) (bool, error) {
	ok := def
	err := f.prompter().Ask(&Page{ID: id, EscHelp: "no", Guarded: guarded, Questions: []Question{{
		Kind: KindConfirm, Key: id, Title: title, Yes: &ok,
	}}})
	if errors.Is(err, ErrBack) {
		return false, nil
	}
	return ok, err
}
