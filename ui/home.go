package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"charm.land/huh/v2"

	"github.com/credwiz/credwiz/store"
)

// Home-menu actions.
const (
	homeAdd    = "add"
	homeList   = "list"
	homeTest   = "test"
	homeReauth = "reauth"
	homeEdit   = "edit"
	homeDelete = "delete"
	homeQuit   = "quit"
)

// runHome is credwiz with no command: at a terminal, the home menu, until
// Quit; elsewhere, the help.
func runHome(ctx context.Context, f *Factory) error {
	if !f.CanPrompt() {
		return usagef("credwiz with no command opens the home menu, which needs a terminal; run credwiz --help for the commands")
	}
	for {
		act, err := homeMenu(f)
		if err != nil {
			return err
		}
		if act == homeQuit {
			return nil
		}
		if err := runHomeAction(ctx, f, act); err != nil {
			if errors.Is(err, ErrCancelled) {
				fmt.Fprintln(f.IO.ErrOut, "Cancelled; nothing was changed.")
				continue
			}
			if !errors.Is(err, ErrSilent) {
				fmt.Fprintln(f.IO.ErrOut, Explain(err))
			}
		}
	}
}

// homeMenu shows the saved credentials, the store, and the actions.
func homeMenu(f *Factory) (string, error) {
	form, act, err := buildHomeForm(f)
	if err != nil {
		return "", err
	}
	if err := f.runForm(form); err != nil {
		return "", err
	}
	return *act, nil
}

// buildHomeForm returns the home screen and its bound choice.
func buildHomeForm(f *Factory) (*huh.Form, *string, error) {
	ix, err := f.Index()
	if err != nil {
		return nil, nil, err
	}
	creds, err := ix.List()
	if err != nil {
		return nil, nil, err
	}
	summary := homeSummary(f, ix, creds)
	act := homeAdd
	opts := []huh.Option[string]{huh.NewOption("Add credential", homeAdd)}
	if len(creds) > 0 {
		opts = append(opts,
			huh.NewOption("List", homeList),
			huh.NewOption("Test", homeTest),
			huh.NewOption("Re-authenticate", homeReauth),
			huh.NewOption("Edit", homeEdit),
			huh.NewOption("Delete", homeDelete),
		)
	}
	opts = append(opts, huh.NewOption("Quit", homeQuit))
	form := f.newForm(huh.NewGroup(
		huh.NewNote().Title("credwiz").Description(f.noteText(summary)),
		huh.NewSelect[string]().Title("What would you like to do?").Options(opts...).Value(&act),
	))
	return form, &act, nil
}

// homeSummary lists up to eight credentials with their last test, and the
// secret store recorded in the index.
func homeSummary(f *Factory, ix store.Catalog, creds []store.Credential) string {
	var b strings.Builder
	kind, _ := ix.Kind()
	where := "the OS keychain, or the encrypted file where none answers (chosen at the first save)"
	switch kind {
	case store.KindKeychain:
		where = "the OS keychain"
	case store.KindFile:
		where = "the encrypted file secrets.age"
	case store.KindVault:
		where = "Vault (" + ix.Path() + ")"
	}
	fmt.Fprintf(&b, "%d saved credential(s) · secrets in %s\n", len(creds), where)
	now := f.Now()
	byID := connectorsByID(f)
	for i, c := range creds {
		if i == 8 {
			fmt.Fprintf(&b, "  … and %d more (List shows all)\n", len(creds)-8)
			break
		}
		status := "never tested"
		if c.LastTest != nil {
			status = untestedChange
		}
		if lt := c.Tested(); lt != nil {
			status = "✓ " + ago(now, lt.At)
			if !lt.OK {
				status = "✗ " + ago(now, lt.At)
			}
		}
		exp, soon := expiryText(now, byID[c.Connector], c)
		if soon {
			status += " · ! " + exp
		}
		fmt.Fprintf(&b, "  %-24s %-11s %s\n", c.Name, c.Connector, status)
	}
	return strings.TrimRight(b.String(), "\n")
}

// runHomeAction performs one home-menu action.
func runHomeAction(ctx context.Context, f *Factory, act string) error {
	if act == homeAdd {
		return runAddWizard(ctx, f, nil)
	}
	if act == homeList {
		ix, err := f.Index()
		if err != nil {
			return err
		}
		creds, err := ix.List()
		if err != nil {
			return err
		}
		printCredentials(f.IO, f.Now(), connectorsByID(f), creds)
		return nil
	}
	name, err := pickCredential(f, act)
	if err != nil {
		return err
	}
	if act == homeTest && name == "" {
		creds, err := selectCredentials(f, nil, true)
		if err != nil {
			return err
		}
		printSummary(f, runTests(ctx, f, creds, 16, true))
		return nil
	}
	cred, c, err := loadMeta(f, name)
	if err != nil {
		return err
	}
	switch act {
	case homeTest:
		printSummary(f, runTests(ctx, f, []store.Credential{cred}, 1, true))
		return nil
	case homeReauth:
		return reauthInteractive(ctx, f, cred, c)
	case homeEdit:
		return editInteractive(ctx, f, cred, c)
	case homeDelete:
		ok, err := confirm(f, fmt.Sprintf("Delete %s credential %q and its secrets?", c.Name, name), false)
		if err != nil {
			return err
		}
		if !ok {
			return ErrCancelled
		}
		return deleteCredential(f, cred)
	}
	return fmt.Errorf("unknown action %q", act)
}

// pickCredential asks which credential an action is for; for Test, "All"
// is offered and returned as "".
func pickCredential(f *Factory, act string) (string, error) {
	ix, err := f.Index()
	if err != nil {
		return "", err
	}
	creds, err := ix.List()
	if err != nil {
		return "", err
	}
	var opts []huh.Option[string]
	if act == homeTest {
		opts = append(opts, huh.NewOption("All credentials", ""))
	}
	for _, c := range creds {
		opts = append(opts, huh.NewOption(fmt.Sprintf("%-24s %s", c.Name, c.Connector), c.Name))
	}
	var name string
	titles := map[string]string{homeTest: "Test which credential?", homeReauth: "Re-authenticate which credential?",
		homeEdit: "Edit which credential?", homeDelete: "Delete which credential?"}
	err = f.runForm(f.newForm(huh.NewGroup(
		huh.NewSelect[string]().Title(titles[act]).Options(opts...).Value(&name),
	)))
	return name, err
}
