package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/internal/termsafe"
	"github.com/credwiz/credwiz/store"
)

// maxDescription is the longest description accepted, in bytes.
const maxDescription = 1024

// addOptions are add's flags.
type addOptions struct {
	name, description string
	in                scriptedInput
	noTest, force     bool
	asJSON            bool
}

// scripted reports whether any of cmd's own flags was given: with one,
// add, edit and reauth run scripted even at a terminal.
func scripted(cmd *cobra.Command) bool {
	given := false
	cmd.LocalFlags().VisitAll(func(fl *pflag.Flag) { given = given || fl.Changed })
	return given
}

func newAddCmd(f *Factory) *cobra.Command {
	o := &addOptions{}
	cmd := &cobra.Command{
		Use:   "add [CONNECTOR]",
		Short: "Add a credential: the Add New Credential wizard, or scripted",
		Long: `Add a credential. At a terminal, with no flags, this is the Add New Credential
wizard: pick the connector, name and describe the credential, fill in the
connection settings, and credwiz tests them live before saving.

Scripted (no prompts; also whenever stdin is not a terminal or --no-input
is set):

  credwiz add CONNECTOR --name NAME [--description TEXT] [--field KEY=VALUE]...
      [--secrets-stdin] [--no-test] [--force]

Non-secret fields come from --field. Secret fields are refused on the
command line (they would land in shell history and ps): pass them on stdin
with --secrets-stdin, one KEY=VALUE per line, or in CREDWIZ_SECRET_<KEY>.
The live test runs unless --no-test; a failed test saves nothing (exit 1)
unless --force. An existing name is exit 1 unless --force replaces it.
credwiz connectors lists every connector's field keys.` + addExample(f.Connectors()),
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageHelpf("add takes at most one CONNECTOR; see credwiz add --help")
			}
			return nil
		},
		ValidArgsFunction: completeConnectors(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			var c *connectors.Connector
			if len(args) == 1 {
				var err error
				if c, err = f.connector(args[0]); err != nil {
					return err
				}
			}
			if f.CanPrompt() && !scripted(cmd) {
				return runAddWizard(cmd.Context(), f, c)
			}
			if c == nil {
				return usagef("add needs a CONNECTOR when not run interactively; one of: %s", joinComma(connectorIDs(f)))
			}
			return addScripted(cmd.Context(), f, c, o)
		},
	}
	o.declare(cmd, f, optionsHelp{
		name:        "credential name (letters, digits, '.', '_', '-'; 1–64)",
		description: "what the credential is for (recommended)",
		stdin:       "read secret fields from stdin, one KEY=VALUE per line",
		force:       "save even if the test fails, and replace an existing credential",
	})
	return cmd
}

// optionsHelp is what add's and edit's flags say, where they differ.
type optionsHelp struct {
	name, description, stdin, force string
	// fromName: --field completes the keys of the credential NAME names
	// (edit), not of the CONNECTOR argument (add).
	fromName bool
}

// declare declares add's flags (and edit's, the same) on cmd.
func (o *addOptions) declare(cmd *cobra.Command, f *Factory, h optionsHelp) {
	fl := cmd.Flags()
	fl.StringVar(&o.name, "name", "", h.name)
	fl.StringVar(&o.description, "description", "", h.description)
	o.in.declare(cmd, f, "a non-secret field as KEY=VALUE (repeatable)", h.stdin, h.fromName)
	fl.BoolVar(&o.noTest, "no-test", false, "save without the live test")
	fl.BoolVar(&o.force, "force", false, h.force)
	fl.BoolVar(&o.asJSON, "json", false, "print the test report as JSON")
}

func connectorIDs(f *Factory) []string {
	var ids []string
	for _, c := range f.Connectors() {
		ids = append(ids, c.ID)
	}
	return ids
}

