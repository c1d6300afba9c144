package ui

import (
	"errors"
	"io"

	"charm.land/bubbles/v2/key"
	"charm.land/huh/v2"
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

// runForm runs form; cancelling maps to ErrCancelled.
func runForm(form *huh.Form) error {
	err := form.Run()
	if errors.Is(err, huh.ErrUserAborted) || errors.Is(err, huh.ErrTimeout) {
		return ErrCancelled
	}
	if errors.Is(err, io.EOF) {
		return ErrCancelled
	}
	return err
}

// confirm asks a yes/no question.
func confirm(f *Factory, title string, def bool) (bool, error) {
	ok := def
	err := runForm(f.newForm(huh.NewGroup(
		huh.NewConfirm().Title(title).Affirmative("Yes").Negative("No").Value(&ok),
	)))
	return ok, err
}

// promptPassphrase asks for the encrypted file's passphrase (masked).
func (f *Factory) promptPassphrase() (string, error) {
	var p string
	err := runForm(f.newForm(huh.NewGroup(
		huh.NewInput().
			Title("Passphrase of the encrypted secrets file").
			Description("No OS keychain answers here, so credwiz keeps secrets in secrets.age.\nSet CREDWIZ_PASSPHRASE for unattended use.").
			EchoMode(huh.EchoModePassword).
			Validate(func(s string) error {
				if s == "" {
					return errors.New("enter the passphrase")
				}
				return nil
			}).
			Value(&p),
	)))
	return p, err
}
