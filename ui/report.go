package ui

import (
	"fmt"

	"github.com/charmbracelet/x/ansi"
	"strings"
	"time"

	"github.com/credwiz/credwiz/connectors"
)

// reportLines renders a live test's Report as plain lines: the account
// reached, details, token type and expiry, the access checklist and
// warnings.
func reportLines(now time.Time, rep connectors.Report) []string {
	var labels, values []string
	add := func(l, v string) { labels, values = append(labels, l), append(values, v) }
	if rep.Account != "" {
		add("Account", rep.Account)
	}
	for _, d := range rep.Details {
		add(d.Label, d.Value)
	}
	switch {
	case rep.TokenNeverExpires:
		add("Token", orDash(rep.TokenType)+", does not expire")
	case !rep.TokenExpires.IsZero():
		add("Token", fmt.Sprintf("%s, expires %s (%s), renewed automatically",
			orDash(rep.TokenType), until(now, rep.TokenExpires), rep.TokenExpires.Local().Format("15:04")))
	case rep.TokenType != "":
		add("Token", rep.TokenType)
	}
	width := 0
	for _, l := range labels {
		width = max(width, len([]rune(l)))
	}
	var out []string
	for i, l := range labels {
		out = append(out, fmt.Sprintf("%-*s  %s", width+1, l+":", values[i]))
	}
	out = append(out, accessLines(rep.Access)...)
	for _, w := range rep.Warnings {
		out = append(out, "! "+w)
	}
	return out
}

// accessLines renders the access checklist compactly: the granted checks
// wrapped on a few lines (required ones first, labelled when the connector
// has both kinds), then each missing one on its own line with its note.
func accessLines(checks []connectors.Check) []string {
	if len(checks) == 0 {
		return nil
	}
	var req, opt []string
	var missing []string
	hasReq := false
	for _, ch := range checks {
		hasReq = hasReq || ch.Required
		switch {
		case !ch.OK:
			missing = append(missing, "  "+checkLine(ch))
		case ch.Required:
			req = append(req, "✓ "+ch.Name)
		default:
			opt = append(opt, "✓ "+ch.Name)
		}
	}
	out := []string{fmt.Sprintf("Access (%d checked, %d missing):", len(checks), len(missing))}
	if hasReq {
		out = append(out, wrapItems("  required  ", req)...)
		out = append(out, wrapItems("  optional  ", opt)...)
	} else {
		out = append(out, wrapItems("  ", opt)...)
	}
	return append(out, missing...)
}

// wrapItems joins items after prefix, wrapping at accessWidth columns with
// continuation lines indented like the first.
func wrapItems(prefix string, items []string) []string {
	const accessWidth = 88
	if len(items) == 0 {
		return nil
	}
	indent := strings.Repeat(" ", len([]rune(prefix)))
	var out []string
	line := prefix
	for i, it := range items {
		if i > 0 && len([]rune(line))+2+len([]rune(it)) > accessWidth {
			out = append(out, line)
			line = indent + it
			continue
		}
		if i > 0 {
			line += "  "
		}
		line += it
	}
	return append(out, line)
}

// checkLine renders one access check: ✓ granted, ✗ missing and required,
// ! missing and optional.
func checkLine(ch connectors.Check) string {
	mark := "✓"
	switch {
	case !ch.OK && ch.Required:
		mark = "✗"
	case !ch.OK:
		mark = "!"
	}
	s := mark + " " + ch.Name
	if !ch.OK && !ch.Required {
		s += " (optional)"
	}
	if ch.Note != "" {
		s += " — " + ch.Note
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// wrapNote wraps text for a huh Note at the form's width, breaking only at
// spaces: huh's own wrapping also breaks after "." and "-", which splits
// host names and codes (dev.drift.com, invalid_grant).
func (f *Factory) wrapNote(text string) string {
	w := min(f.IO.TermWidth(), 100) - 6
	if w < 20 {
		return text
	}
	return ansi.Wordwrap(text, w, "")
}

// noteText prepares text for a huh Note: escaped for the markup the Note
// renders on screen, as it is in accessible mode (printed verbatim).
func (f *Factory) noteText(s string) string {
	if f.accessible() {
		return s
	}
	return noteEscape(s)
}

// noteEscape escapes the characters huh's Note renders as markup
// (_ * ` \), so vendor codes like invalid_grant show as they are.
func noteEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "_", `\_`, "*", `\*`, "`", "\\`")
	return r.Replace(s)
}