// collectScripted gathers and validates a scripted add's values: every
// missing required field (name included) is listed at once.
func collectScripted(f *Factory, c *connectors.Connector, name string, in scriptedInput, needName bool) (connectors.Values, error) {
	v, err := in.gather(f, c)
	if err != nil {
		return nil, err
	}
	v = c.Normalize(v)
	verr := c.Validate(v)
	var missing *connectors.MissingError
	var keys []string
	if needName && name == "" {
		keys = append(keys, "name (--name)")
	}
	if errors.As(verr, &missing) {
		keys = append(keys, missing.Keys...)
	} else if verr != nil {
		return nil, &UsageError{Err: verr}
	}
	if len(keys) > 0 {
		return nil, usagef("missing required field(s): %s; pass non-secret fields with --field KEY=VALUE and secrets with --secrets-stdin or CREDWIZ_SECRET_<KEY>", strings.Join(keys, ", "))
	}
	return v, nil
}

// checkDescription rejects a description that is too long, is not valid
// UTF-8, or holds a character termsafe would replace: controls, bidi
// controls, zero-width characters, line separators.
func checkDescription(d string) error {
	if p := descriptionProblem(d); p != "" {
		return usagef("--description: %s", p)
	}
	return nil
}

// descriptionProblem says what is wrong with description d, or "".
func descriptionProblem(d string) string {
	if len(d) > maxDescription {
		return fmt.Sprintf("too long (%d bytes; at most %d)", len(d), maxDescription)
	}
	if err := termsafe.Check(d); err != nil {
		return err.Error() + "; a description is one line of letters, digits, punctuation, symbols and spaces, without control, bidi or invisible characters"
	}
	return ""
}

// addScripted is add without prompts.
func addScripted(ctx context.Context, f *Factory, c *connectors.Connector, o *addOptions) error {
	if o.name != "" {
		if err := validateName(o.name); err != nil {
			return err
		}
	}
	o.description = strings.TrimSpace(o.description)
	if err := checkDescription(o.description); err != nil {
		return err
	}
	v, err := collectScripted(f, c, o.name, o.in, true)
	if err != nil {
		return err
	}
	printWarnings(f, c, v)
	ix, err := f.Index()
	if err != nil {
		return err
	}
	if _, err := ix.Get(o.name); err == nil && !o.force {
		return fmt.Errorf("a credential named %q already exists; choose another --name, or pass --force to replace it", o.name)
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	// Make sure the secret store can save before the test sends the
	// secret anywhere.
	if _, err := f.readyStore(o.name, o.force); err != nil {
		return err
	}
	req := saveRequest{c: c, name: o.name, description: o.description, values: v, replace: o.force, newSecrets: true}
	var rep connectors.Report
	if !o.noTest {
		var terr error
		var res = new(store.TestResult)
		rep, *res, terr = liveTest(ctx, f, c, v)
		if errors.Is(terr, context.Canceled) {
			return ErrCancelled
		}
		req.result = res
		if err := forceGate(f, c, terr, o.force, "Nothing was saved"); err != nil {
			return err
		}
	}
	if err := save(f, req); err != nil {
		return err
	}
	reportSaved(f, req, "Saved")
	if o.asJSON && !o.noTest {
		return writeJSON(f.IO.Out, rep)
	}
	return nil
}

// forceGate decides what a failed live test of a scripted add, edit or
// reauth means: without --force, an error that explains the failure and
// says what was not done (nothing, e.g. "Nothing was saved"); with it, a
// warning on stderr and nil. A passed test (nil terr) passes.
func forceGate(f *Factory, c *connectors.Connector, terr error, force bool, nothing string) error {
	switch {
	case terr == nil:
		return nil
	case !force:
		return fmt.Errorf("%s %s; pass --force to save anyway", failure(c, "", terr), nothing)
	}
	// The failure quotes the vendor: terminal-safe, as test and show print it.
	fmt.Fprintf(f.IO.ErrOut, "warning: the test failed, saving anyway (--force): %s\n", safe(failure(c, "", terr)))
	return nil
}
