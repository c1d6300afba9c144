package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestWrapAtSpaces: commands in printed lines are never cut at a hyphen;
// the lines still fit the width, and a word longer than a line is cut.
func TestWrapAtSpaces(t *testing.T) {
	line := "  The password expires around 2027-02-28; credwiz list --expiring-within 14d shows it in time."
	for _, width := range []int{30, 45, 59, 80} {
		got := wrapAtSpaces(line, width)
		if strings.ReplaceAll(got, "\n", " ") != line && strings.ReplaceAll(got, "\n", "") != line {
			t.Errorf("width %d: the text changed:\n%s", width, got)
		}
		for _, row := range strings.Split(got, "\n") {
			if w := ansi.StringWidth(row); w > width {
				t.Errorf("width %d: a row of %d columns: %q", width, w, row)
			}
			if strings.HasSuffix(row, "-") || strings.HasSuffix(row, "--") {
				t.Errorf("width %d: a row ends at a hyphen: %q", width, row)
			}
		}
		if !strings.Contains(got, "--expiring-within") || !strings.Contains(got, "2027-02-28") {
			t.Errorf("width %d: a flag or a date was cut:\n%s", width, got)
		}
	}
	if got := wrapAtSpaces(strings.Repeat("x", 25), 10); got != "xxxxxxxxxx\nxxxxxxxxxx\nxxxxx" {
		t.Errorf("a word longer than the line: %q", got)
	}
}
