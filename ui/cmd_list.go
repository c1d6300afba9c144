package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/internal/termsafe"
	"github.com/credwiz/credwiz/store"
)

func newListCmd(f *Factory) *cobra.Command {
	var asJSON bool
	var within string
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List saved credentials (never reads the secret store)",
		Long: `List saved credentials: name, connector, description, a key setting, the last
test and when the password or token expires. list reads only the metadata
file: it works while the keychain is locked or absent.

--expiring-within 14d keeps only credentials whose password expires (or has
expired) within that time.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var window time.Duration
			if within != "" {
				var err error
				if window, err = parseWithin(within); err != nil {
					return err
				}
			}
			creds, err := f.Credentials()
			if err != nil {
				return err
			}
			now := f.Now()
			byID := connectorsByID(f)
			saved := len(creds)
			if within != "" {
				kept := creds[:0]
				for _, cr := range creds {
					if at, never, ok := passwordExpiry(byID[cr.Connector], cr); ok && !never && at.Sub(now) <= window {
						kept = append(kept, cr)
					}
				}
				creds = kept
			}
			if asJSON {
				return writeCredentialsJSON(f.IO, now, byID, creds)
			}
			if len(creds) == 0 {
				if f.IO.OutTTY {
					fmt.Fprintln(f.IO.ErrOut, emptyListText(within, saved))
				}
				return nil
			}
			printCredentials(f.IO, now, byID, creds)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")
	cmd.Flags().StringVar(&within, "expiring-within", "", "only credentials whose password expires within this time (e.g. 14d)")
	return cmd
}

func connectorsByID(f *Factory) map[string]*connectors.Connector {
	m := map[string]*connectors.Connector{}
	for _, c := range f.Connectors() {
		m[c.ID] = c
	}
	return m
}

// printCredentials prints the list table (terminal) or plain rows.
func printCredentials(io *IOStreams, now time.Time, byID map[string]*connectors.Connector, creds []store.Credential) {
	st := io.stdoutStyles()
	rows := make([][]string, 0, len(creds))
	safe := termsafe.String // index texts: one line, no tab, nothing a terminal obeys
	for _, cr := range creds {
		c := byID[cr.Connector]
		exp, soon := expiryText(now, c, cr)
		if !io.OutTTY {
			rows = append(rows, []string{safe(cr.Name), safe(cr.Connector), safe(cr.Description), safe(keyField(c, cr)),
				lastTestPlain(cr), expiryPlain(c, cr)})
			continue
		}
		if soon {
			exp = st.warn.Render("! " + exp)
		}
		exp = strings.Replace(exp, "password expires in", "password in", 1)
		rows = append(rows, []string{safe(cr.Name), safe(cr.Connector), safe(cr.Description), safe(keyField(c, cr)),
			lastTestCell(st, now, cr), exp})
	}
	header := []string{"NAME", "CONNECTOR", "DESCRIPTION", "ACCOUNT", "LAST TEST", "EXPIRES"}
	drop := func(col int) {
		header = append(header[:col:col], header[col+1:]...)
		for i, r := range rows {
			rows[i] = append(r[:col:col], r[col+1:]...)
		}
	}
	switch w := io.TermWidth(); {
	case !io.OutTTY || w >= 100:
		printTable(io, header, rows, 2, 3)
	case w >= 72:
		// Narrow terminal: drop the description (credwiz show has it).
		drop(2)
		printTable(io, header, rows, 2)
		hiddenColumns(io, w, "DESCRIPTION")
	default:
		// Narrower still: the account too; the last columns give way.
		drop(3)
		drop(2)
		printTable(io, header, rows, 3, 2)
		hiddenColumns(io, w, "DESCRIPTION and ACCOUNT")
	}
}

// hiddenColumns says, on stderr, which columns a terminal w columns wide
// left out and where to see them.
func hiddenColumns(io *IOStreams, w int, cols string) {
	fmt.Fprintf(io.ErrOut, "%s not shown at %d columns: widen the terminal, or see credwiz show NAME.\n", cols, w)
}

// keyField is the value that best identifies the account: what the last
// test reached, else the first required plain field (client ID, username),
// else a non-default URL.
func keyField(c *connectors.Connector, cr store.Credential) string {
	// The account the last test saw, also when the values changed since
	// (an edit of the description is no reason to show a setting instead).
	if lt := cr.LastTest; lt != nil && lt.Account != "" {
		return lt.Account
	}
	if c == nil {
		return ""
	}
	for _, fd := range c.Fields {
		if !fd.Secret && fd.Required && len(fd.Options) == 0 && fd.Domain == "" && cr.Fields[fd.Key] != "" {
			return cr.Fields[fd.Key]
		}
	}
	for _, fd := range c.Fields {
		if fd.Domain != "" && cr.Fields[fd.Key] != "" && cr.Fields[fd.Key] != fd.Default {
			return cr.Fields[fd.Key]
		}
	}
	return ""
}

// untestedChange is what list and show say of a credential whose values
// changed after its last test.
const untestedChange = "not tested since the change"

func lastTestCell(st styles, now time.Time, cr store.Credential) string {
	lt := cr.Tested()
	switch {
	case lt == nil && cr.LastTest != nil:
		return st.warn.Render(untestedChange)
	case lt == nil:
		return st.dim.Render("never")
	case lt.OK:
		return st.ok.Render("✓") + " " + ago(now, lt.At)
	default:
		s := st.fail.Render("✗") + " " + ago(now, lt.At)
		if lt.Class != "" {
			s += " (" + termsafe.String(lt.Class) + ")"
		}
		return s
	}
}

func lastTestPlain(cr store.Credential) string {
	lt := cr.Tested()
	switch {
	case lt == nil && cr.LastTest != nil:
		return "untested-change"
	case lt == nil:
		return "never"
	case lt.OK:
		return "ok " + lt.At.UTC().Format(time.RFC3339)
	default:
		return "failed " + lt.At.UTC().Format(time.RFC3339)
	}
}

func expiryPlain(c *connectors.Connector, cr store.Credential) string {
	if at, never, ok := passwordExpiry(c, cr); ok {
		if never {
			return "never"
		}
		return at.UTC().Format(time.RFC3339)
	}
	return ""
}

// emptyListText says why list shows nothing: nothing saved, or nothing
// expiring within the window asked.
func emptyListText(within string, saved int) string {
	switch {
	case saved == 0:
		return "No credentials saved yet. Add one with: credwiz add"
	case within != "":
		return fmt.Sprintf("No password expires within %s (%s; credwiz list shows them).", within, strings.ToLower(countCredentials(saved)[:1])+countCredentials(saved)[1:])
	}
	return ""
}
