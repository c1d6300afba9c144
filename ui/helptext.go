package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/credwiz/credwiz/connectors"
)

// The parts of the commands' help that name connectors are built from the
// connectors' declarations, so that a new connector needs no edit here.

// wrapHelp wraps a paragraph of help text at 78 columns, as the written
// ones are.
func wrapHelp(s string) string { return ansi.Wordwrap(s, 78, "") }

// connectorNames returns the connectors' display names, in order.
func connectorNames(f *Factory) []string {
	var names []string
	for _, c := range f.Connectors() {
		names = append(names, c.Name)
	}
	return names
}

// tokenHelp is token's long help: which connectors renew a token, and
// when, and the connectors' examples.
func tokenHelp(all []*connectors.Connector) string {
	var oauth, static, renew, examples []string
	for _, c := range all {
		switch {
		case c.StaticToken:
			static = append(static, c.Name)
		default:
			oauth = append(oauth, c.Name)
			renew = append(renew, c.Name+" "+strings.TrimSuffix(c.EarlyExpiry.String(), "0s"))
		}
		if c.TokenExample != "" {
			examples = append(examples, "  "+c.TokenExample)
		}
	}
	help := wrapHelp(fmt.Sprintf("Print a currently valid access token on stdout. For an OAuth connector (%s) "+
		"the cached token is reused while it is valid and renewed within its connector's margin of its expiry (%s); "+
		"for a static-key connector (%s) the key itself is printed.", joinComma(oauth), joinComma(renew), joinComma(static)))
	if len(examples) > 0 {
		help += "\n\n" + strings.Join(examples, "\n")
	}
	return help + "\n\nThe token is printed only to stdout; keep it out of logs."
}

// addExample is add's scripted example, for the connector that needs the
// fewest values: its non-secret fields on argv, its secrets on stdin.
func addExample(all []*connectors.Connector) string {
	var best *connectors.Connector
	var need []connectors.Field
	for _, c := range all {
		var n []connectors.Field
		for _, fd := range c.Fields {
			if fd.Required && fd.Default == "" && fd.Applies(nil) {
				n = append(n, fd)
			}
		}
		if best == nil || len(n) < len(need) {
			best, need = c, n
		}
	}
	if best == nil {
		return ""
	}
	var format, vars, fields []string
	for _, fd := range need {
		if fd.Secret {
			format = append(format, fd.Key+"=%s\\n")
			vars = append(vars, `"$`+strings.ToUpper(best.ID+"_"+fd.Key)+`"`)
		} else {
			fields = append(fields, " --field "+fd.Key+"=…")
		}
	}
	return fmt.Sprintf("\n\n  printf '%s' %s | credwiz add %s --name prod-%s%s --secrets-stdin",
		strings.Join(format, ""), strings.Join(vars, " "), best.ID, best.ID, strings.Join(fields, ""))
}

// reauthFields names, for the connectors that declare which fields a
// re-authentication asks, those fields: " (Salesforce: Consumer Secret,
// Username, Password, Security Token)".
func reauthFields(all []*connectors.Connector) string {
	var parts []string
	for _, c := range all {
		var titles []string
		for _, k := range c.Reauth {
			if fd, ok := c.Field(k); ok {
				titles = append(titles, fd.Title)
			}
		}
		if len(titles) > 0 {
			parts = append(parts, c.Name+": "+joinComma(titles))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, "; ") + ")"
}
