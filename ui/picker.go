package ui

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/credwiz/credwiz/store"
)

// pickTitles are the pickers' questions by action.
var pickTitles = map[string]string{
	homeTest: "Test which credential?", homeReauth: "Re-authenticate which credential?",
	homeEdit: "Edit which credential?", homeDelete: "Delete which credential?",
	"show": "Show which credential?", "token": "Print the token of which credential?",
	"history": "Show the history of which credential?",
}

// pickCredential asks which saved credential an action is for: a list
// (filter it with /) of the names with their connector and last test.
// With all, "All credentials" comes first and is returned as "".
func pickCredential(f *Factory, act string, all bool) (string, error) {
	creds, err := f.Credentials()
	if err != nil {
		return "", err
	}
	if len(creds) == 0 {
		return "", fmt.Errorf("no credentials saved yet; add one with: credwiz add")
	}
	var opts []Choice
	if all {
		opts = append(opts, Choice{"All credentials", ""})
	}
	w := nameWidth(creds)
	for _, c := range creds {
		opts = append(opts, Choice{fitLabel(f, credentialLabel(f, c, w)), c.Name})
	}
	title := pickTitles[act]
	if title == "" {
		title = "Which credential?"
	}
	name := ""
	if !all {
		name = creds[0].Name
	}
	esc := "cancel" // a command's picker: Esc ends it
	if f.inHome {
		esc = "back" // to the home menu
	}
	err = f.prompter().Ask(&Page{ID: "pick", EscHelp: esc, Questions: []Question{{
		Kind: KindSelect, Key: "pick", Title: title, Options: opts, Value: &name,
		Help: fmt.Sprintf("%s; / filters the list.", countCredentials(len(creds))),
	}}})
	return name, err
}

// nameWidth is the width of the longest name, at most 32.
func nameWidth(creds []store.Credential) int {
	w := 0
	for _, c := range creds {
		w = max(w, len([]rune(c.Name)))
	}
	return min(w, 32)
}

// credentialLabel is a credential on one line: its name padded to w, its
// connector and its last test.
func credentialLabel(f *Factory, c store.Credential, w int) string {
	status := "never tested"
	if c.LastTest != nil {
		status = untestedChange
	}
	if lt := c.Tested(); lt != nil {
		status = "✓ tested " + ago(f.Now(), lt.At)
		if !lt.OK {
			status = "✗ failed " + ago(f.Now(), lt.At)
			if lt.Class != "" {
				status += " (" + safe(lt.Class) + ")"
			}
		}
	}
	if exp, soon := expiryText(f.Now(), connectorsByID(f)[c.Connector], c); soon {
		status += " · ! " + exp
	}
	return fmt.Sprintf("%-*s  %-10s  %s", w, safe(c.Name), safe(c.Connector), status)
}

// nameArg is the positional check of a command taking one credential
// NAME: at a terminal a missing NAME is asked with a picker (in RunE);
// elsewhere it is a usage error.
func nameArg(f *Factory) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) == 1:
			return nil
		case len(args) == 0 && f.CanPrompt():
			return nil
		case len(args) == 0:
			return usageHelpf("%s needs the credential NAME (credwiz list shows them); see %s --help", cmd.CommandPath(), cmd.CommandPath())
		}
		return usageHelpf("%s takes one credential NAME, not %d (%s); see %s --help", cmd.CommandPath(), len(args), strings.Join(args, " "), cmd.CommandPath())
	}
}

// nameOrPick returns the NAME argument, or asks for it with a picker.
func nameOrPick(f *Factory, args []string, act string) (string, error) {
	if len(args) == 1 {
		return args[0], nil
	}
	name, err := pickCredential(f, act, false)
	if err == ErrBack {
		return "", ErrCancelled
	}
	return name, err
}
