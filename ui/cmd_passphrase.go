package ui

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/credwiz/credwiz/internal/termsafe"
	"github.com/credwiz/credwiz/store"
)

func newPassphraseCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "passphrase",
		Short: "Change the encrypted file store's passphrase",
		Long: `Change the passphrase of the encrypted file store. Only its identity file
(identity.age) is encrypted anew; the secrets, the recipients and an open
session (credwiz unlock) stay as they are.

The current passphrase comes from CREDWIZ_PASSPHRASE, else from one line of
stdin when stdin is not a terminal, else from a prompt. The new one comes
from CREDWIZ_NEW_PASSPHRASE, else from the next line of stdin, else from a
prompt (twice).`,
		Args: noArgs,
		RunE: onFileStore(f, "passphrase", func(cmd *cobra.Command, _ []string, st *store.Store) error {
			f.changingPassphrase = true // the pages say "current" and "new"
			newPass := func() (string, error) {
				if p := f.Getenv("CREDWIZ_NEW_PASSPHRASE"); p != "" {
					if err := checkNewPassphrase(p); err != nil {
						return "", usagef("CREDWIZ_NEW_PASSPHRASE: %v; nothing was changed", err)
					}
					return p, nil
				}
				if !f.IO.InTTY {
					p, err := f.stdinLine("the new passphrase (the line after the current one)")
					if err == nil {
						if err := checkNewPassphrase(p); err != nil {
							return "", usagef("the new passphrase read from stdin: %v; nothing was changed", err)
						}
					}
					return p, err
				}
				if !f.CanPrompt() {
					return "", usagef("the new passphrase is needed: set CREDWIZ_NEW_PASSPHRASE, or run credwiz passphrase at a terminal")
				}
				return f.askPassphrasePage(store.PassphraseRequest{Path: st.File.IdentityPath(), New: true})
			}
			if err := st.File.ChangePassphrase(newPass); err != nil {
				return err
			}
			fmt.Fprintf(f.IO.ErrOut, "%s Changed the passphrase of %s. Update CREDWIZ_PASSPHRASE wherever it is set; an open session stays open.\n",
				f.IO.stderrStyles().ok.Render("✓"), termsafe.String(st.File.IdentityPath()))
			return nil
		}),
	}
}
