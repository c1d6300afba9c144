package ui

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/credwiz/credwiz/store"
)

func newMigrateCmd(f *Factory) *cobra.Command {
	var (
		to    string // --to
		force bool   // --force
	)
	cmd := &cobra.Command{
		Use:   "migrate --to keychain|file|vault",
		Short: "Move every secret to another secret store; the recorded store changes with it",
		Long: `Move every credential's secret of this config dir to another secret store,
and record that store, so that later commands use it:

  credwiz migrate --to keychain   # the OS keychain (macOS Keychain, Windows Credential Manager, Secret Service)
  credwiz migrate --to file       # the encrypted file store (created with a new passphrase if needed)
  credwiz migrate --to vault      # the team store on HashiCorp Vault (VAULT_ADDR, --vault-mount, --vault-path)

From the Vault store to a local one, the credentials are copied (metadata,
secrets and last test) and stay in Vault for the team.

It is crash-safe: the secrets are first written to the target store, then
one write of credentials.json switches stores, then the source store's items
are deleted. Killed at any point, the config dir works with one of the two
stores; credwiz doctor shows what is left in the other, and credwiz doctor
--fix (or running migrate again) removes it. Cached access tokens are not
moved: the next command gets a new one.

When the target keychain already holds an item under a credential's name
that this config dir did not write (another config dir sharing the
keychain saved a credential of the same name), nothing is moved and the
names are listed: rename them here first (credwiz edit NAME --name NEW),
or pass --force to overwrite those items (the other config dir loses them).

Reading from the encrypted file store needs its identity (an unlocked
session, the passphrase, or CREDWIZ_IDENTITY_FILE); the passphrase comes from
CREDWIZ_PASSPHRASE, else one line of stdin when stdin is not a terminal,
else a prompt.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			kind := store.Kind(to)
			if kind != store.KindKeychain && kind != store.KindFile && kind != store.KindVault {
				return usagef("--to must be keychain, file or vault")
			}
			f.passFromStdin = true
			st, err := f.Store()
			if err != nil {
				return err
			}
			from := st.Kind
			if kind == store.KindVault || from == store.KindVault {
				return migrateVault(cmd, f, st, kind)
			}
			fileStore := st.File
			res, err := st.MigrateWith(cmd.Context(), kind, store.MigrateOptions{Force: force})
			if err != nil {
				return fmt.Errorf("migrate to the %s store: %w", kind, err)
			}
			if from == store.KindFile && kind != store.KindFile {
				defer endFileSession(f, fileStore)
			}
			ok := f.IO.stderrStyles().ok.Render("✓")
			if res.Already {
				fmt.Fprintf(f.IO.ErrOut, "%s This config dir already keeps its secrets in the %s store.", ok, kind)
				if res.Removed > 0 {
					fmt.Fprintf(f.IO.ErrOut, " Removed %s an interrupted migration had left.", plural(res.Removed, "item"))
				}
				fmt.Fprintln(f.IO.ErrOut)
				return nil
			}
			fmt.Fprintf(f.IO.ErrOut, "%s Moved the secrets of %s from the %s store to the %s store (%s); removed %s from the %s store.\n",
				ok, plural(res.Moved, "credential"), from, kind, storeLabel(st), plural(res.Removed, "item"), from)
			if kind == store.KindFile {
				fmt.Fprintf(f.IO.ErrOut, "Adding needs no passphrase; reading (and so edit and reauth) does: credwiz unlock opens the store for a while (CREDWIZ_PASSPHRASE or CREDWIZ_IDENTITY_FILE for unattended use).\n")
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&to, "to", "", "the store to move the secrets to: keychain, file or vault")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite items of the target store that another config dir wrote under the same names")
	_ = cmd.RegisterFlagCompletionFunc("to", cobra.FixedCompletions([]string{"keychain", "file", "vault"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// migrateVault moves this config dir's credentials to the Vault store, or
// copies them from it to a local store (they stay in Vault for the team).
func migrateVault(cmd *cobra.Command, f *Factory, st *store.Store, to store.Kind) error {
	from := st.Kind
	ok := f.IO.stderrStyles().ok.Render("✓")
	if from == to {
		fmt.Fprintf(f.IO.ErrOut, "%s This config dir already keeps its credentials in the %s store.\n", ok, to)
		return nil
	}
	dir, err := f.configDir()
	if err != nil {
		return err
	}
	o := f.storeOptions(dir)
	var res store.VaultMigration
	if from == store.KindFile && st.File != nil {
		fileStore := st.File
		defer func() {
			if err == nil {
				endFileSession(f, fileStore)
			}
		}()
	}
	if to == store.KindVault {
		res, err = st.MigrateToVault(cmd.Context(), o)
	} else {
		res, err = st.MigrateFromVault(cmd.Context(), to, o)
	}
	if err != nil {
		return fmt.Errorf("migrate to the %s store: %w", to, err)
	}
	if to == store.KindVault {
		fmt.Fprintf(f.IO.ErrOut, "%s Moved %s from the %s store to Vault (%s); removed %s from the %s store.\n",
			ok, plural(res.Moved, "credential"), from, st.Location, plural(res.Removed, "item"), from)
		return nil
	}
	fmt.Fprintf(f.IO.ErrOut, "%s Copied %s from Vault to the %s store (%s); they stay in Vault for the team.\n",
		ok, plural(res.Moved, "credential"), to, storeLabel(st))
	return nil
}

// endFileSession closes the session credwiz unlock opened on the encrypted
// file store a migration has just left: the identity would otherwise stay
// readable in the kernel keyring, and credwiz lock, now about another
// store, could not close it.
func endFileSession(f *Factory, fs *store.FileStore) {
	if fs == nil {
		return
	}
	if ok, err := fs.Lock(); err == nil && ok {
		fmt.Fprintln(f.IO.ErrOut, "Closed the encrypted file store's unlocked session: its secrets are no longer there.")
	}
}
