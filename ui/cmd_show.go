package ui

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/internal/termsafe"
	"github.com/credwiz/credwiz/store"
)

// maskSecret masks a secret value: eight bullets, then, for a key or token
// (connectors.MaskTail) long enough (12+) for that to reveal little, its
// last four characters. Passwords and client secrets show nothing.
func maskSecret(s string, m connectors.Mask) string {
	r := []rune(s)
	if m == connectors.MaskTail && len(r) >= 12 {
		return "••••••••" + string(r[len(r)-4:])
	}
	return "••••••••"
}

func newShowCmd(f *Factory) *cobra.Command {
	var asJSON bool
	var reveal string
	cmd := &cobra.Command{
		Use:   "show NAME [--json | --reveal KEY]",
		Short: "Show one credential, secrets masked",
		Long: `Show one credential: its settings, when it was saved and tested, and when its
password or token expires. Secrets are masked: passwords and client secrets
completely, keys and tokens but for at most their last 4 characters. show reads the secret store once to check the secrets
are there; if it cannot, it says so and shows the rest.

--reveal KEY prints one secret value instead, alone on stdout, e.g. for a
tool that needs the secret itself; on a terminal only after a confirmation.
  credwiz show prod-db --reveal client_secret | pbcopy`,
		Args:              nameArg(f),
		ValidArgsFunction: completeNames(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, err := nameOrPick(f, args, "show")
			if err != nil {
				return err
			}
			if cmd.Flags().Changed("reveal") && asJSON {
				return usagef("show takes --json or --reveal, not both")
			}
			cred, c, err := loadMeta(f, name)
			if err != nil {
				return err
			}
			if cmd.Flags().Changed("reveal") {
				return revealSecret(f, c, cred, reveal)
			}
			masked, secErr := maskedSecrets(f, c, cred)
			if secErr != nil {
				fmt.Fprintf(f.IO.ErrOut, "warning: secrets not checked: %s\n", termsafe.Text(Explain(secErr)))
			}
			now := f.Now()
			if asJSON {
				return writeCredentialJSON(f.IO, now, c, cred, masked)
			}
			printCredential(f.IO, now, c, cred, masked)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().StringVar(&reveal, "reveal", "", "print the value of the secret field KEY (asks first on a terminal)")
	_ = cmd.RegisterFlagCompletionFunc("reveal", completeSecretKeys(f))
	return cmd
}

// maskedSecrets reads cred's secrets once and masks each as its field of c
// says; a secret listed in the metadata but absent from the store is shown
// as "(missing)".
func maskedSecrets(f *Factory, c *connectors.Connector, cred store.Credential) (map[string]string, error) {
	out := map[string]string{}
	for _, k := range cred.SecretKeys {
		out[k] = "(not checked)"
	}
	st, err := f.Store()
	if err != nil {
		return out, err
	}
	sec, err := st.Secret(cred)
	if err != nil && !isNotFound(err) {
		return out, err
	}
	for _, k := range cred.SecretKeys {
		if v, ok := sec[k]; ok {
			fd, _ := c.Field(k) // a key the connector no longer declares: MaskAll
			out[k] = maskSecret(v, fd.Mask)
		} else {
			out[k] = "(missing: run credwiz reauth " + cred.Name + ")"
		}
	}
	return out, nil
}

// printCredential prints one credential as labelled lines. The texts of
// the index (and what it recorded of the vendor's answers) pass through
// termsafe, one line each.
func printCredential(io *IOStreams, now time.Time, c *connectors.Connector, cred store.Credential, masked map[string]string) {
	st := io.stdoutStyles()
	w := colorWriter(io.Out, !io.ColorOut())
	// Labels are padded before they are styled, so colour codes do not
	// count towards the alignment.
	lw := len("Secrets updated:")
	for _, fd := range c.Fields {
		lw = max(lw, len([]rune(fd.Title))+1)
	}
	line := func(label, value string) {
		fmt.Fprintf(w, "%s %s\n", st.dim.Render(fmt.Sprintf("%-*s", lw, label+":")), value)
	}
	safe := termsafe.String
	fmt.Fprintf(w, "%s  %s\n", st.bold.Render(safe(cred.Name)), c.Name)
	if cred.Description != "" {
		line("Description", safe(cred.Description))
	}
	for _, fd := range c.Fields {
		if fd.Secret {
			if v, ok := masked[fd.Key]; ok {
				line(fd.Title, safe(v))
			}
			continue
		}
		if v := cred.Fields[fd.Key]; v != "" {
			line(fd.Title, safe(v))
		}
	}
	line("Created", stamp(now, cred.CreatedAt))
	line("Secrets updated", stamp(now, cred.SecretsUpdatedAt))
	if exp, soon := expiryText(now, c, cred); exp != "" {
		if soon {
			exp = st.warn.Render(exp)
		}
		line("Expires", exp)
	}
	lt := cred.Tested()
	switch {
	case lt == nil && cred.LastTest != nil:
		line("Last test", st.warn.Render(untestedChange)+" — run credwiz test "+safe(cred.Name))
		return
	case lt == nil:
		line("Last test", "never — run credwiz test "+safe(cred.Name))
		return
	}
	status := st.ok.Render("✓ passed")
	if !lt.OK {
		status = st.fail.Render("✗ failed")
	}
	line("Last test", status+" "+stamp(now, lt.At))
	if lt.Account != "" {
		line("Account", safe(lt.Account))
	}
	if lt.Message != "" {
		line("Failure", safe(lt.Message))
	}
	if !lt.OK {
		line("Next", failureNext(lt.Class, safe(cred.Name)))
	}
	for _, wmsg := range lt.Warnings {
		line("Warning", safe(wmsg))
	}
}

func stamp(now, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Local().Format("2006-01-02 15:04") + " (" + ago(now, t) + ")"
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// failureNext is the next step after a failed test of class (a
// connectors.ClassName) of the credential name, as test says it.
func failureNext(class, name string) string {
	switch class {
	case "rejected":
		return "if a secret was reset, rotated or expired: credwiz reauth " + name + "; else credwiz test " + name
	case "forbidden":
		return "grant the missing permission to the key or user, then credwiz test " + name
	}
	return "credwiz test " + name + " again (credwiz reauth " + name + " if the secret changed)"
}
