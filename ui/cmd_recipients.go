package ui

import (
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"github.com/credwiz/credwiz/internal/termsafe"
	"github.com/credwiz/credwiz/store"
)

// recipientJSON is one element of recipients list --json.
type recipientJSON struct {
	Key     string `json:"key"`
	Comment string `json:"comment,omitempty"`
	Own     bool   `json:"own"`
}

func newRecipientsCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "recipients",
		Short: "Who can decrypt the encrypted file store: list, add, rm, sync",
		Long: `The encrypted file store encrypts every secret to its recipients: its own
identity (opened by the passphrase) and any public key added here, so that a
server's SSH key or a teammate's age key reads the same secrets with
CREDWIZ_IDENTITY_FILE and no passphrase.

  credwiz recipients list
  credwiz recipients add age1…                       # an age X25519 recipient
  credwiz recipients add ~/.ssh/id_ed25519.pub      # or a file of keys (ssh-ed25519, ssh-rsa, age1…)
  credwiz recipients rm "ssh-ed25519 AAAA…"
  credwiz recipients sync                            # finish an interrupted change

Adding or removing encrypts every secret anew, which needs the store's
identity: an unlocked session, the passphrase, or CREDWIZ_IDENTITY_FILE.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	var asJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List the recipients",
		Args:  noArgs,
		RunE: onFileStore(f, "recipients list", func(cmd *cobra.Command, _ []string, st *store.Store) error {
			rs, err := st.File.Recipients()
			if err != nil {
				return err
			}
			if stale, err := st.File.Stale(); err == nil && len(stale) > 0 {
				fmt.Fprintf(f.IO.ErrOut, "warning: %s not encrypted to these recipients (an interrupted change): credwiz recipients sync finishes it\n", plural(len(stale), "item"))
			}
			if asJSON {
				out := make([]recipientJSON, len(rs))
				for i, r := range rs {
					out[i] = recipientJSON{Key: r.Key, Comment: r.Comment, Own: r.Own}
				}
				return writeJSON(f.IO.Out, out)
			}
			for _, r := range rs {
				fmt.Fprintln(f.IO.Out, termsafe.String(r.String()))
			}
			return nil
		}),
	}
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	add := &cobra.Command{
		Use:   "add KEY|FILE...",
		Short: "Add recipients and encrypt every secret to them too",
		Long: `Add recipients and encrypt every secret to them too. Each argument is a
public key (an age key "age1…", or an SSH key "ssh-ed25519 AAAA…" /
"ssh-rsa AAAA…", quoted) or a file of them, one a line ('#' comments), as a
.pub, authorized_keys or age recipients file. A private key is refused, and
never shown.

It encrypts every secret anew, which needs the store's identity: an
unlocked session (credwiz unlock), the passphrase, or CREDWIZ_IDENTITY_FILE.

  credwiz recipients add age1…                  # an age X25519 recipient
  credwiz recipients add ~/.ssh/id_ed25519.pub`,
		Args: atLeastOneArg("recipients add needs a public key (age1…, \"ssh-ed25519 AAAA…\") or a file of them"),
		RunE: recipientsRun(f, "recipients add", parseRecipientArg, func(cmd *cobra.Command, args []string, st *store.Store, add []store.Recipient) error {
			ch, err := st.ChangeRecipients(cmd.Context(), add, nil)
			reportRecipients(f, ch, err)
			if err != nil && len(ch.Added) == 0 {
				return fmt.Errorf("%s not added: %w", recipientsLabel(add), err)
			}
			return err
		}),
	}
	rm := &cobra.Command{
		Use:   "rm KEY...",
		Short: "Remove recipients and encrypt every secret anew without them",
		Long: `Remove recipients, given as credwiz recipients list prints them, and encrypt
every secret anew without them. The store's own identity cannot be removed.
A removed key can still read any copy of the store made before: rotate the
secrets (credwiz reauth) if that matters.

