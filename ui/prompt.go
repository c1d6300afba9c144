package ui

import (
	"errors"
	"io"
	"os"
	"path/filepath"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/credwiz/credwiz/store"
)

// keyMap is huh's default key map with Esc added to Ctrl-C as "cancel".
func keyMap() *huh.KeyMap {
	km := huh.NewDefaultKeyMap()
	km.Quit = key.NewBinding(key.WithKeys("ctrl+c", "esc"), key.WithHelp("esc", "cancel"))
	return km
}

// newForm returns a huh form set up as every credwiz form is: drawn on
// stderr (stdout stays data), Esc cancels, accessible mode when asked, and
// the terminal's width.
func (f *Factory) newForm(groups ...*huh.Group) *huh.Form {
	form := huh.NewForm(groups...).
		WithTheme(theme).
		WithKeyMap(keyMap()).
		WithShowHelp(true).
		WithInput(f.IO.In).
		WithOutput(f.IO.ErrOut).
		WithAccessible(f.accessible())
	if w := f.IO.TermWidth(); w > 0 && w < 100 {
		form = form.WithWidth(w)
	} else {
		form = form.WithWidth(100)
	}
	return form
}

// theme is huh's Charm theme with the focused button of a confirm also
// underlined and bold, so the choice shows without colour (NO_COLOR).
var theme = huh.ThemeFunc(func(isDark bool) *huh.Styles {
	t := huh.ThemeCharm(isDark)
	t.Focused.FocusedButton = t.Focused.FocusedButton.Underline(true).Bold(true)
	return t
})

// runForm runs form; cancelling (Esc, Ctrl-C) maps to ErrCancelled.
//
// Outside accessible mode the form runs in credwiz's own bubbletea program
// that quits gracefully on cancel too. huh's Run ends a cancelled form with
// tea.Interrupt, whose shutdown does not wait for the input reader; the
// next form (the home menu after a cancelled wizard) could then lose its
// first key to that reader.
//
// Only a form the operator completed counts: a form ended any other way (a
// signal, the command's context cancelled) is ErrCancelled, never a choice.
func (f *Factory) runForm(form *huh.Form) error {
	ctx := f.context()
	if f.accessible() {
		// huh's accessible prompts read lines and ignore signals, which
		// main catches: wait for the form or for the context.
		done := make(chan error, 1)
		go func() { done <- form.Run() }()
		select {
		case err := <-done:
			return formErr(err)
		case <-ctx.Done():
			return ErrCancelled
		}
	}
	form.SubmitCmd = tea.Quit
	form.CancelCmd = tea.Quit
	_, err := tea.NewProgram(formModel{form}, tea.WithContext(ctx),
		tea.WithInput(f.IO.In), tea.WithOutput(f.IO.ErrOut)).Run()
	if form.State != huh.StateCompleted {
		return ErrCancelled
	}
	return formErr(err)
}

// formErr maps the errors of running a form.
func formErr(err error) error {
	if errors.Is(err, huh.ErrUserAborted) || errors.Is(err, huh.ErrTimeout) ||
		errors.Is(err, tea.ErrInterrupted) || errors.Is(err, tea.ErrProgramKilled) || errors.Is(err, io.EOF) {
		return ErrCancelled
	}
	return err
}

// formModel runs a huh form as a bubbletea v2 model.
type formModel struct{ form *huh.Form }

func (m formModel) Init() tea.Cmd { return m.form.Init() }

func (m formModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	fm, cmd := m.form.Update(msg)
	m.form = fm.(*huh.Form)
	return m, cmd
}

func (m formModel) View() tea.View {
	v := tea.NewView(m.form.View())
	v.ReportFocus = true
	return v
}

// confirm asks a yes/no question.
func confirm(f *Factory, title string, def bool) (bool, error) {
	ok := def
	err := f.runForm(f.newForm(huh.NewGroup(
		huh.NewConfirm().Title(title).Affirmative("Yes").Negative("No").Value(&ok),
	)))
	return ok, err
}

// promptPassphrase asks for the encrypted file's passphrase (masked);
// when the file does not exist yet, twice, so a typo cannot lock the
// secrets away.
func (f *Factory) promptPassphrase() (string, error) {
	var p, again string
	nonEmpty := func(s string) error {
		if s == "" {
			return errors.New("enter the passphrase")
		}
		return nil
	}
	fields := []huh.Field{huh.NewInput().
		Title("Passphrase of the encrypted secrets file").
		Description("credwiz keeps the secrets in secrets.age, encrypted with this passphrase.\nSet CREDWIZ_PASSPHRASE for unattended use.").
		EchoMode(huh.EchoModePassword).
		Validate(nonEmpty).
		Value(&p)}
	dir, _ := f.configDir()
	newFile := dir != ""
	if _, err := os.Stat(filepath.Join(dir, store.AgeFileName)); err == nil {
		newFile = false
	}
	if newFile {
		fields = append(fields, huh.NewInput().
			Title("The same passphrase again").
			Description("secrets.age is new: there is no way to recover the secrets without this passphrase.").
			EchoMode(huh.EchoModePassword).
			Validate(func(s string) error {
				if s != p {
					return errors.New("the passphrases differ")
				}
				return nil
			}).
			Value(&again))
	}
	err := f.runForm(f.newForm(huh.NewGroup(fields...)))
	return p, err
}
