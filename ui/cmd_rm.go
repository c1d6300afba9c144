package ui

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/credwiz/credwiz/internal/termsafe"
	"github.com/credwiz/credwiz/store"
)

func newRmCmd(f *Factory) *cobra.Command {
	var yes, destroy bool
	cmd := &cobra.Command{
		Use:     "rm NAME",
		Aliases: []string{"delete", "remove"},
		Short:   "Delete a credential: its metadata, secrets and cached token",
		Long: `Delete a credential: its metadata first, then its secrets and cached token
from the secret store. Asks for confirmation unless --yes; when not run at a
terminal, --yes is required.

With the Vault store, rm deletes the credential's latest version: a Vault
admin can recover it (vault kv undelete, then vault kv rollback).
rm --destroy destroys every version of it for good.`,
		Args:              nameArg(f),
		ValidArgsFunction: completeNames(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			cred, c, err := pickMeta(f, args, homeDelete)
			if err != nil && cred.Name == "" {
				return err
			}
			name := cred.Name
			// A credential of a connector this credwiz does not know can
			// still be deleted: rm needs only its metadata.
			what := cred.Connector
			if c != nil {
				what = c.Name
			}
			st, err := f.Store()
			if err != nil {
				return err
			}
			if destroy && st.Kind != store.KindVault {
				return usagef("--destroy is for the Vault store, which keeps every version; the %s store keeps none: drop --destroy", st.Kind)
			}
			if !yes {
				if !f.CanPrompt() {
					return usagef("rm asks for confirmation; pass --yes to delete %q without asking", name)
				}
				q := fmt.Sprintf("Delete %s credential %q and its secrets?", what, name)
				switch {
				case destroy:
					q = fmt.Sprintf("Destroy every version of %s credential %q in Vault (%s)? This cannot be undone.", what, name, st.Location)
				case st.Kind == store.KindVault:
					q = fmt.Sprintf("Delete %s credential %q from Vault (%s)? A Vault admin can recover it; --destroy would destroy every version.", what, name, st.Location)
				}
				ok, err := confirmGuarded(f, "delete", q)
				if err != nil {
					return err
				}
				if !ok {
					return ErrCancelled
				}
			}
			return removeCredential(f, cred, destroy)
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "delete without asking")
	cmd.Flags().BoolVar(&destroy, "destroy", false, "Vault store: destroy every version for good (rm alone keeps them for an admin to recover)")
	return cmd
}

// deleteCredential removes cred and reports it on stderr.
func deleteCredential(f *Factory, cred store.Credential) error {
	return removeCredential(f, cred, false)
}

// removeCredential removes cred (with destroy, every Vault version of
// it) and reports it on stderr.
func removeCredential(f *Factory, cred store.Credential, destroy bool) error {
	st, err := f.Store()
	if err != nil {
		return err
	}
	remove := st.Delete
	if destroy {
		remove = st.Destroy
	}
	err = remove(f.context(), cred.Name)
	if errors.Is(err, store.ErrCleanup) {
		// Deleted; what is left is for doctor: say so, succeed.
		fmt.Fprintf(f.IO.ErrOut, "warning: %s\n", termsafe.Text(Explain(err)))
		err = nil
	}
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no credential named %q; it may have just been deleted", cred.Name)
		}
		return about("delete", cred.Name, err)
	}
	ok := f.IO.stderrStyles().ok.Render("✓")
	switch {
	case destroy:
		fmt.Fprintf(f.IO.ErrOut, "%s Destroyed every version of %q in Vault\n", ok, cred.Name)
	case st.Kind == store.KindVault:
		fmt.Fprintf(f.IO.ErrOut, "%s Deleted %q from Vault; a Vault admin can recover version %d (vault kv undelete -versions=%d, then vault kv rollback -version=%d, then credwiz doctor --fix puts it back in the list)\n",
			ok, cred.Name, cred.Revision, cred.Revision, cred.Revision)
	default:
		fmt.Fprintf(f.IO.ErrOut, "%s Deleted %q\n", ok, cred.Name)
	}
	return nil
}
