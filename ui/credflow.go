package ui

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/store"
)

// credFlow is one credential being added, edited or re-authenticated at a
// terminal. The three walk the same steps, written once here: connector →
// name → settings pages → advanced → live test → decide → save. Esc goes
// back a step keeping what was typed; Ctrl-C ends the flow with nothing
// saved.
type credFlow struct {
	f    *Factory
	ctx  context.Context
	mode formMode

	c            *connectors.Connector
	askConnector bool   // add without a CONNECTOR: the first step picks it
	pickID       string // bound to the connector picker

	cred *store.Credential // edit, reauth: the saved credential
	old  connectors.Values // edit, reauth: its saved values

	name, desc         string
	initName, initDesc string
	replace            bool
	b                  boundValues
	bFor               *connectors.Connector // the connector b was bound for
	initValues         connectors.Values
	advanced           bool

	// The last live test, and whether it belongs to this pass through
	// the steps (any answer before the test clears it).
	tested, cancelled bool
	rep               connectors.Report
	terr              error
	res               store.TestResult
	attempt           int

	printed    map[string]string // summary lines printed, by label
	guideShown bool
}

// run walks the flow's steps.
func (fl *credFlow) run() error {
	discard := "Discard this credential?"
	if fl.mode != modeAdd {
		discard = fmt.Sprintf("Discard your changes to %q?", fl.cred.Name)
	}
	return stepMachine{f: fl.f, steps: fl.steps, dirty: fl.dirty, discardTitle: discard}.run()
}

// steps are the flow's steps for the connector chosen so far.
func (fl *credFlow) steps() []step {
	var ss []step
	if fl.askConnector {
		ss = append(ss, step{id: "connector", run: fl.connectorStep})
	}
	if fl.c == nil {
		return ss
	}
	fl.bind()
	if fl.mode == modeReauth {
		if fl.c.ReauthGuide != "" {
			ss = append(ss, fl.fresh(step{id: "guide", run: fl.guideStep}))
		}
	} else {
		ss = append(ss, fl.fresh(step{id: "name", run: fl.nameStep}))
	}
	advAsked := false
	for n, sp := range settingsPages(fl.c, fl.mode, fl.keys()) {
		if sp.advanced && !advAsked {
			advAsked = true
			ss = append(ss, fl.fresh(fl.advancedStep()))
		}
		ss = append(ss, fl.fresh(fl.pageStep(n+1, sp)))
	}
	return append(ss,
		step{id: "test", skip: fl.skipTest, run: fl.testStep},
		step{id: "decide", skip: func(int) bool { return !fl.tested && !fl.cancelled }, run: fl.decideStep},
		step{id: "save", run: fl.saveStep},
	)
}

// fresh wraps a question step: answering it forgets the last test, which
// was of values that may have changed.
func (fl *credFlow) fresh(s step) step {
	run := s.run
	s.run = func() error {
		fl.tested, fl.cancelled = false, false
		return run()
	}
	return s
}

// bind binds the form values for the current connector: the saved values
// (secrets blank: blank keeps them) for edit and reauth, the defaults for
// add.
func (fl *credFlow) bind() {
	if fl.bFor == fl.c {
		return
	}
	var pre connectors.Values
	if fl.old != nil {
		pre = maps.Clone(fl.old)
		for _, k := range fl.c.SecretKeys() {
			pre[k] = ""
		}
	}
	fl.b, fl.bFor = newBoundValues(fl.c, pre), fl.c
	fl.initValues = fl.b.values(fl.c)
	fl.advanced = false
}

// keys limits the fields asked: a re-authentication asks its own.
func (fl *credFlow) keys() []string {
	if fl.mode == modeReauth {
		return reauthKeys(fl.c)
	}
	return nil
}

// dirty reports whether anything was typed.
func (fl *credFlow) dirty() bool {
	if fl.name != fl.initName || fl.desc != fl.initDesc {
		return true
	}
	return fl.b != nil && !maps.Equal(fl.b.values(fl.c), fl.initValues)
}

