package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// nonBreakingHyphen stands in for '-' while wrapping: one column wide, as
// '-' is, and not a break point.
const nonBreakingHyphen = "\u2011"

// wrapAtSpaces wraps s at width columns, breaking lines at spaces only: a
// word longer than a line is still cut. ansi.Wrap also breaks after every
// hyphen, which cut a flag such as --expiring-within in two, and the
// operator copies commands from these lines.
func wrapAtSpaces(s string, width int) string {
	if !strings.Contains(s, "-") || strings.Contains(s, nonBreakingHyphen) {
		return ansi.Wrap(s, width, "")
	}
	w := ansi.Wrap(strings.ReplaceAll(s, "-", nonBreakingHyphen), width, "")
	return strings.ReplaceAll(w, nonBreakingHyphen, "-")
}
