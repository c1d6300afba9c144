package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/store"
)

// appendCredentialJSON appends the --json form of a saved credential (an
// element of list's array; show's object): the index record as the store
// writes it (name, connector, description, fields, secret_keys, created_at,
// updated_at, secrets_updated_at, last_test; empty ones omitted), plus
// password_expires_at / password_never_expires where the connector's
// password expires, expiring (within 14 days), and the extra members given
// (already encoded). Fields are only ever added. It avoids reflection:
// list --json prints thousands of these.
func appendCredentialJSON(b []byte, now time.Time, c *connectors.Connector, cred store.Credential, extra ...[]byte) ([]byte, error) {
	b, err := cred.AppendJSON(b)
	if err != nil {
		return b, err
	}
	b = b[:len(b)-1] // reopen the object: drop its '}'
	expiring := false
	if at, never, ok := passwordExpiry(c, cred); ok {
		if never {
			b = append(b, `,"password_never_expires":true`...)
		} else {
			b = append(b, `,"password_expires_at":"`...)
			b = at.UTC().AppendFormat(b, time.RFC3339)
			b = append(b, '"')
			expiring = at.Sub(now) <= expiringSoon
		}
	}
	b = append(b, `,"expiring":`...)
	b = strconv.AppendBool(b, expiring)
	for _, x := range extra {
		b = append(b, ',')
		b = append(b, x...)
	}
	return append(b, '}'), nil
}

// writeCredentialsJSON writes creds as a JSON array: one element per line,
// streamed in 64 KiB writes, or indented on a terminal.
func writeCredentialsJSON(io *IOStreams, now time.Time, byID map[string]*connectors.Connector, creds []store.Credential) error {
	const flushAt = 64 << 10
	b := make([]byte, 0, flushAt+4096)
	var pretty bytes.Buffer
	flush := func() error {
		var err error
		if io.OutTTY {
			pretty.Write(b)
		} else {
			_, err = io.Out.Write(b)
		}
		b = b[:0]
		return err
	}
	b = append(b, '[')
	var err error
	for i, cr := range creds {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '\n')
		if b, err = appendCredentialJSON(b, now, byID[cr.Connector], cr); err != nil {
			return err
		}
		if len(b) >= flushAt {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if len(creds) > 0 {
		b = append(b, '\n')
	}
	b = append(b, "]\n"...)
	if err := flush(); err != nil || !io.OutTTY {
		return err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, pretty.Bytes(), "", "  "); err != nil {
		return err
	}
	_, err = io.Out.Write(out.Bytes())
	return err
}

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
			ix, err := f.Index()
			if err != nil {
				return err
			}
			creds, err := ix.List()
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
	for _, cr := range creds {
		c := byID[cr.Connector]
		exp, soon := expiryText(now, c, cr)
		if !io.OutTTY {
			rows = append(rows, []string{cr.Name, cr.Connector, cr.Description, keyField(c, cr),
				lastTestPlain(cr.LastTest), expiryPlain(c, cr)})
			continue
		}
		if soon {
			exp = st.warn.Render("! " + exp)
		}
		exp = strings.Replace(exp, "password expires in", "password in", 1)
		rows = append(rows, []string{cr.Name, cr.Connector, cr.Description, keyField(c, cr),
			lastTestCell(st, now, cr.LastTest), exp})
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
	default:
		// Narrower still: the account too; the last columns give way.
		drop(3)
		drop(2)
		printTable(io, header, rows, 3, 2)
	}
}

// keyField is the value that best identifies the account: what the last
// test reached, else the first required plain field (client ID, username),
// else a non-default URL.
func keyField(c *connectors.Connector, cr store.Credential) string {
	if cr.LastTest != nil && cr.LastTest.Account != "" {
		return cr.LastTest.Account
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

func lastTestCell(st styles, now time.Time, lt *store.TestResult) string {
	switch {
	case lt == nil:
		return st.dim.Render("never")
	case lt.OK:
		return st.ok.Render("✓") + " " + ago(now, lt.At)
	default:
		s := st.fail.Render("✗") + " " + ago(now, lt.At)
		if lt.Class != "" {
			s += " (" + lt.Class + ")"
		}
		return s
	}
}

func lastTestPlain(lt *store.TestResult) string {
	switch {
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