// title is a page header: the connector, the credential, the section.
func (fl *credFlow) title(section string) string {
	who := fl.name
	switch {
	case fl.mode == modeReauth:
		who = "re-authenticate " + fl.cred.Name
	case fl.mode == modeEdit:
		who = "edit " + fl.cred.Name
	case who == "":
		who = "new credential"
	}
	if section == "" {
		return fl.c.Name + " · " + who
	}
	return fl.c.Name + " · " + who + " · " + section
}

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
				Help:     "A short unique name, e.g. prod-" + fl.c.ID + " (letters, digits, '.', '_', '-').",
				Validate: func(s string) error { return store.ValidateName(strings.TrimSpace(s)) }},
			{Kind: KindInput, Key: "description", Title: "Credential Description (optional)", Value: &fl.desc,
				Help: "Recommended, not required: the credential's purpose, owner, data freshness.",
				Validate: func(s string) error {
					if err := checkDescription(strings.TrimSpace(s)); err != nil {
						return errors.New(strings.TrimPrefix(err.Error(), "--description: "))
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
		ok, err := confirmID(f, "replace", fmt.Sprintf("A %s credential named %q exists. Replace it?", existing.Connector, fl.name), false)
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
		fmt.Fprintf(fl.f.IO.ErrOut, "Re-authenticate %q (%s)\n%s\n", fl.cred.Name, fl.c.Name, fl.c.ReauthGuide)
		fl.guideShown = true
	}
	return fl.f.prompter().Ask(&Page{ID: "guide", Title: fl.title(""), EscHelp: "cancel", Questions: []Question{{
		Kind: KindNote, Key: "guide", Title: "Follow the steps above, then enter the new values.",
		NextLabel: "I have the new values",
	}}})
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
				Questions: sp.questions(fl.c, fl.b, fl.mode)})
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

// values are the values to test and save: what was entered, with a blank
// secret keeping the saved one (edit, reauth) and the fields a
// re-authentication does not ask kept as saved.
func (fl *credFlow) values() connectors.Values {
	v := fl.b.values(fl.c)
	switch fl.mode {
	case modeEdit:
		for _, k := range fl.c.SecretKeys() {
			if v[k] == "" {
				v[k] = fl.old[k]
			}
		}
	case modeReauth:
		keys := fl.keys()
		merged := maps.Clone(fl.old)
		maps.Copy(merged, v)
		for _, fd := range fl.c.Fields {
			if !slices.Contains(keys, fd.Key) || (fd.Secret && merged[fd.Key] == "") {
				merged[fd.Key] = fl.old[fd.Key]
			}
		}
		v = fl.c.Normalize(merged)
	}
	return v
}

// settingsChanged reports whether an edit changed a setting or secret.
func (fl *credFlow) settingsChanged() bool {
	return fl.mode != modeEdit || !maps.Equal(fl.c.Normalize(fl.old), fl.values())
}

// skipTest skips the live test going back, and in an edit that changed
// no setting or secret.
func (fl *credFlow) skipTest(dir int) bool { return dir < 0 || !fl.settingsChanged() }

// pageOf returns the id of the settings step that asks key, or the first
// settings step.
func (fl *credFlow) pageOf(key string) string {
	pages := settingsPages(fl.c, fl.mode, fl.keys())
	for n, sp := range pages {
		for _, fd := range sp.fields {
			if fd.Key == key {
				if sp.advanced {
					fl.advanced = true
				}
				return fmt.Sprintf("settings/%d", n+1)
			}
		}
	}
	return "settings/1"
}

// testStep checks the values offline, confirms any remote host, and runs
// the live test with a spinner (Esc cancels it: the decision then offers
// Retry and Edit values). The result is printed, where it stays in the
// scrollback whatever the terminal's size.
func (fl *credFlow) testStep() error {
	f := fl.f
	v := fl.values()
	if err := fl.c.Validate(v); err != nil {
		fmt.Fprintf(f.IO.ErrOut, "%s %s\n", f.IO.stderrStyles().fail.Render("✗"), err)
		var fe *connectors.FieldError
		key := ""
		if errors.As(err, &fe) {
			key = fe.Key
		}
		return jump{fl.pageOf(key)}
	}
	for _, w := range fl.c.Warnings(v) {
		ok, err := confirmID(f, "host", "Warning: "+w+". Continue?", false)
		if err != nil {
			return err
		}
		if !ok {
			return jump{fl.pageOf(urlKeyIn(fl.c, w))}
		}
	}
	fl.printSummary(v)
	fl.attempt++
	var rep connectors.Report
	var terr error
	var res store.TestResult
	err := f.prompter().Work(fl.ctx, Work{
		Title:       fmt.Sprintf("Testing the %s credential…", fl.c.Name),
		Cancellable: true,
		Fn: func(ctx context.Context) error {
			rep, terr, res = liveTest(ctx, f, fl.c, v)
			return nil
		},
	})
	switch {
	case errors.Is(err, ErrBack):
		fl.tested, fl.cancelled = false, true
		fmt.Fprintf(f.IO.ErrOut, "%s Test cancelled.\n", f.IO.stderrStyles().warn.Render("!"))
		return nil
	case err != nil:
		return err
	}
	fl.tested, fl.cancelled = true, false
	fl.rep, fl.terr, fl.res = rep, terr, res
	for _, l := range resultLines(f, fl.c, rep, terr, fl.attempt) {
		fmt.Fprintln(f.IO.ErrOut, l)
	}
	return nil
}

