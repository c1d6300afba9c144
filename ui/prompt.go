package ui

import (
	"errors"
	"io"
	"os"
	"path/filepath"

	"charm.land/bubbles/v2/key"
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
		Description("No OS keychain answers here, so credwiz keeps secrets in secrets.age.\nSet CREDWIZ_PASSPHRASE for unattended use.").
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
	err := runForm(f.newForm(huh.NewGroup(fields...)))
	return p, err
}
