package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"charm.land/huh/v2"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/store"
)

// Result-screen choices.
const (
	actSave       = "save"
	actRetry      = "retry"
	actEdit       = "edit"
	actSaveAnyway = "save-anyway"
	actCancel     = "cancel"
)

// runAddWizard is the Add New Credential wizard: connector → name and
// description → connection settings → live test → result → save. Esc or
// Ctrl-C anywhere returns ErrCancelled and saves nothing.
func runAddWizard(ctx context.Context, f *Factory, c *connectors.Connector) error {
	// Fail before any question when the secret store cannot save.
	if _, err := f.readyStore("", false); err != nil {
		return err
	}
	ix, err := f.Index()
	if err != nil {
		return err
	}
	if _, err := ix.List(); err != nil {
		return err
	}
	if c == nil {
		if c, err = pickConnector(f); err != nil {
			return err
		}
	}
	f.echo("Connector", c.Name)
	name, desc, replace, err := askNameAndDescription(f, ix, c, "", "")
	if err != nil {
		return err
	}
	f.echo("Name", nameLine(name, desc))
	if _, err := f.readyStore(name, replace); err != nil {
		return err
	}
	b := newBoundValues(c, nil)
	advanced := false
	req := saveRequest{c: c, name: name, description: desc, replace: replace, newSecrets: true}
	for {
		if err := f.runForm(f.newForm(settingsGroups(c, b, modeAdd, nil, &advanced, f.accessible())...)); err != nil {
			return err
		}
		v := b.values(c)
		if err := c.Validate(v); err != nil {
			fmt.Fprintf(f.IO.ErrOut, "%s\n", err)
			continue
		}
		if ok, err := confirmHosts(f, c, v); err != nil {
			return err
		} else if !ok {
			continue
		}
		req.values = v
		f.echo("Settings", settingsLine(c, v))
		act, res, err := testAndDecide(ctx, f, c, v, "")
		if err != nil {
			return err
		}
		switch act {
		case actEdit:
			continue
		case actCancel:
			return ErrCancelled
		}
		req.result = &res
		if err := save(f, req); err != nil {
			return err
		}
		reportSaved(f, req, "Saved")
		fmt.Fprintf(f.IO.ErrOut, "  Next: credwiz test %s · credwiz token %s · credwiz list\n", name, name)
		return nil
	}
}

// pickConnector asks which connector the credential is for.
func pickConnector(f *Factory) (*connectors.Connector, error) {
	var id string
	if err := f.runForm(f.newForm(connectorPickGroup(f, &id))); err != nil {
		return nil, err
	}
	return f.connector(id)
}

// connectorPickGroup is the connector picker, bound to id.
func connectorPickGroup(f *Factory, id *string) *huh.Group {
	all := f.Connectors()
	width := 0
	for _, c := range all {
		width = max(width, len([]rune(c.Name)))
	}
	opts := make([]huh.Option[string], 0, len(all))
	for _, c := range all {
		opts = append(opts, huh.NewOption(fmt.Sprintf("%-*s  %s", width, c.Name, c.Summary), c.ID))
	}
	title := "Add New Credential"
	if f.accessible() {
		title += ": which system is this credential for?" // huh reads no description out
	}
	return huh.NewGroup(
		huh.NewSelect[string]().
			Title(title).
			Description("Which system is this credential for?").
			Options(opts...).
			Value(id),
	)
}

// askNameAndDescription asks Credential Name and Credential Description,
// as the vendor overlay does. An existing name asks before replacing
// (except current, the name of the credential being edited; "" when adding).
func askNameAndDescription(f *Factory, ix store.Catalog, c *connectors.Connector, current, desc string) (string, string, bool, error) {
	name := current
	title := c.Name + " — new credential"
	if current != "" {
		title = c.Name + " — edit " + current
	}
	for {
		err := f.runForm(f.newForm(huh.NewGroup(
			huh.NewInput().
				Title("Credential Name").
				Description("A short unique name, e.g. prod-"+c.ID+" (letters, digits, '.', '_', '-').").
				Value(&name).
				Validate(func(s string) error { return store.ValidateName(strings.TrimSpace(s)) }),
			huh.NewInput().
				Title("Credential Description (optional)").
				Description("Recommended, not required: the credential's purpose, owner, data freshness.").
				Value(&desc).
				Validate(func(s string) error {
					if err := checkDescription(strings.TrimSpace(s)); err != nil {
						return errors.New(strings.TrimPrefix(err.Error(), "--description: "))
					}
					return nil
				}),
		).Title(title)))
		if err != nil {
			return "", "", false, err
		}
		name, desc = strings.TrimSpace(name), strings.TrimSpace(desc)
		if current != "" && name == current {
			return name, desc, false, nil
		}
		existing, err := ix.Get(name)
		if errors.Is(err, store.ErrNotFound) {
			return name, desc, false, nil
		}
		if err != nil {
			return "", "", false, err
		}
		ok, err := confirm(f, fmt.Sprintf("A %s credential named %q exists. Replace it?", existing.Connector, name), false)
		if err != nil {
			return "", "", false, err
		}
		if ok {
			return name, desc, true, nil
		}
	}
}

