package ui

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/spf13/cobra"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/store"
)

// editOptions are edit's flags: add's, with --name renaming.
type editOptions addOptions

func newEditCmd(f *Factory) *cobra.Command {
	o := &editOptions{}
	cmd := &cobra.Command{
		Use:   "edit NAME",
		Short: "Edit a credential: rename, description, settings, secrets",
		Long: `Edit a saved credential with the same form as add, pre-filled: rename it,
change its description, base URL or other settings, or enter new secrets
(a blank secret keeps the saved one). When a setting or secret changed,
credwiz tests the credential before saving, as add does.

Scripted: credwiz edit NAME [--name NEW] [--description TEXT]
    [--field KEY=VALUE]... [--secrets-stdin] [--no-test] [--force]`,
		Args:              nameArg(f),
		ValidArgsFunction: completeNames(f),
		RunE: replaceRun(f, homeEdit, modeEdit, func(cmd *cobra.Command, cred store.Credential, c *connectors.Connector) error {
			return editScripted(cmd.Context(), f, cred, c, o, cmd.Flags().Changed("description"))
		}),
	}
	(*addOptions)(o).declare(cmd, f, optionsHelp{
		name:        "rename the credential",
		description: "new description",
		stdin:       "read new secret fields from stdin, one KEY=VALUE per line",
		force:       "save even if the test fails, and replace a credential of the new name",
		fromName:    true,
	})
	return cmd
}

// editScripted applies --name, --description, --field and stdin secrets
// to a saved credential.
func editScripted(ctx context.Context, f *Factory, cred store.Credential, c *connectors.Connector, o *editOptions, descGiven bool) error {
	newName := cred.Name
	if o.name != "" && o.name != cred.Name {
		if err := validateName(o.name); err != nil {
			return err
		}
		newName = o.name
	}
	desc := cred.Description
	if descGiven {
		desc = strings.TrimSpace(o.description)
		if err := checkDescription(desc); err != nil {
			return err
		}
	}
	given, err := o.in.gather(f, c)
	if err != nil {
		return err
	}
	if len(given) == 0 {
		// Only the name or the description change: the secrets are not
		// read (the encrypted file store would need its passphrase).
		v := c.Normalize(joinValues(cred.Fields, nil))
		return finishEdit(ctx, f, cred, c, v, newName, desc, v, editFinish{test: !o.noTest, force: o.force, asJSON: o.asJSON})
	}
	old, v, err := withChanges(f, cred, c, given)
	if err != nil {
		return err
	}
	return finishEdit(ctx, f, cred, c, old, newName, desc, v, editFinish{test: !o.noTest, force: o.force, asJSON: o.asJSON})
}

// withChanges returns cred's saved values (one read of the secret store)
// and those values with the given changes applied, normalized and
// validated (a usage error when invalid). It prints the remote-host
// warnings of the result.
func withChanges(f *Factory, cred store.Credential, c *connectors.Connector, given connectors.Values) (old, v connectors.Values, err error) {
	old, missing, err := loadForReplace(f, cred)
	if err != nil {
		return nil, nil, err
	}
	v = maps.Clone(old)
	maps.Copy(v, given)
	v = c.Normalize(v)
	if absent := absentSecrets(c, v); missing && len(absent) > 0 {
		where := "the store"
		if st, err := f.Store(); err == nil {
			where = storeLabel(st)
		}
		return nil, nil, usagef("the secrets of %q are missing from %s, so every secret must be given again (%s missing): pass them with --secrets-stdin, one KEY=VALUE per line, or in CREDWIZ_SECRET_<KEY>",
			cred.Name, where, strings.Join(absent, ", "))
	}
	if err := c.Validate(v); err != nil {
		return nil, nil, &UsageError{Err: err}
	}
	printWarnings(f, c, v)
	return old, v, nil
}

// printWarnings prints c's warnings for v on stderr, one a line.
func printWarnings(f *Factory, c *connectors.Connector, v connectors.Values) {
	for _, w := range c.Warnings(v) {
		fmt.Fprintf(f.IO.ErrOut, "warning: %s\n", safe(w.Text))
	}
}

// editFinish are the choices of how an edit is completed.
type editFinish struct {
	test, force, asJSON bool
}