// urlKeyIn returns the key of the URL field a warning is about, or "".
func urlKeyIn(c *connectors.Connector, warning string) string {
	for _, fd := range c.Fields {
		if fd.Domain != "" && strings.Contains(warning, fd.Title) {
			return fd.Key
		}
	}
	for _, fd := range c.Fields {
		if fd.Domain != "" {
			return fd.Key
		}
	}
	return ""
}

// printSummary prints the connector, name and settings about to be tested,
// each line only when it differs from the one printed before.
func (fl *credFlow) printSummary(v connectors.Values) {
	if fl.printed == nil {
		fl.printed = map[string]string{}
	}
	lines := [][2]string{}
	if fl.mode == modeAdd {
		lines = append(lines, [2]string{"Connector", fl.c.Name})
	}
	if fl.mode != modeReauth {
		lines = append(lines, [2]string{"Name", nameLine(fl.name, fl.desc)})
	}
	lines = append(lines, [2]string{"Settings", settingsLine(fl.c, v)})
	for _, l := range lines {
		if fl.printed[l[0]] != l[1] {
			fl.f.echo(l[0], l[1])
			fl.printed[l[0]] = l[1]
		}
	}
}

// decideStep shows the verdict next to the choices: Save (or Retry, Save
// anyway after a failure), Edit values, Cancel.
func (fl *credFlow) decideStep() error {
	page, act := decidePage(fl.f, fl.c, fl.terr, fl.cancelled, fl.attempt)
	if err := fl.f.prompter().Ask(page); err != nil {
		return err
	}
	switch *act {
	case actRetry:
		return jump{"test"}
	case actEdit:
		return jump{fl.firstSettings()}
	case actCancel:
		return ErrCancelled
	}
	return nil
}

// firstSettings is the id of the first settings step that applies.
func (fl *credFlow) firstSettings() string {
	v := fl.b.values(fl.c)
	for n, sp := range settingsPages(fl.c, fl.mode, fl.keys()) {
		if !sp.advanced && sp.applies(v) {
			return fmt.Sprintf("settings/%d", n+1)
		}
	}
	return "settings/1"
}

// saveStep saves, showing "Saving…" while a slow store works (it cannot be
// interrupted half way), then says what was saved where.
func (fl *credFlow) saveStep() error {
	f := fl.f
	v := fl.values()
	var result *store.TestResult
	if fl.tested {
		r := fl.res
		result = &r
	}
	switch fl.mode {
	case modeAdd:
		req := saveRequest{c: fl.c, name: fl.name, description: fl.desc, values: v, replace: fl.replace,
			newSecrets: true, result: result}
		if err := fl.saving(func() error { return save(f, req) }); err != nil {
			return err
		}
		reportSaved(f, req, "Saved")
		fmt.Fprintf(f.IO.ErrOut, "  Next: credwiz test %s · credwiz token %s · credwiz list\n", fl.name, fl.name)
	case modeEdit:
		ed := editSave{cred: *fl.cred, c: fl.c, old: fl.old, name: fl.name, desc: fl.desc, values: v,
			replace: fl.replace, result: result}
		if !ed.changed() {
			fmt.Fprintf(f.IO.ErrOut, "Nothing to change in %q.\n", fl.cred.Name)
			return errDone
		}
		var req saveRequest
		if err := fl.saving(func() (err error) { req, err = ed.save(f); return err }); err != nil {
			return err
		}
		ed.report(f, req)
	case modeReauth:
		var req saveRequest
		if err := fl.saving(func() (err error) { req, err = saveReauthQuiet(f, *fl.cred, fl.c, v, result); return err }); err != nil {
			return err
		}
		reportReauth(f, *fl.cred, fl.c, req)
	}
	return errDone
}

// saving runs a save under a "Saving…" spinner.
func (fl *credFlow) saving(fn func() error) error {
	return fl.f.prompter().Work(fl.ctx, Work{Title: "Saving…", Fn: func(context.Context) error { return fn() }})
}
