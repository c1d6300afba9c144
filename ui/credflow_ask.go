package ui

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/store"
)

// connectorStep asks which system the credential is for.
func (fl *credFlow) connectorStep() error {
	if fl.pickID == "" && fl.c != nil {
		fl.pickID = fl.c.ID
	}
	if err := fl.f.prompter().Ask(connectorPage(fl.f, &fl.pickID)); err != nil {
		return err
	}
	if fl.c != nil && fl.c.ID == fl.pickID {
		return nil // the same connector again: keep what was typed
	}
	c, err := fl.f.connector(fl.pickID)
	if err != nil {
		return err
	}
	fl.c = c
	return nil
}

// connectorPage is the connector picker, bound to id.
func connectorPage(f *Factory, id *string) *Page {
	all := f.Connectors()
	width := 0
	for _, c := range all {
		width = max(width, len([]rune(c.Name)))
	}
	var opts []Choice
	help := ""
	for _, c := range all {
		label := fmt.Sprintf("%-*s  %s", width, c.Name, c.Summary)
		if fitted := fitLabel(f, label); fitted != label {
			label = fitted
			help = "credwiz connectors describes each in full."
		}
		opts = append(opts, Choice{Label: label, Value: c.ID})
	}
	return &Page{ID: "connector", Title: "Add New Credential", EscHelp: "cancel", Questions: []Question{{
		Kind: KindSelect, Key: "connector", Title: "Which system is this credential for?", Help: help,
		Options: opts, Value: id,
	}}}
}

// nameStep asks Credential Name and Credential Description, as the vendor
// overlay does. An existing name asks before replacing (except the name of
// the credential being edited).
func (fl *credFlow) nameStep() error {
	f := fl.f
	ix, err := f.Index()
	if err != nil {
		return err
	}
	section := "name"
	for {
		page := &Page{ID: "name", Title: fl.title(section), Questions: []Question{
			{Kind: KindInput, Key: "name", Title: "Credential Name", Value: &fl.name,
				Help: "A short unique name, e.g. prod-" + fl.c.ID + " (letters, digits, '.', '_', '-').",
				Validate: func(s string) error {
					s = strings.TrimSpace(s)
					if fl.cred != nil && s == fl.cred.Name {
						return nil // the name it has, whatever its form
					}
					return store.ValidateNewName(s)
				}},
			{Kind: KindInput, Key: "description", Title: "Credential Description (optional)", Value: &fl.desc,
				Help: "Recommended, not required: the credential's purpose, owner, data freshness.",
				Validate: func(s string) error {
					if p := descriptionProblem(strings.TrimSpace(s)); p != "" {
						return errors.New(p)
					}
					return nil
				}},
		}}
		if fl.mode == modeAdd {
			page.EscHelp = "back"
			if !fl.askConnector {
				page.EscHelp = "cancel"
			}
		} else {
			page.EscHelp = "cancel"
			if f.inHome {
				page.EscHelp = "menu" // Esc ends the edit, back in the home menu
			}
		}
		if err := f.prompter().Ask(page); err != nil {
			return err
		}
		fl.name, fl.desc = strings.TrimSpace(fl.name), strings.TrimSpace(fl.desc)
		fl.replace = false
		if fl.cred != nil && fl.name == fl.cred.Name {
			return nil
		}
		existing, err := ix.Get(fl.name)
		if errors.Is(err, store.ErrNotFound) {
			break
		}
		if err != nil {
			return err
		}
		kind := existing.Connector
		if c, ok := connectors.Lookup(kind); ok {
			kind = c.Name // "Salesforce", as the rest of the wizard says it
		}
		ok, err := confirmGuarded(f, "replace", fmt.Sprintf("A %s credential named %q exists. Replace it?", kind, fl.name))
		if err != nil {
			return err
		}
		if ok {
			fl.replace = true
			break
		}
	}
	_, err = f.readyStore(fl.name, fl.replace)
	return err
}

// guideStep prints the vendor's re-authentication steps (once; they stay
// in the scrollback) and waits until the operator has the new values.
func (fl *credFlow) guideStep() error {
	if !fl.guideShown {
		fmt.Fprintf(fl.f.IO.ErrOut, "Re-authenticate %q (%s)\n%s\n", fl.cred.Name, fl.c.Name, wrapGuide(fl.f, fl.c.ReauthGuide))
		fl.guideShown = true
	}
	return fl.f.prompter().Ask(&Page{ID: "guide", Title: fl.title(""), EscHelp: "cancel", Questions: []Question{{
		Kind: KindNote, Key: "guide", Title: "Follow the steps above, then enter the new values.",
		NextLabel: "I have the new values",
	}}})
}

// wrapGuide wraps a guide's lines at words to a terminal's width (a
// terminal breaks them mid-word), a numbered step's continuation lines
// under its text.
func wrapGuide(f *Factory, guide string) string {
	if !f.IO.ErrTTY {
		return guide
	}
	width := f.IO.TermWidth() - 1
	var out []string
	for _, l := range strings.Split(guide, "\n") {
		hang := ""
		if i := strings.Index(l, ". "); i > 0 && i <= 3 && strings.Trim(l[:i], "0123456789") == "" {
			hang = strings.Repeat(" ", i+2)
		}
		if width-len(hang) < 20 {
			out = append(out, l)
			continue
		}
		wrapped := strings.Split(wrapAtSpaces(l, width), "\n")
		if len(wrapped) == 1 || !strings.HasPrefix(l, wrapped[0]) {
			out = append(out, wrapped...)
			continue
		}
		out = append(out, wrapped[0])
		rest := strings.TrimSpace(strings.TrimPrefix(l, wrapped[0]))
		for _, wl := range strings.Split(wrapAtSpaces(rest, width-len(hang)), "\n") {
			out = append(out, hang+wl)
		}
	}
	return strings.Join(out, "\n")
}

// pageStep asks one page of settings (page n of the connector's).
func (fl *credFlow) pageStep(n int, sp settingsPage) step {
	section := "connection settings"
	switch {
	case sp.advanced:
		section = "advanced settings"
	case fl.mode == modeReauth:
		section = "new secrets"
	}
	return step{
		id: fmt.Sprintf("settings/%d", n),
		skip: func(int) bool {
			return (sp.advanced && !fl.advanced) || !sp.applies(fl.b.values(fl.c))
		},
		run: func() error {
			return fl.f.prompter().Ask(&Page{ID: fmt.Sprintf("settings/%d", n), Title: fl.title(section),
				Questions: sp.questions(fl.c, fl.b, fl.questionMode())})
		},
	}
}

// advancedStep asks whether to edit the advanced settings, showing their
// current values.
func (fl *credFlow) advancedStep() step {
	var adv []connectors.Field
	for _, fd := range fl.c.Fields {
		if fd.Advanced {
			adv = append(adv, fd)
		}
	}
	return step{
		id: "advanced",
		skip: func(int) bool {
			v := fl.b.values(fl.c)
			return !slices.ContainsFunc(adv, func(fd connectors.Field) bool { return fd.Applies(v) })
		},
		run: func() error {
			return fl.f.prompter().Ask(&Page{ID: "advanced", Title: fl.title("advanced settings"), Questions: []Question{{
				Kind: KindConfirm, Key: "advanced", Title: "Edit advanced settings?",
				Help: advancedSummary(adv, fl.b, fl.b.values(fl.c)), Yes: &fl.advanced,
			}}})
		},
	}
}
