package ui

import (
	"context"
	"errors"
	"fmt"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/store"
)

// testStep checks the values offline, confirms any remote host, and runs
// the live test with a spinner (Esc cancels it: the decision then offers
// Retry and Edit values). The result is printed, where it stays in the
// scrollback whatever the terminal's size.
func (fl *credFlow) testStep() error {
	f := fl.f
	v := fl.values()
	if err := fl.c.Validate(v); err != nil {
		fmt.Fprintf(f.IO.ErrOut, "%s %s\n", f.IO.stderrStyles().fail.Render("✗"), safe(err.Error()))
		var fe *connectors.FieldError
		key := ""
		if errors.As(err, &fe) {
			key = fe.Key
		}
		return jump{fl.pageOf(key)}
	}
	for _, w := range fl.c.Warnings(v) {
		ok, err := confirmGuarded(f, "host", "Warning: "+w.Text+". Continue?")
		if err != nil {
			return err
		}
		if !ok {
			return jump{fl.pageOf(w.Key)}
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
			rep, res, terr = liveTest(ctx, f, fl.c, v)
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

// saving runs a save under a "Saving…" spinner; the save that creates
// the encrypted file store says why it takes seconds.
func (fl *credFlow) saving(fn func() error) error {
	title := "Saving…"
	if st, err := fl.f.Store(); err == nil && st.File != nil {
		if state, err := st.File.State(); err == nil && state == store.FileNone {
			title = "Saving… creating the encrypted file store (its passphrase is stretched, slow on purpose: a few seconds)"
		}
	}
	return fl.f.prompter().Work(fl.ctx, Work{Title: title, Fn: func(context.Context) error { return fn() }})
}
