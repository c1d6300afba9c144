package ui

import (
	"context"
	"fmt"

	"github.com/charmbracelet/x/ansi"

	"github.com/credwiz/credwiz/connectors"
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
// description → connection settings → live test → decide → save. c is the
// connector given on the command line, or nil to ask.
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
	fl := &credFlow{f: f, ctx: ctx, mode: modeAdd, c: c, askConnector: c == nil}
	return fl.run()
}

// decidePage is the decision after a live test: its title is the verdict,
// so it stays in view next to the choices on any terminal; the details
// were printed above it.
func decidePage(f *Factory, c *connectors.Connector, terr error, cancelled bool, attempt int) (*Page, *string) {
	act := actSave
	var opts []Choice
	title := verdict(f, c, terr, attempt)
	switch {
	case cancelled:
		title = "" // the line above says "Test cancelled"
		act = actRetry
		opts = []Choice{{"Retry the test", actRetry}, {"Edit values", actEdit}, {"Cancel (save nothing)", actCancel}}
	case terr == nil:
		opts = []Choice{{"Save", actSave}, {"Edit values", actEdit}, {"Cancel (save nothing)", actCancel}}
	default:
		act = actRetry
		opts = []Choice{{"Retry", actRetry}, {"Edit values", actEdit}, {"Save anyway", actSaveAnyway}, {"Cancel (save nothing)", actCancel}}
	}
	return &Page{ID: "decide", Title: title, Questions: []Question{{
		Kind: KindSelect, Key: "decide", Title: "What next?", Options: opts, Value: &act,
	}}}, &act
}

// verdict is the one-line outcome of a live test.
func verdict(f *Factory, c *connectors.Connector, terr error, attempt int) string {
	if terr == nil {
		return "✓ Connected to " + c.Name
	}
	v := "✗ Test failed: " + className(terr)
	if attempt > 1 {
		v += fmt.Sprintf(" (attempt %d, %s)", attempt, f.Now().Local().Format("15:04:05"))
	}
	return v
}

// resultLines are the printed outcome of a live test: the verdict, for a
// failure what happened and what to do, and the report.
func resultLines(f *Factory, c *connectors.Connector, rep connectors.Report, terr error, attempt int) []string {
	st := f.IO.stderrStyles()
	v := verdict(f, c, terr, attempt)
	if terr == nil {
		v = st.ok.Render(v)
	} else {
		v = st.fail.Render(v)
	}
	out := []string{v}
	if terr != nil {
		out = append(out, indentWrapped(f, safe(failure(c, "", terr)), "  ")...)
	}
	for _, l := range reportLines(f.Now(), rep, f.IO.TermWidth()-3) {
		out = append(out, "  "+l)
	}
	return out
}

// indentWrapped wraps s at spaces to the terminal's width, each line
// indented.
func indentWrapped(f *Factory, s, indent string) []string {
	w := f.IO.TermWidth() - len(indent) - 1
	if w < 20 {
		return []string{indent + s}
	}
	var out []string
	for _, l := range splitLines(ansi.Wrap(s, w, "")) {
		out = append(out, indent+l)
	}
	return out
}

// fitLabel truncates a list label to the terminal's width.
func fitLabel(f *Factory, s string) string {
	w := min(f.IO.TermWidth(), maxFormWidth) - 6
	if w < 10 {
		return s
	}
	return ansi.Truncate(s, w, "…")
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
