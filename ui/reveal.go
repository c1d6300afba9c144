package ui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/internal/termsafe"
	"github.com/credwiz/credwiz/store"
)

// revealSecret prints the value of cred's secret field key on stdout: a
// usage error for a key that is not a secret field of c, and on a
// terminal only after the operator confirmed (it cannot be confirmed with
// --no-input there: a usage error).
func revealSecret(f *Factory, c *connectors.Connector, cred store.Credential, key string) error {
	keys := c.SecretKeys()
	if !slices.Contains(keys, key) {
		if fd, ok := c.Field(key); ok && !fd.Secret {
			return usagef("%s is not a secret field (credwiz show %s prints it); the secret keys of %s are: %s", key, cred.Name, c.Name, joinComma(keys))
		}
		return usagef("%q is not a secret field of %s%s; the secret keys are: %s", key, c.Name, didYouMean(key, keys), joinComma(keys))
	}
	fd, _ := c.Field(key)
	if f.IO.OutTTY {
		if !f.CanPrompt() {
			return usagef("show --reveal prints a secret on a terminal only after asking; run it where it can ask, or redirect stdout")
		}
		ok, err := confirmGuarded(f, "reveal", fmt.Sprintf("Show the %s of %q on this terminal?", fd.Title, cred.Name))
		if err != nil {
			return err
		}
		if !ok {
			return ErrCancelled
		}
	}
	st, err := f.Store()
	if err != nil {
		return err
	}
	sec, err := st.Secret(cred)
	if err != nil && !isNotFound(err) {
		return err
	}
	v, ok := sec[key]
	if !ok || v == "" {
		return fmt.Errorf("%q has no %s saved; run credwiz reauth %s to enter it", cred.Name, key, cred.Name)
	}
	// The value goes to the terminal itself, not above a question (the
	// encrypted file's passphrase was asked by now).
	f.closePrompter()
	if f.IO.OutTTY {
		// What the keychain holds is not trusted with the terminal.
		if safe := termsafe.String(v); safe != v {
			fmt.Fprintf(f.IO.ErrOut, "warning: the %s holds characters a terminal would act on; they are shown as symbols: redirect stdout for the exact value\n", key)
			v = safe
		}
	}
	_, err = fmt.Fprintln(f.IO.Out, v)
	return err
}

// completeSecretKeys completes --reveal with the secret keys of the
// credential named in args.
func completeSecretKeys(f *Factory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) != 1 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		_, c, err := loadMeta(f, args[0])
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		for _, k := range c.SecretKeys() {
			if strings.HasPrefix(k, toComplete) {
				out = append(out, k)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}
