package ui

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/credwiz/credwiz/store"
)

func newRmCmd(f *Factory) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:     "rm NAME",
		Aliases: []string{"delete", "remove"},
		Short:   "Delete a credential: its metadata, secrets and cached token",
		Long: `Delete a credential: its metadata first, then its secrets and cached token
from the secret store. Asks for confirmation unless --yes; when not run at a
terminal, --yes is required.`,
		Args:              nameArg(f),
		ValidArgsFunction: completeNames(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, err := nameOrPick(f, args, homeDelete)
			if err != nil {
				return err
			}
			cred, c, err := loadMeta(f, name)
			if err != nil && cred.Name == "" {
				return err
			}
			// A credential of a connector this credwiz does not know can
			// still be deleted: rm needs only its metadata.
			what := cred.Connector
			if c != nil {
				what = c.Name
			}
			if !yes {
				if !f.CanPrompt() {
					return usagef("rm asks for confirmation; pass --yes to delete %q without asking", name)
				}
				ok, err := confirmID(f, "delete", fmt.Sprintf("Delete %s credential %q and its secrets?", what, name), false)
				if err != nil {
					return err
				}
				if !ok {
					return ErrCancelled
				}
			}
			return deleteCredential(f, cred)
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "delete without asking")
	return cmd
}

// deleteCredential removes cred and reports it on stderr.
func deleteCredential(f *Factory, cred store.Credential) error {
	st, err := f.Store()
	if err != nil {
		return err
	}
	if err := st.Delete(f.context(), cred.Name); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no credential named %q; it may have just been deleted", cred.Name)
		}
		return fmt.Errorf("delete %q: %w", cred.Name, err)
	}
	fmt.Fprintf(f.IO.ErrOut, "%s Deleted %q\n", f.IO.stderrStyles().ok.Render("✓"), cred.Name)
	return nil
}
