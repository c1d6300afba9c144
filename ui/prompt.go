package ui

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/credwiz/credwiz/store"
)

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
	qs := []Question{{
		Kind: KindSecret, Key: "passphrase", Title: "Passphrase of the encrypted secrets file",
		Help:     "credwiz keeps the secrets in secrets.age, encrypted with this passphrase. Set CREDWIZ_PASSPHRASE for unattended use.",
		Validate: nonEmpty, Value: &p,
	}}
	dir, _ := f.configDir()
	newFile := dir != ""
	if _, err := os.Stat(filepath.Join(dir, store.AgeFileName)); err == nil {
		newFile = false
	}
	if newFile {
		qs = append(qs, Question{
			Kind: KindSecret, Key: "passphrase_again", Title: "The same passphrase again",
			Help: "secrets.age is new: there is no way to recover the secrets without this passphrase.",
			Validate: func(s string) error {
				if s != p {
					return errors.New("the passphrases differ")
				}
				return nil
			},
			Value: &again,
		})
	}
	err := f.prompter().Ask(&Page{ID: "passphrase", Questions: qs, EscHelp: "cancel"})
	if errors.Is(err, ErrBack) {
		return "", ErrCancelled
	}
	return p, err
}
