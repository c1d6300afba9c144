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

func newEditCmd(f *Factory) *cobra.Command {
	o := &addOptions{}
	cmd := &cobra.Command{
		Use:   "edit NAME",
		Short: "Edit a credential: rename, description, settings, secrets",
		Long: `Edit a saved credential with the same form as add, pre-filled: rename it,
change its description, base URL or other settings, or enter new secrets
(a blank secret keeps the saved one). When a setting or secret changed,
credwiz tests the credential before saving, as add does.

Scripted: credwiz edit NAME [--name NEW] [--description TEXT]
    [--field KEY=VALUE]... [--secrets-stdin] [--no-test] [--force]`,
		Args:              exactArgs(1, "the credential NAME"),
		ValidArgsFunction: completeNames(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			cred, c, err := loadMeta(f, args[0])
			if err != nil {
				return err
			}
			if f.CanPrompt() && !o.scripted(cmd) {
				return editInteractive(cmd.Context(), f, cred, c)
			}
			return editScripted(cmd.Context(), f, cred, c, o, cmd.Flags().Changed("description"))
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.name, "name", "", "rename the credential")
	fl.StringVar(&o.description, "description", "", "new description")
	fl.StringArrayVar(&o.in.fields, "field", nil, "a non-secret field as KEY=VALUE (repeatable)")
	fl.BoolVar(&o.in.secretsStdin, "secrets-stdin", false, "read new secret fields from stdin, one KEY=VALUE per line")
	fl.BoolVar(&o.noTest, "no-test", false, "save without the live test")
	fl.BoolVar(&o.force, "force", false, "save even if the test fails, and replace a credential of the new name")
	fl.BoolVar(&o.asJSON, "json", false, "print the test report as JSON")
	return cmd
}

// editScripted applies --name, --description, --field and stdin secrets
// to a saved credential.
func editScripted(ctx context.Context, f *Factory, cred store.Credential, c *connectors.Connector, o *addOptions, descGiven bool) error {
	newName := cred.Name
	if o.name != "" {
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
	old, err = loadValues(f, cred)
	if err != nil {
		return nil, nil, err
	}
	v = maps.Clone(old)
	maps.Copy(v, given)
	v = c.Normalize(v)
	if err := c.Validate(v); err != nil {
		return nil, nil, &UsageError{Err: err}
	}
	printWarnings(f, c, v)
	return old, v, nil
}

// printWarnings prints c's warnings for v on stderr, one a line.
func printWarnings(f *Factory, c *connectors.Connector, v connectors.Values) {
	for _, w := range c.Warnings(v) {
		fmt.Fprintf(f.IO.ErrOut, "warning: %s\n", w)
	}
}

// editFinish are the choices of how an edit is completed.
type editFinish struct {
	test, force, asJSON bool
	interactive         bool
	replaceConfirmed    bool
}

// finishEdit tests the edited values when a setting or secret changed,
// then saves them (renaming if the name changed).
func finishEdit(ctx context.Context, f *Factory, cred store.Credential, c *connectors.Connector, old connectors.Values,
	newName, desc string, v connectors.Values, fin editFinish) error {
	if newName != cred.Name && !fin.force && !fin.replaceConfirmed {
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
	_, oldSec := splitValues(c, c.Normalize(old))
	_, newSec := splitValues(c, v)
	settingsChanged := !maps.Equal(c.Normalize(old), v)
	if !settingsChanged && newName == cred.Name && desc == cred.Description {
		fmt.Fprintf(f.IO.ErrOut, "Nothing to change in %q.\n", cred.Name)
		return nil
	}
	if newName != cred.Name {
		if _, err := f.readyStore(newName, fin.force || fin.replaceConfirmed); err != nil {
			return err
		}
	}
	var report *connectors.Report
	req := saveRequest{c: c, name: newName, description: desc, values: v, prev: &cred,
		replace: fin.force || fin.replaceConfirmed, newSecrets: !maps.Equal(oldSec, newSec)}
	if settingsChanged && fin.test {
		if fin.interactive {
			act, res, err := testAndDecide(ctx, f, c, v, cred.Name)
			if err != nil {
				return err
			}
			if act != actSave {
				return ErrCancelled
			}
			req.result = &res
		} else {
			rep, terr, res := liveTest(ctx, f, c, v)
			if errors.Is(terr, context.Canceled) {
				return ErrCancelled
			}
			if err := forceGate(f, c, terr, fin.force, "Nothing was changed"); err != nil {
				return err
			}
			req.result = &res
			report = &rep
		}
	}
	if err := save(f, req); err != nil {
		return err
	}
	verb := "Updated"
	if newName != cred.Name {
		verb = fmt.Sprintf("Renamed %q to", cred.Name)
	}
	reportSaved(f, req, verb)
	if fin.asJSON && report != nil {
		return writeJSON(f.IO.Out, report)
	}
	return nil
}

// editInteractive is edit at a terminal: the add forms, pre-filled.
func editInteractive(ctx context.Context, f *Factory, cred store.Credential, c *connectors.Connector) error {
	ix, err := f.Index()
	if err != nil {
		return err
	}
	old, err := loadValues(f, cred)
	if err != nil {
		return err
	}
	name, desc, replace, err := askNameAndDescription(f, ix, c, cred.Name, cred.Description)
	if err != nil {
		return err
	}
	if name == cred.Name {
		replace = false
	}
	// Secrets start blank: blank keeps the saved value.
	pre := maps.Clone(old)
	for _, k := range c.SecretKeys() {
		delete(pre, k)
		pre[k] = ""
	}
	b := newBoundValues(c, pre)
	advanced := false
	var v connectors.Values
	for {
		if err := f.runForm(f.newForm(settingsGroups(c, b, modeEdit, nil, &advanced, f.accessible())...)); err != nil {
			return err
		}
		v = b.values(c)
		for _, k := range c.SecretKeys() {
			if v[k] == "" {
				v[k] = old[k]
			}
		}
		if err := c.Validate(v); err != nil {
			// A check across fields (Salesforce's client_credentials flow
			// needs a My Domain URL): say so and ask again.
			fmt.Fprintln(f.IO.ErrOut, err)
			continue
		}
		if ok, err := confirmHosts(f, c, v); err != nil {
			return err
		} else if ok {
			break
		}
	}
	return finishEdit(ctx, f, cred, c, old, name, desc, v, editFinish{test: true, interactive: true, replaceConfirmed: replace})
}
