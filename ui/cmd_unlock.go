package ui

import (
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"github.com/credwiz/credwiz/internal/termsafe"
	"github.com/credwiz/credwiz/store"
)

// maxUnlockFor is the longest session unlock opens.
const maxUnlockFor = 30 * 24 * time.Hour

func newUnlockCmd(f *Factory) *cobra.Command {
	d := store.DefaultUnlockFor
	cmd := &cobra.Command{
		Use:   "unlock [--for DURATION]",
		Short: "Open the encrypted file store for a while, so that commands read secrets without asking",
		Long: `Decrypt the encrypted file store's identity once, with its passphrase, and keep
it in the Linux kernel keyring (a key of your login session's keyring, never
written to disk) for --for (default 15m): until then, or until credwiz lock,
commands read secrets without asking for the passphrase.

The passphrase comes from CREDWIZ_PASSPHRASE, else from one line of stdin
when stdin is not a terminal, else from a prompt (three tries).

add, rm, a rename and a description change never need the passphrase; edit
of a setting or secret and reauth read the saved secrets first, so they do.

On other systems than Linux, keep the secrets in the OS keychain instead
(credwiz migrate --to keychain), which the OS unlocks with your login.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if d <= 0 || d > maxUnlockFor {
				return usagef("--for must be between 1s and %s, e.g. 15m or 8h", maxUnlockFor)
			}
			st, err := fileStore(f, "unlock")
			if err != nil {
				return err
			}
			until, err := st.File.Unlock(d)
			if errors.Is(err, store.ErrNoSession) {
				return noSessionError(err)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(f.IO.ErrOut, "%s Unlocked the encrypted file store (%s) until %s (%s); credwiz lock locks it again.\n",
				f.IO.stderrStyles().ok.Render("✓"), st.File.Dir(), until.Local().Format("15:04"), d)
			return nil
		},
	}
	cmd.Flags().DurationVar(&d, "for", d, "how long the store stays open")
	return cmd
}

func newLockCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "lock",
		Short: "Close the encrypted file store's session opened by credwiz unlock",
		Long: `Forget the decrypted identity that credwiz unlock keeps in the kernel keyring:
reading a secret asks for the passphrase again. Locking a store that is not
unlocked is fine.`,
		Args: noArgs,
		RunE: onFileStore(f, "lock", func(cmd *cobra.Command, _ []string, st *store.Store) error {
			ok, err := st.File.Lock()
			if errors.Is(err, store.ErrNoSession) {
				return noSessionError(err)
			}
			if err != nil {
				return err
			}
			if ok {
				fmt.Fprintf(f.IO.ErrOut, "%s Locked the encrypted file store (%s).\n", f.IO.stderrStyles().ok.Render("✓"), termsafe.String(st.File.Dir()))
			} else {
				fmt.Fprintf(f.IO.ErrOut, "The encrypted file store (%s) was not unlocked; nothing to do.\n", termsafe.String(st.File.Dir()))
			}
			return nil
		}),
	}
}

// fileStore returns the store of a command about the encrypted file store
// (what), which reads its passphrase from stdin when stdin is not a
// terminal; an error when the config dir uses another store.
func fileStore(f *Factory, what string) (*store.Store, error) {
	f.passFromStdin = true
	st, err := f.Store()
	if err != nil {
		return nil, err
	}
	if st.File == nil {
		return nil, fmt.Errorf("credwiz %s is for the encrypted file store, and this config dir keeps its secrets in the %s store (%s): nothing to do; credwiz migrate --to file moves them to the encrypted file",
			what, st.Kind, storeLabel(st))
	}
	return st, nil
}

// onFileStore is the RunE of a command about the encrypted file store
// (what): run gets the store, or the command fails as fileStore does.
func onFileStore(f *Factory, what string, run func(cmd *cobra.Command, args []string, st *store.Store) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		st, err := fileStore(f, what)
		if err != nil {
			return err
		}
		return run(cmd, args, st)
	}
}

// noSessionError explains that no session can be kept on this system.
func noSessionError(err error) error {
	if runtime.GOOS != "linux" {
		return fmt.Errorf("credwiz unlock keeps the decrypted identity in the Linux kernel keyring, which %s does not have: keep the secrets in the OS keychain instead (credwiz migrate --to keychain), which the OS unlocks with your login; for unattended use set CREDWIZ_PASSPHRASE or CREDWIZ_IDENTITY_FILE", runtime.GOOS)
	}
	return fmt.Errorf("credwiz unlock cannot keep a session here: %w; set CREDWIZ_PASSPHRASE or CREDWIZ_IDENTITY_FILE for unattended use, or type the passphrase when asked", err)
}
