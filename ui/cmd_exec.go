package ui

import (
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/internal/mask"
	"github.com/credwiz/credwiz/internal/termsafe"
)

func newExecCmd(f *Factory) *cobra.Command {
	var prefixes []string
	var noMasking, withSecrets bool
	cmd := &cobra.Command{
		Use:                   "exec NAME... [--prefix NAME=P]... [--no-masking] [--with-secrets] -- COMMAND [ARGS]...",
		DisableFlagsInUseLine: true,
		Short:                 "Run a program with credentials' access tokens in its environment",
		Long: `Run COMMAND with each credential's connection in its environment, so that
the program never needs the long-lived secret nor a shell variable holding it:

  PREFIX_ACCESS_TOKEN      a currently valid access token (the cached one, or a new
                           one); for Drift and UpPromote, the key itself
  PREFIX_BASE_URL          the API's base URL (Salesforce: SALESFORCE_INSTANCE_URL,
                           the org's instance URL from the token)
  PREFIX_TOKEN_EXPIRES_AT  when the token expires (RFC 3339); absent for keys that
                           do not expire
  PREFIX_ACCOUNT           the account the last passing test reached; absent until
                           a test of the current values passed

PREFIX is the connector ID upper-cased (DEMANDBASE, SALESFORCE, UPPROMOTE,
CLAZAR, DRIFT); two credentials of one connector need --prefix NAME=P for one
of them. The long-lived secrets (client secrets, passwords, security tokens)
are not given unless --with-secrets, which adds PREFIX_<FIELD KEY> for each
secret field. CREDWIZ_PASSPHRASE, CREDWIZ_NEW_PASSPHRASE, CREDWIZ_IDENTITY_FILE
and CREDWIZ_SECRET_* are removed from the program's environment.

exec limits what it hands over, not what the program can reach: the program
runs as you and can read whatever your account can (the OS keychain, the
encrypted file store while credwiz unlock keeps it open, ~/.vault-token),
and masking covers only the values handed over. Run a program you do not
trust as another user or in a sandbox, after credwiz lock.

Every token and secret handed over is replaced by <credwiz:NAME:KEY> in the
program's stdout and stderr, which then reach the terminal through pipes (a
program may turn its colours off); the rest passes unchanged, as it is
written. --no-masking gives the program credwiz's own stdout, stderr and
terminal.

If a token cannot be had, exec fails before COMMAND starts, as credwiz test
would explain it. A token is not renewed while the program runs: one that
expires during a long run stops working (see PREFIX_TOKEN_EXPIRES_AT).

stdin is the program's; SIGTERM, SIGHUP, SIGUSR1, SIGUSR2 and (unless the
terminal sent them to both) SIGINT, SIGQUIT and SIGWINCH are passed to it.
credwiz exits with the program's exit code, or 128+N when signal N killed it,
as a shell reports it (127: command not found, 126: not executable).

  credwiz exec prod-drift -- sh -c 'curl -sH "Authorization: Bearer $DRIFT_ACCESS_TOKEN" "$DRIFT_BASE_URL/users/list"'
  credwiz exec prod-sf dev-sf --prefix dev-sf=DEV_SF -- python3 compare.py`,
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			// After --, the command: files. (cobra's completion parses the
			// flags twice, once with a -- of its own, so ArgsLenAtDash
			// cannot tell; the command line can.)
			if len(f.args) > 0 && slices.Contains(f.args[:len(f.args)-1], "--") {
				return nil, cobra.ShellCompDirectiveDefault
			}
			return completeNames(f)(cmd, args, toComplete)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			dash := cmd.ArgsLenAtDash()
			if dash < 0 {
				return usagef("put -- between the credential names and the command: credwiz exec NAME... -- COMMAND [ARGS]")
			}
			names, argv := args[:dash], args[dash:]
			if len(argv) == 0 || argv[0] == "" {
				return usagef("name the command to run after --: credwiz exec NAME... -- COMMAND [ARGS]")
			}
			reqs, err := connRequests(f, names, prefixes, withSecrets)
			if err != nil {
				return err
			}
			cv, err := connect(cmd.Context(), f, reqs, withSecrets)
			if err != nil {
				return err
			}
			if !noMasking {
				warnShortMasks(f, cv.secrets)
			}
			// A passphrase may have been asked: the terminal is the
			// program's from now on.
			f.closePrompter()
			return runProgram(f, program{
				argv:    argv,
				env:     programEnv(f.environ(), cv.vars),
				masked:  !noMasking,
				secrets: cv.secrets,
			})
		},
	}
	// A flag of the command's own before -- is taken for credwiz's.
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return usagef("%v; if it is the command's, put -- before the command: credwiz exec NAME... -- COMMAND [ARGS]", err)
	})
	fl := cmd.Flags()
	fl.StringArrayVar(&prefixes, "prefix", nil, "NAME=PREFIX: name credential NAME's variables PREFIX_… instead of its connector ID (repeatable)")
	fl.BoolVar(&noMasking, "no-masking", false, "pass the program's output through untouched, on credwiz's own terminal")
	fl.BoolVar(&withSecrets, "with-secrets", false, "also give the long-lived secret fields, as PREFIX_<FIELD KEY>")
	return cmd
}

// warnShortMasks warns of each value to mask that is shorter than a
// secret may be (a vendor's token of a few characters, a value saved
// before the minimum): it is masked all the same, so its label replaces
// every occurrence of those characters in the program's output.
func warnShortMasks(f *Factory, secrets []mask.Secret) {
	for _, s := range secrets {
		if n := utf8.RuneCountInString(s.Value); n > 0 && n < connectors.MinSecretLen {
			fmt.Fprintf(f.IO.ErrOut, "warning: the value shown as %s is only %s long: its label replaces every occurrence of it in the output (--no-masking passes the output untouched)\n", termsafe.String(s.Label), plural(n, "character"))
		}
	}
}