// finishEdit tests the edited values when a setting or secret changed,
// then saves them (renaming if the name changed): edit without prompts.
func finishEdit(ctx context.Context, f *Factory, cred store.Credential, c *connectors.Connector, old connectors.Values,
	newName, desc string, v connectors.Values, fin editFinish) error {
	ed := editSave{cred: cred, c: c, old: old, name: newName, desc: desc, values: v, replace: fin.force}
	if newName != cred.Name && !fin.force {
		ix, err := f.Index()
		if err != nil {
			return err
		}
		if _, err := ix.Get(newName); err == nil {
			return fmt.Errorf("a credential named %q already exists; choose another --name, or pass --force to replace it", newName)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	if !ed.changed() {
		fmt.Fprintf(f.IO.ErrOut, "Nothing to change in %q.\n", cred.Name)
		return nil
	}
	if newName != cred.Name {
		if _, err := f.readyStore(newName, fin.force); err != nil {
			return err
		}
	}
	var report *connectors.Report
	if ed.settingsChanged() && fin.test {
		rep, res, terr := liveTest(ctx, f, c, v)
		if errors.Is(terr, context.Canceled) {
			return ErrCancelled
		}
		if err := forceGate(f, c, terr, fin.force, "Nothing was changed"); err != nil {
			return err
		}
		ed.result = &res
		report = &rep
	}
	req, err := ed.save(f)
	if err != nil {
		return err
	}
	ed.report(f, req)
	if fin.asJSON && report != nil {
		return writeJSON(f.IO.Out, report)
	}
	return nil
}

// editSave is an edit about to be saved: the saved credential and its
// values, and the new name, description and values.
type editSave struct {
	cred       store.Credential
	c          *connectors.Connector
	old        connectors.Values
	name, desc string
	values     connectors.Values
	replace    bool              // replace a credential of the new name
	result     *store.TestResult // the live test of the new values, if any
}

// settingsChanged reports whether a setting or secret changed.
func (ed editSave) settingsChanged() bool {
	return !maps.Equal(ed.c.Normalize(ed.old), ed.values)
}

// changed reports whether anything changed.
func (ed editSave) changed() bool {
	return ed.settingsChanged() || ed.name != ed.cred.Name || ed.desc != ed.cred.Description
}

// save writes the edit.
func (ed editSave) save(f *Factory) (saveRequest, error) {
	_, oldSec := splitValues(ed.c, ed.c.Normalize(ed.old))
	_, newSec := splitValues(ed.c, ed.values)
	req := saveRequest{c: ed.c, name: ed.name, description: ed.desc, values: ed.values, prev: &ed.cred,
		replace: ed.replace, newSecrets: !maps.Equal(oldSec, newSec), result: ed.result}
	return req, save(f, req)
}

// report says what the edit saved.
func (ed editSave) report(f *Factory, req saveRequest) {
	verb := "Updated"
	if ed.name != ed.cred.Name {
		verb = fmt.Sprintf("Renamed %q to", ed.cred.Name)
	}
	reportSaved(f, req, verb)
}

// replaceRun is edit's and reauth's RunE: it picks the credential (asking
// at a terminal when NAME is missing), then runs the pre-filled form at a
// terminal without flags, or run with the flags.
func replaceRun(f *Factory, act string, mode formMode, run func(*cobra.Command, store.Credential, *connectors.Connector) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		cred, c, err := pickMeta(f, args, act)
		if err != nil {
			return err
		}
		if f.CanPrompt() && !scripted(cmd) {
			return replaceInteractive(cmd.Context(), f, mode, cred, c)
		}
		return run(cmd, cred, c)
	}
}

// replaceInteractive is edit (modeEdit) or reauth (modeReauth) at a
// terminal: the add wizard's steps, pre-filled (a blank secret keeps the
// saved one); reauth shows the vendor's guide and asks for the new
// secrets, with the login and permission checklist, before it saves.
func replaceInteractive(ctx context.Context, f *Factory, mode formMode, cred store.Credential, c *connectors.Connector) error {
	old, missing, err := loadForReplace(f, cred)
	if err != nil {
		return err
	}
	if missing {
		missingSecretNote(f, cred)
	}
	fl := &credFlow{f: f, ctx: ctx, mode: mode, c: c, cred: &cred, old: old, noSecret: missing,
		name: cred.Name, desc: cred.Description, initName: cred.Name, initDesc: cred.Description}
	return fl.run()
}
