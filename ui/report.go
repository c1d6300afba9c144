package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/credwiz/credwiz/connectors"
)

// reportLines renders a live test's Report as plain lines for a terminal
// width columns wide: the account reached, details, token type and expiry,
// the access checklist and warnings.
func reportLines(now time.Time, rep connectors.Report, width int) []string {
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
	lw := 0
	for _, l := range labels {
		lw = max(lw, len([]rune(safe(l))))
	}
	var out []string
	for i, l := range labels {
		out = append(out, hang(fmt.Sprintf("%-*s  ", lw+1, safe(l)+":"), safe(values[i]), width)...)
	}
	out = append(out, accessLines(rep.Access, width)...)
	for _, w := range rep.Warnings {
		out = append(out, hang("! ", safe(w), width)...)
	}
	return out
}

// hang is prefix and text wrapped at spaces to width columns, the lines
// after the first indented under the text.
func hang(prefix, text string, width int) []string {
	pw := ansi.StringWidth(prefix)
	if width-pw < 20 {
		return []string{prefix + text}
	}
	lines := splitLines(wrapAtSpaces(text, width-pw))
	out := []string{prefix + lines[0]}
	for _, l := range lines[1:] {
		out = append(out, strings.Repeat(" ", pw)+l)
	}
	return out
}

// accessLines renders the access checklist compactly: the granted checks
// wrapped on a few lines of at most width columns (required ones first,
// labelled when the connector has both kinds), then each missing one on
// its own line with its note.
func accessLines(checks []connectors.Check, width int) []string {
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
			req = append(req, "✓ "+safe(ch.Name))
		default:
			opt = append(opt, "✓ "+safe(ch.Name))
		}
	}
	out := []string{fmt.Sprintf("Access (%d checked, %d missing):", len(checks), len(missing))}
	if hasReq {
		out = append(out, wrapItems("  required  ", req, width)...)
		out = append(out, wrapItems("  optional  ", opt, width)...)
	} else {
		out = append(out, wrapItems("  ", opt, width)...)
	}
	return append(out, missing...)
}

// wrapItems joins items after prefix, wrapping between items (never inside
// one) at width columns (at most 88), continuation lines indented like the
// first.
func wrapItems(prefix string, items []string, width int) []string {
	accessWidth := min(max(width, 30), 88)
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
	s := mark + " " + safe(ch.Name)
	if !ch.OK && !ch.Required {
		s += " (optional)"
	}
	if ch.Note != "" {
		s += " — " + safe(ch.Note)
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// noteEscape escapes the characters huh's Note renders as markup
// (_ * ` \), so vendor codes like invalid_grant show as they are.
func noteEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "_", `\_`, "*", `\*`, "`", "\\`")
	return r.Replace(s)
}

// splitLines splits s at line breaks.
func splitLines(s string) []string { return strings.Split(s, "\n") }