It needs the store's identity: an unlocked session (credwiz unlock), the
passphrase, or CREDWIZ_IDENTITY_FILE.

  credwiz recipients rm "ssh-ed25519 AAAA…"`,
		Args: atLeastOneArg("recipients rm needs the public key to remove (credwiz recipients list shows them)"),
		RunE: recipientsRun(f, "recipients rm", parseRecipientKey, func(cmd *cobra.Command, args []string, st *store.Store, rs []store.Recipient) error {
			if err := checkRecipients(st, rs); err != nil {
				return err
			}
			ch, err := st.ChangeRecipients(cmd.Context(), nil, args)
			reportRecipients(f, ch, err)
			if err != nil && len(ch.Removed) == 0 {
				return fmt.Errorf("%s still a recipient, nothing was changed: %w", recipientsLabel(rs), err)
			}
			if err == nil && len(ch.Removed) > 0 {
				fmt.Fprintln(f.IO.ErrOut, "A removed key can still read any copy of the store made before: rotate the secrets (credwiz reauth) if that matters.")
			}
			return err
		}),
	}
	sync := &cobra.Command{
		Use:   "sync",
		Short: "Encrypt anew the secrets not encrypted to the current recipients",
		Args:  noArgs,
		RunE: onFileStore(f, "recipients sync", func(cmd *cobra.Command, _ []string, st *store.Store) error {
			ch, err := st.ChangeRecipients(cmd.Context(), nil, nil)
			reportRecipients(f, ch, err)
			return err
		}),
	}
	cmd.AddCommand(list, add, rm, sync)
	return cmd
}

// recipientsRun is the RunE of recipients add and rm: every argument is
// parsed with parse before the store is opened (a mistyped key fails
// before a passphrase is asked), then run gets the store and the keys.
func recipientsRun(f *Factory, what string, parse func(string) ([]store.Recipient, error),
	run func(cmd *cobra.Command, args []string, st *store.Store, rs []store.Recipient) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		var rs []store.Recipient
		for _, a := range args {
			parsed, err := parse(a)
			if err != nil {
				return err
			}
			rs = append(rs, parsed...)
		}
		st, err := fileStore(f, what)
		if err != nil {
			return err
		}
		return run(cmd, args, st, rs)
	}
}

// reportRecipients says what a change of recipients did: the keys added
// or removed only once the recipients list holding the change is
// written, and the items encrypted anew.
func reportRecipients(f *Factory, ch store.RecipientsChange, err error) {
	ok := f.IO.stderrStyles().ok.Render("✓")
	for _, r := range ch.Added {
		fmt.Fprintf(f.IO.ErrOut, "%s Added %s\n", ok, termsafe.String(r.String()))
	}
	for _, r := range ch.Removed {
		fmt.Fprintf(f.IO.ErrOut, "%s Removed %s\n", ok, termsafe.String(r.String()))
	}
	switch {
	case err != nil && ch.Reencrypted == 0:
		// The error says what happened.
	case err != nil:
		fmt.Fprintf(f.IO.ErrOut, "Encrypted %s anew to the current recipients; the others failed (below): credwiz recipients sync retries them.\n", plural(ch.Reencrypted, "item"))
	case len(ch.Added)+len(ch.Removed) == 0 && ch.Reencrypted == 0:
		fmt.Fprintln(f.IO.ErrOut, "Nothing to change: every secret is encrypted to the current recipients.")
	default:
		fmt.Fprintf(f.IO.ErrOut, "Encrypted %s anew to the current recipients.\n", plural(ch.Reencrypted, "item"))
	}
}

// checkRecipients refuses keys that are not recipients of st, or its
// own identity, before anything is tried.
func checkRecipients(st *store.Store, rs []store.Recipient) error {
	cur, err := st.File.Recipients()
	if err != nil {
		return err
	}
	for _, r := range rs {
		i := slices.IndexFunc(cur, func(c store.Recipient) bool { return c.Key == r.Key })
		switch {
		case i < 0:
			return usagef("%s not a recipient of this store (credwiz recipients list shows them)", recipientsLabel([]store.Recipient{r}))
		case cur[i].Own:
			return usagef("the store's own identity cannot be removed: it is what the passphrase and credwiz unlock open")
		}
	}
	return nil
}

// recipientsLabel names keys in an error: the first one, shortened, and
// how many others.
func recipientsLabel(rs []store.Recipient) string {
	if len(rs) == 0 {
		return "no key"
	}
	label := rs[0].Key
	if len(label) > 32 {
		label = label[:32] + "…"
	}
	if rs[0].Comment != "" {
		label += " " + rs[0].Comment
	}
	switch len(rs) {
	case 1:
		return label + " is"
	case 2:
		return label + " and 1 other key are"
	}
	return fmt.Sprintf("%s and %d other keys are", label, len(rs)-1)
}
