package ui

import (
	"context"
	"fmt"
	"maps"
	"slices"

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

	cred     *store.Credential // edit, reauth: the saved credential
	old      connectors.Values // edit, reauth: its saved values
	noSecret bool              // edit, reauth: its secret is missing, so every secret is asked as in add

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

// questionMode is the mode the settings questions follow: add's (a
// required secret must be entered) when the saved secret is missing.
func (fl *credFlow) questionMode() formMode {
	if fl.noSecret {
		return modeAdd
	}
	return fl.mode
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
