package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/credwiz/credwiz/connectors"
)

// echo prints a completed wizard step as one dim line on stderr, so the
// answers stay on screen after each form closes (as gh's prompts do).
func (f *Factory) echo(label, value string) {
	if f.accessible() {
		return // accessible mode already prints each answer
	}
	st := f.IO.stderrStyles()
	// Wrap at spaces, continuation lines indented under the value.
	indent := strings.Repeat(" ", 3+len([]rune(label)))
	// An edit's description and settings come from the index.
	lines := strings.Split(ansi.Wordwrap(safe(value), max(f.IO.TermWidth()-len(indent)-1, 20), ""), "\n")
	fmt.Fprintf(colorWriter(f.IO.ErrOut, f.IO.NoColor || !f.IO.ErrTTY), "%s %s %s\n",
		st.ok.Render("✓"), st.dim.Render(label+":"), strings.Join(lines, "\n"+indent))
}

// nameLine is "name — description" (or just the name).
func nameLine(name, desc string) string {
	if desc == "" {
		return name
	}
	return name + " — " + desc
}

// settingsLine summarises the values that apply, secrets masked.
func settingsLine(c *connectors.Connector, v connectors.Values) string {
	var parts []string
	for _, fd := range c.Fields {
		val := v[fd.Key]
		if val == "" || !fd.Applies(v) {
			continue
		}
		if fd.Secret {
			val = "••••"
		} else if r := []rune(val); len(r) > 24 {
			val = string(r[:12]) + "…" + string(r[len(r)-6:])
		}
		parts = append(parts, fd.Key+"="+val)
	}
	return strings.Join(parts, " ")
}
