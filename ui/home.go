package ui

import (
	"context"
	"errors"
	"fmt"

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

// homeListMax is how many credentials the home menu lists at most (fewer
// when the terminal is short).
const homeListMax = 100

// runHome is credwiz with no command: at a terminal, the home menu, until
// Quit (or Esc, or Ctrl-C); elsewhere, a usage error.
func runHome(ctx context.Context, f *Factory) error {
	if !f.CanPrompt() {
		return usageHelpf("credwiz with no command opens the home menu, which needs a terminal; run credwiz --help for the commands")
	}
	f.inHome = true
	for {
		act, err := homeMenu(f)
		if errors.Is(err, ErrBack) {
			return ErrCancelled
		}
		if err != nil {
			return err
		}
		if act == homeQuit {
			return nil
		}
		err = runHomeAction(ctx, f, act)
		switch {
		case err == nil:
		case errors.Is(err, ErrCancelled):
			// After Ctrl-C the menu's next question ends credwiz too.
			fmt.Fprintln(f.IO.ErrOut, "Cancelled; nothing was changed.")
		case errors.Is(err, ErrBack):
		case !errors.Is(err, ErrSilent):
			fmt.Fprintln(f.IO.ErrOut, Explain(err))
		}
	}
}

// homeMenu shows the saved credentials, the store, and the actions.
func homeMenu(f *Factory) (string, error) {
	page, act, err := homePage(f)
	if err != nil {
		return "", err
	}
	if err := f.prompter().Ask(page); err != nil {
		return "", err
	}
	return *act, nil
}

// homePage returns the home screen and its bound choice.
func homePage(f *Factory) (*Page, *string, error) {
	ix, err := f.Index()
	if err != nil {
		return nil, nil, err
	}
	creds, err := ix.List()
	if err != nil {
		return nil, nil, err
	}
	act := homeAdd
	opts := []Choice{{"Add credential", homeAdd}}
	if len(creds) > 0 {
		opts = append(opts,
			Choice{"List", homeList},
			Choice{"Test", homeTest},
			Choice{"Re-authenticate", homeReauth},
			Choice{"Edit", homeEdit},
			Choice{"Delete", homeDelete},
		)
	}
	opts = append(opts, Choice{"Quit", homeQuit})
	// The note is the summary line, then one line a credential.
	more := func(shown int) string {
		if shown == 0 {
			return countCredentials(len(creds)) + " (List shows them)"
		}
		return fmt.Sprintf("  … and %d more (List shows all)", len(creds)-(shown-1))
	}
	return &Page{ID: "home", Title: "credwiz", Note: homeSummary(f, ix, creds), EscHelp: "quit",
		NoteMore:  more,
		Questions: []Question{{Kind: KindSelect, Key: "home", Title: "What would you like to do?", Options: opts, Value: &act}},
	}, &act, nil
}

// homeSummary says how many credentials are saved and where the secrets
// are, then lists up to homeListMax of them with their last test.
func homeSummary(f *Factory, ix store.Catalog, creds []store.Credential) []string {
	kind, _ := ix.Kind()
	where := "secrets: the OS keychain, or the encrypted file where none answers"
	switch kind {
	case store.KindKeychain:
		where = "secrets in the OS keychain"
	case store.KindFile:
		where = "secrets in the encrypted file"
	case store.KindVault:
		where = "credentials in Vault (" + ix.Path() + ")"
	}
	out := []string{countCredentials(len(creds)) + " · " + where}
	w := nameWidth(creds)
	for i, c := range creds {
		if i == homeListMax {
			break
		}
		out = append(out, "  "+fitLabel(f, credentialLabel(f, c, w)))
	}
	if len(creds) > homeListMax {
		out = append(out, fmt.Sprintf("  … and %d more (List shows all)", len(creds)-homeListMax))
	}
	return out
}

// countCredentials is "No saved credentials", "1 saved credential" or "N
// saved credentials".
func countCredentials(n int) string {
	switch n {
	case 0:
		return "No saved credentials"
	case 1:
		return "1 saved credential"
	}
	return fmt.Sprintf("%d saved credentials", n)
}

// runHomeAction performs one home-menu action.
func runHomeAction(ctx context.Context, f *Factory, act string) error {
	switch act {
	case homeAdd:
		return runAddWizard(ctx, f, nil)
	case homeList:
		creds, err := f.Credentials()
		if err != nil {
			return err
		}
		printCredentials(f.IO, f.Now(), connectorsByID(f), creds)
		return nil
	}
	name, err := pickCredential(f, act, act == homeTest)
	if err != nil {
		return err
	}
	if act == homeTest && name == "" {
		creds, err := selectCredentials(f, nil, true)
		if err != nil {
			return err
		}
		f.testNameWidth = nameWidth(creds)
		return homeTests(ctx, f, creds, 16)
	}
	cred, c, err := loadMeta(f, name)
	if err != nil {
		return err
	}
	switch act {
	case homeTest:
		return homeTests(ctx, f, []store.Credential{cred}, 1)
	case homeReauth:
		return replaceInteractive(ctx, f, modeReauth, cred, c)
	case homeEdit:
		return replaceInteractive(ctx, f, modeEdit, cred, c)
	case homeDelete:
		ok, err := confirmGuarded(f, "delete", fmt.Sprintf("Delete %s credential %q and its secrets?", c.Name, name))
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

// homeTests tests creds from the home menu under a spinner: each result
// is printed as it comes, then the summary. Esc stops the tests, records
// nothing and goes back to the menu.
func homeTests(ctx context.Context, f *Factory, creds []store.Credential, parallel int) error {
	var outs []testOutcome
	err := f.prompter().Work(ctx, Work{
		Title:       testingTitle(creds),
		Cancellable: true,
		Fn: func(ctx context.Context) error {
			outs = runTests(ctx, f, creds, parallel, true)
			return nil
		},
	})
	if errors.Is(err, ErrBack) {
		fmt.Fprintf(f.IO.ErrOut, "%s Test stopped; no result was recorded.\n", f.IO.stderrStyles().warn.Render("!"))
		return nil
	}
	if err != nil {
		return err
	}
	printSummary(f, outs)
	return nil
}
