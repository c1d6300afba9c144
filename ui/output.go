package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"charm.land/lipgloss/v2/table"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/credwiz/credwiz/internal/termsafe"
)

// writeJSON writes v as indented JSON followed by a newline, with the
// characters a terminal would obey or that disguise text \u-escaped (see
// termsafe.JSON): the values decode exactly as they are.
func writeJSON(w io.Writer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(termsafe.JSON(b.Bytes()))
	return err
}

// styles are the few colours credwiz uses; all are no-ops without colour.
type styles struct {
	ok, fail, warn, dim, bold, header lipgloss.Style
}

func newStyles(color bool) styles {
	if !color {
		s := lipgloss.NewStyle()
		return styles{s, s, s, s, s, s}
	}
	return styles{
		ok:     lipgloss.NewStyle().Foreground(lipgloss.Color("2")),
		fail:   lipgloss.NewStyle().Foreground(lipgloss.Color("1")),
		warn:   lipgloss.NewStyle().Foreground(lipgloss.Color("3")),
		dim:    lipgloss.NewStyle().Foreground(lipgloss.Color("8")),
		bold:   lipgloss.NewStyle().Bold(true),
		header: lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("4")),
	}
}

// stdoutStyles returns the styles for data written to Out.
func (s *IOStreams) stdoutStyles() styles { return newStyles(s.ColorOut()) }

// stderrStyles returns the styles for status text written to ErrOut.
func (s *IOStreams) stderrStyles() styles { return newStyles(s.ErrTTY && !s.NoColor) }

// colorWriter wraps w so colours are downsampled to what the terminal
// supports (and dropped under NO_COLOR).
func colorWriter(w io.Writer, noColor bool) io.Writer {
	p := colorprofile.ANSI
	if noColor {
		p = colorprofile.NoTTY
	}
	return &colorprofile.Writer{Forward: w, Profile: p}
}

// printTable prints rows with a header: on a terminal as aligned columns
// fitted to the width (the flexible columns, by index, are truncated with
// "…" when the row would not fit; a cell never wraps); otherwise as
// tab-separated plain rows without the header, for scripts (as gh does).
func printTable(io *IOStreams, header []string, rows [][]string, flex ...int) {
	if !io.OutTTY {
		for _, r := range rows {
			fmt.Fprintln(io.Out, strings.Join(r, "\t"))
		}
		return
	}
	const gap = 2
	widths := make([]int, len(header))
	for _, r := range append([][]string{header}, rows...) {
		for i, cell := range r {
			widths[i] = max(widths[i], ansi.StringWidth(cell))
		}
	}
	fitWidths(widths, io.TermWidth()-gap*(len(widths)-1), flex)
	// Cells are truncated to the fitted widths first, so the lipgloss
	// table never wraps one onto a second line.
	fitted := make([][]string, len(rows))
	for r, row := range rows {
		fitted[r] = make([]string, len(row))
		for i, cell := range row {
			fitted[r][i] = ansi.Truncate(cell, widths[i], "…")
		}
	}
	st := io.stdoutStyles()
	t := table.New().
		Border(lipgloss.HiddenBorder()).
		BorderTop(false).BorderBottom(false).BorderLeft(false).BorderRight(false).
		BorderHeader(false).BorderColumn(false).
		Headers(header...).
		Rows(fitted...).
		StyleFunc(func(row, col int) lipgloss.Style {
			s := lipgloss.NewStyle()
			if col < len(header)-1 {
				s = s.PaddingRight(gap)
			}
			if row == table.HeaderRow {
				return st.header.Inherit(s)
			}
			return s
		})
	w := colorWriter(io.Out, !io.ColorOut())
	for _, l := range strings.Split(t.Render(), "\n") {
		// Columns that could not shrink enough are cut at the edge
		// rather than wrapped onto the next line by the terminal.
		fmt.Fprintln(w, ansi.Truncate(strings.TrimRight(l, " "), io.TermWidth(), "…"))
	}
}

// fitWidths shrinks the flexible columns, widest first, until the sum of
// widths fits total or each is down to minFlex.
func fitWidths(widths []int, total int, flex []int) {
	const minFlex = 8
	sum := 0
	for _, w := range widths {
		sum += w
	}
	for sum > total {
		widest := -1
		for _, i := range flex {
			if widths[i] > minFlex && (widest < 0 || widths[i] > widths[widest]) {
				widest = i
			}
		}
		if widest < 0 {
			return
		}
		widths[widest]--
		sum--
	}
}

// ago describes how long before now t was, in the largest sensible unit.
func ago(now, t time.Time) string {
	d := now.Sub(t)
	if d < time.Minute {
		return "just now"
	}
	n, unit := roughly(d)
	return fmt.Sprintf("%d%s ago", n, unit)
}

// until describes how long after now t is ("in 3h", "in 12 days").
func until(now, t time.Time) string {
	d := t.Sub(now)
	if d < 0 {
		return "expired " + ago(now, t)
	}
	n, unit := roughly(d)
	if unit == "d" {
		return fmt.Sprintf("in %d days", n)
	}
	return fmt.Sprintf("in %d%s", n, unit)
}

// roughly is d, rounded down, in the largest sensible unit: minutes below
// an hour, hours below two days, else days ("m", "h", "d").
func roughly(d time.Duration) (int, string) {
	switch {
	case d < time.Hour:
		return int(d.Minutes()), "m"
	case d < 48*time.Hour:
		return int(d.Hours()), "h"
	default:
		return int(d.Hours() / 24), "d"
	}
}