// confirmHosts asks, for each URL on a host outside the vendor's domain,
// whether to send the secret there.
func confirmHosts(f *Factory, c *connectors.Connector, v connectors.Values) (bool, error) {
	for _, w := range c.Warnings(v) {
		ok, err := confirm(f, "Warning: "+w+". Continue?", false)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// testAndDecide runs the live test with a spinner and shows the result
// screen until the operator decides: save (after success or "Save
// anyway"), edit, or cancel. Retry runs the test again.
func testAndDecide(ctx context.Context, f *Factory, c *connectors.Connector, v connectors.Values, name string) (string, store.TestResult, error) {
	for attempt := 1; ; attempt++ {
		var rep connectors.Report
		var terr error
		var res store.TestResult
		err := f.withSpinner(ctx, fmt.Sprintf("Testing the %s credential…", c.Name), func(ctx context.Context) error {
			rep, terr, res = liveTest(ctx, f, c, v)
			if errors.Is(terr, context.Canceled) {
				return terr
			}
			return nil
		})
		if err != nil {
			return "", res, err
		}
		act, err := resultScreen(f, c, name, rep, terr, attempt)
		if err != nil {
			return "", res, err
		}
		switch act {
		case actRetry:
			continue
		case actSave, actSaveAnyway:
			return actSave, res, nil
		default:
			return act, res, nil
		}
	}
}

// resultScreen shows the test's outcome and asks what to do next.
func resultScreen(f *Factory, c *connectors.Connector, name string, rep connectors.Report, terr error, attempt int) (string, error) {
	form, act := buildResultForm(f, c, name, rep, terr, attempt)
	if err := f.runForm(form); err != nil {
		return "", err
	}
	return *act, nil
}

// buildResultForm returns the result screen and its bound choice; attempt
// counts the tests run (a retry says which attempt it shows).
func buildResultForm(f *Factory, c *connectors.Connector, name string, rep connectors.Report, terr error, attempt int) (*huh.Form, *string) {
	var title string
	var body []string
	var opts []huh.Option[string]
	act := actSave
	if terr == nil {
		title = "✓ Connected to " + c.Name
		body = reportLines(f.Now(), rep)
		opts = []huh.Option[string]{
			huh.NewOption("Save", actSave),
			huh.NewOption("Edit values", actEdit),
			huh.NewOption("Cancel (save nothing)", actCancel),
		}
	} else {
		title = "✗ Test failed: " + className(terr)
		if attempt > 1 {
			title += fmt.Sprintf(" (attempt %d, %s)", attempt, f.Now().Local().Format("15:04:05"))
		}
		body = append([]string{failure(c, name, terr)}, reportLines(f.Now(), rep)...)
		act = actRetry
		opts = []huh.Option[string]{
			huh.NewOption("Retry", actRetry),
			huh.NewOption("Edit values", actEdit),
			huh.NewOption("Save anyway", actSaveAnyway),
			huh.NewOption("Cancel (save nothing)", actCancel),
		}
	}
	form := f.newForm(huh.NewGroup(
		huh.NewNote().Title(title).Description(f.noteText(f.wrapNote(strings.Join(body, "\n")))),
		huh.NewSelect[string]().Title("What next?").Options(opts...).Value(&act),
	))
	return form, &act
}

// className names an error's class for a title.
func className(err error) string {
	switch connectors.Class(err) {
	case connectors.ErrRejected:
		return "credentials rejected"
	case connectors.ErrForbidden:
		return "permission missing"
	case connectors.ErrUnreachable:
		return "vendor unreachable"
	case connectors.ErrRateLimited:
		return "rate limited"
	case connectors.ErrVendor:
		return "vendor error"
	}
	return "error"
}
