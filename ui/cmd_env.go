package ui

import (
	"github.com/spf13/cobra"

	"github.com/credwiz/credwiz/internal/envfmt"
	"github.com/credwiz/credwiz/internal/termsafe"
)

func newEnvCmd(f *Factory) *cobra.Command {
	var format string
	var reveal, withSecrets bool
	var prefixes []string
	cmd := &cobra.Command{
		Use:                   "env NAME... [--format shell|dotenv|json] [--reveal] [--prefix NAME=P]... [--with-secrets]",
		DisableFlagsInUseLine: true,
		Short:                 "Print the variables credwiz exec would set, for eval or a .env file",
		Long: `Print the variables credwiz exec would give a program (see credwiz exec
--help): a currently valid access token, the base URL, the token's expiry and
the account, per credential. --format shell (the default) prints export
lines for eval "$(credwiz env NAME)"; dotenv prints NAME='value' lines for a
.env file; json prints one object. Every value is quoted so that what reads
it back gets it exactly.

The output holds live tokens (and, with --with-secrets, long-lived secrets):
env refuses to print them on a terminal unless --reveal is given. The tokens
are not renewed once printed.

  eval "$(credwiz env prod-drift)"
  credwiz env prod-db --format dotenv > .env && chmod 600 .env`,
		Args:              cobra.ArbitraryArgs,
		ValidArgsFunction: completeNames(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			ef, err := envfmt.ParseFormat(format)
			if err != nil {
				return usagef("--format: %v", err)
			}
			reqs, err := connRequests(f, args, prefixes, withSecrets)
			if err != nil {
				return err
			}
			if f.IO.OutTTY && !reveal {
				return usagef("env prints live tokens; it does not print them on a terminal unless --reveal is given; redirect it (credwiz env NAME > FILE) or use eval \"$(credwiz env NAME)\"")
			}
			cv, err := connect(cmd.Context(), f, reqs, withSecrets)
			if err != nil {
				return err
			}
			vars := make([]envfmt.Var, len(cv.vars))
			for i, v := range cv.vars {
				vars[i] = envfmt.Var{Name: v.Name, Value: v.Value}
			}
			b, err := envfmt.Encode(ef, vars)
			if err != nil {
				return err
			}
			if f.IO.OutTTY {
				// Tokens and URLs come from vendors: on a terminal they
				// are text to read, made safe; elsewhere exact.
				if ef == envfmt.JSON {
					b = termsafe.JSON(b)
				} else {
					b = []byte(termsafe.Text(string(b)))
				}
			}
			_, err = f.IO.Out.Write(b)
			return err
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&format, "format", string(envfmt.Shell), "output format: shell, dotenv or json")
	fl.BoolVar(&reveal, "reveal", false, "print the variables even on a terminal")
	fl.BoolVar(&withSecrets, "with-secrets", false, "add the long-lived secret fields as PREFIX_<FIELD KEY>")
	fl.StringArrayVar(&prefixes, "prefix", nil, "NAME=PREFIX: name credential NAME's variables PREFIX_… instead of its connector ID (repeatable)")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(
		[]string{"shell", "dotenv", "json"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}
