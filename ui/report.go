package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/credwiz/credwiz/connectors"
)

// reportLines renders a live test's Report as plain lines: the account
// reached, details, token type and expiry, the access checklist and
// warnings.
func reportLines(now time.Time, rep connectors.Report) []string {
	var out []string
	if rep.Account != "" {
		out = append(out, "Account:  "+rep.Account)
	}
	for _, d := range rep.Details {
		out = append(out, fmt.Sprintf("%s:  %s", d.Label, d.Value))
	}
	switch {
	case rep.TokenNeverExpires:
		out = append(out, "Token:    "+orDash(rep.TokenType)+", does not expire")
	case !rep.TokenExpires.IsZero():
		out = append(out, fmt.Sprintf("Token:    %s, expires %s (%s), renewed automatically",
			orDash(rep.TokenType), until(now, rep.TokenExpires), rep.TokenExpires.Local().Format("15:04")))
	case rep.TokenType != "":
		out = append(out, "Token:    "+rep.TokenType)
	}
	if len(rep.Access) > 0 {
		out = append(out, "Access:")
		for _, ch := range rep.Access {
			out = append(out, "  "+checkLine(ch))
		}
	}
	for _, w := range rep.Warnings {
		out = append(out, "! "+w)
	}
	return out
}

// checkLine renders one access check: ✓ / ✗ (required) / ! (optional).
func checkLine(ch connectors.Check) string {
	mark := "✓"
	switch {
	case !ch.OK && ch.Required:
		mark = "✗"
	case !ch.OK:
		mark = "!"
	}
	s := mark + " " + ch.Name
	if !ch.Required {
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

// noteEscape escapes the characters huh's Note renders as markup
// (_ * ` \), so vendor codes like invalid_grant show as they are.
func noteEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "_", `\_`, "*", `\*`, "`", "\\`")
	return r.Replace(s)
}
