package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/store"
)

// reauthOptions are reauth's flags.
type reauthOptions struct {
	in            scriptedInput
	force, asJSON bool
}

func newReauthCmd(f *Factory) *cobra.Command {
	o := &reauthOptions{}
	cmd := &cobra.Command{
		Use:   "reauth NAME",
		Short: "Re-authenticate a credential whose password expired or secret was rotated",
		Long: wrapHelp("Re-authenticate a saved credential: enter its new secrets"+reauthFields(f.Connectors())+
			", credwiz logs in and verifies permissions, and only then replaces the saved secrets. "+
			"A failed or cancelled re-auth changes nothing. On success the cached token is dropped and the time is recorded, "+
			"so credwiz list can count down to the next password expiry.") + `

Scripted: credwiz reauth NAME --secrets-stdin [--field KEY=VALUE]... [--force]
(or CREDWIZ_SECRET_<KEY>); --force saves despite a failed test.`,
		Args:              nameArg(f),
		ValidArgsFunction: completeNames(f),
		RunE: replaceRun(f, homeReauth, modeReauth, func(cmd *cobra.Command, cred store.Credential, c *connectors.Connector) error {
			return reauthScripted(cmd.Context(), f, cred, c, o)
		}),
	}
	fl := cmd.Flags()
	o.in.declare(cmd, f, "a non-secret field as KEY=VALUE, e.g. username=… (repeatable)", "read the new secrets from stdin, one KEY=VALUE per line", true)
	fl.BoolVar(&o.force, "force", false, "save the new secrets even if the test fails")
	fl.BoolVar(&o.asJSON, "json", false, "print the test report as JSON")
	return cmd
}

// reauthKeys are the fields a re-authentication asks: those the connector
// declares for it, else its secrets plus the plain required fields that
// identify the key (a new key set has a new client ID).
func reauthKeys(c *connectors.Connector) []string {
	if len(c.Reauth) > 0 {
		return c.Reauth
	}
	var keys []string
	for _, fd := range c.Fields {
		if fd.Secret || (fd.Required && fd.Default == "" && len(fd.Options) == 0) {
			keys = append(keys, fd.Key)
		}
	}
	return keys
}

// reauthScripted re-authenticates from --field, stdin and the environment.
func reauthScripted(ctx context.Context, f *Factory, cred store.Credential, c *connectors.Connector, o *reauthOptions) error {
	given, err := o.in.gather(f, c)
	if err != nil {
		return err
	}
	gotSecret := false
	for _, k := range c.SecretKeys() {
		if given[k] != "" {
			gotSecret = true
		}
	}
	if !gotSecret {
		return usagef("reauth needs the new secret(s) (%s): pass them with --secrets-stdin, one KEY=VALUE per line, or in CREDWIZ_SECRET_<KEY>", strings.Join(c.SecretKeys(), ", "))
	}
	_, v, err := withChanges(f, cred, c, given)
	if err != nil {
		return err
	}
	rep, res, terr := liveTest(ctx, f, c, v)
	if errors.Is(terr, context.Canceled) {
		return ErrCancelled
	}
	for _, l := range reportLines(f.Now(), rep, f.IO.TermWidth()-2) {
		fmt.Fprintln(f.IO.ErrOut, "  "+l)
	}
	if o.asJSON {
		if err := writeJSON(f.IO.Out, rep); err != nil {
			return err
		}
	}
	nothing := fmt.Sprintf("Nothing was changed: the saved secrets of %q are as they were", cred.Name)
	if err := forceGate(f, c, terr, o.force, nothing); err != nil {
		return err
	}
	return saveReauth(f, cred, c, v, &res)
}

// saveReauth replaces cred's secrets (and reauth fields) with v, and says
// so.
func saveReauth(f *Factory, cred store.Credential, c *connectors.Connector, v connectors.Values, res *store.TestResult) error {
	req, err := saveReauthQuiet(f, cred, c, v, res)
	if err != nil {
		return err
	}
	reportReauth(f, cred, c, req)
	return nil
}

// saveReauthQuiet replaces cred's secrets (and reauth fields) with v.
func saveReauthQuiet(f *Factory, cred store.Credential, c *connectors.Connector, v connectors.Values, res *store.TestResult) (saveRequest, error) {
	req := saveRequest{c: c, name: cred.Name, description: cred.Description, values: v, result: res,
		prev: &cred, replace: true, newSecrets: true}
	return req, save(f, req)
}

// reportReauth says what a re-authentication saved, and when the new
// password expires.
func reportReauth(f *Factory, cred store.Credential, c *connectors.Connector, req saveRequest) {
	reportSaved(f, req, "Re-authenticated")
	if at, never, ok := passwordExpiry(c, store.Credential{Fields: cred.Fields, SecretsUpdatedAt: f.Now()}); ok && !never {
		fmt.Fprintf(f.IO.ErrOut, "  The password expires around %s; credwiz list --expiring-within 14d shows it in time.\n", at.Local().Format("2006-01-02"))
	}
}
