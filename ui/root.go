package ui

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/credwiz/credwiz/store"
)

// NewRoot returns the credwiz command with every subcommand.
func NewRoot(f *Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "credwiz",
		Short: "Add, test and keep SaaS connector credentials in the OS keychain",
		Long: wrapHelp("credwiz adds credentials for SaaS connectors ("+joinComma(connectorNames(f))+"), "+
			"tests them live against the vendor's API, keeps the secrets in the OS keychain (or an encrypted file), "+
			"and re-authenticates them when a password expires.") + "\n\nRun credwiz with no command for the home menu.",
		Version:       f.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				var names []string
				for _, c := range cmd.Commands() {
					if c.IsAvailableCommand() {
						names = append(append(names, c.Name()), c.Aliases...)
					}
				}
				if sug, ok := suggest(args[0], names); ok {
					return usageHelpf("unknown command %q; did you mean %s? (credwiz --help lists the commands)", args[0], sug)
				}
				return usageHelpf("unknown command %q; run credwiz --help for the commands", args[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runHome(cmd.Context(), f)
		},
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			// The command's context ends on SIGINT/SIGTERM (main), and on
			// Ctrl-C typed while the terminal session reads the keys (the
			// terminal sends no signal then).
			ctx, cancel := context.WithCancel(cmd.Context())
			cmd.SetContext(ctx)
			f.ctx, f.cancel = ctx, cancel
			if err := checkGlobals(f); err != nil {
				return err
			}
			if cmd.Name() != "exec" { // exec hands the terminal to its program as it is
				f.holdTerminal()
			}
			return nil
		},
	}
	root.SetVersionTemplate("credwiz version {{.Version}}\n")
	root.SuggestionsMinimumDistance = 2
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.SetIn(f.IO.In)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		// pflag quotes the argument it could not parse: an argument of
		// many lines (a pasted key file) is cut to its first line.
		if first, _, cut := strings.Cut(err.Error(), "\n"); cut {
			err = fmt.Errorf("%s (the rest of that argument is not shown)", first)
		}
		return &UsageError{Err: err}
	})

	pf := root.PersistentFlags()
	pf.BoolVar(&f.NoInput, "no-input", false, "never prompt; missing input is a usage error")
	pf.StringVar(&f.StoreKind, "store", "", "secret store: auto, keychain, file or vault (default $CREDWIZ_STORE or auto)")
	pf.StringVar(&f.VaultMount, "vault-mount", "", "Vault store: the KV version 2 mount (default the recorded one, else secret)")
	pf.StringVar(&f.VaultPath, "vault-path", "", "Vault store: the folder under the mount (default the recorded one, else credwiz)")
	pf.StringVar(&f.ConfigDir, "config-dir", "", "config directory (default $CREDWIZ_CONFIG_DIR or the OS config dir)")
	pf.DurationVar(&f.Timeout, "timeout", f.Timeout, "timeout of each HTTP request to a vendor or to Vault")
	pf.BoolVar(&f.Accessible, "accessible", false, "accessible mode: plain prompts for screen readers (also $ACCESSIBLE)")
	_ = root.RegisterFlagCompletionFunc("store", cobra.FixedCompletions(
		[]string{"auto", "keychain", "file", "vault"}, cobra.ShellCompDirectiveNoFileComp))

	root.AddCommand(
		newAddCmd(f),
		newListCmd(f),
		newShowCmd(f),
		newTestCmd(f),
		newReauthCmd(f),
		newEditCmd(f),
		newRmCmd(f),
		newTokenCmd(f),
		newExecCmd(f),
		newEnvCmd(f),
		newConnectorsCmd(f),
		newDoctorCmd(f),
		newHistoryCmd(f),
		newUnlockCmd(f),
		newLockCmd(f),
		newRecipientsCmd(f),
		newPassphraseCmd(f),
		newMigrateCmd(f),
		&cobra.Command{
			Use: "version", Short: "Print credwiz's version", Hidden: true, Args: noArgs,
			Run: func(cmd *cobra.Command, _ []string) { fmt.Fprintf(f.IO.Out, "credwiz version %s\n", f.Version) },
		},
	)
	root.CompletionOptions.HiddenDefaultCmd = false
	closeAfter(root, f)
	return root
}

// closeAfter makes every command end the terminal session it may have
// started (restoring the terminal) when it returns, or panics.
func closeAfter(cmd *cobra.Command, f *Factory) {
	if run := cmd.RunE; run != nil {
		cmd.RunE = func(c *cobra.Command, args []string) error {
			defer f.closePrompter()
			return run(c, args)
		}
	}
	for _, sub := range cmd.Commands() {
		closeAfter(sub, f)
	}
}

// checkGlobals validates the global flags before any command runs.
func checkGlobals(f *Factory) error {
	if f.StoreKind != "" {
		switch store.Kind(f.StoreKind) {
		case store.KindAuto, store.KindKeychain, store.KindFile, store.KindVault:
		default:
			return usagef("--store %q is not a store; use auto, keychain, file or vault", f.StoreKind)
		}
	}
	if k := f.Getenv("CREDWIZ_STORE"); k != "" && f.StoreKind == "" {
		switch store.Kind(k) {
		case store.KindAuto, store.KindKeychain, store.KindFile, store.KindVault:
		default:
			return usagef("CREDWIZ_STORE=%q is not a store; use auto, keychain, file or vault", k)
		}
	}
	if f.Timeout <= 0 {
		return usagef("--timeout must be positive, e.g. 15s")
	}
	return nil
}

// noArgs rejects positional arguments with a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageHelpf("%s takes no arguments; see %s --help", cmd.CommandPath(), cmd.CommandPath())
	}
	return nil
}

// atLeastOneArg is the Args of a command that needs one argument or more:
// without any, the usage error msg.
func atLeastOneArg(msg string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) == 0 {
			return usagef("%s", msg)
		}
		return nil
	}
}

func joinComma(a []string) string { return strings.Join(a, ", ") }
