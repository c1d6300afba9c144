package ui

import (
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/store"
)

// credentialJSON is the --json form of a saved credential (list, show).
// It is a stable array element: fields are only ever added.
type credentialJSON struct {
	Name              string             `json:"name"`
	Connector         string             `json:"connector"`
	Description       string             `json:"description"`
	Fields            map[string]string  `json:"fields"`
	SecretKeys        []string           `json:"secret_keys"`
	CreatedAt         time.Time          `json:"created_at"`
	UpdatedAt         time.Time          `json:"updated_at"`
	SecretsUpdatedAt  time.Time          `json:"secrets_updated_at"`
	LastTest          *store.TestResult  `json:"last_test"`
	PasswordExpiresAt *time.Time         `json:"password_expires_at,omitempty"`
	PasswordNever     bool               `json:"password_never_expires,omitempty"`
	Expiring          bool               `json:"expiring"`
	Secrets           map[string]string  `json:"secrets,omitempty"` // masked, show only
	Report            *connectors.Report `json:"report,omitempty"`
}

func toCredentialJSON(now time.Time, c *connectors.Connector, cred store.Credential) credentialJSON {
	j := credentialJSON{
		Name: cred.Name, Connector: cred.Connector, Description: cred.Description,
		Fields: cred.Fields, SecretKeys: cred.SecretKeys, CreatedAt: cred.CreatedAt,
		UpdatedAt: cred.UpdatedAt, SecretsUpdatedAt: cred.SecretsUpdatedAt, LastTest: cred.LastTest,
	}
	if j.Fields == nil {
		j.Fields = map[string]string{}
	}
	if j.SecretKeys == nil {
		j.SecretKeys = []string{}
	}
	if at, never, ok := passwordExpiry(c, cred); ok {
		if never {
			j.PasswordNever = true
		} else {
			j.PasswordExpiresAt = &at
			j.Expiring = at.Sub(now) <= expiringSoon
		}
	}
	return j
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
				out := make([]credentialJSON, 0, len(creds))
				for _, cr := range creds {
					out = append(out, toCredentialJSON(now, byID[cr.Connector], cr))
				}
				return writeJSON(f.IO.Out, out)
			}
			if len(creds) == 0 {
				if f.IO.OutTTY {
					f.IO.ErrOut.Write([]byte("No credentials saved yet. Add one with: credwiz add\n"))
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
	if io.OutTTY && io.TermWidth() < 100 {
		// Narrow terminal: drop the description (credwiz show has it).
		header = append(header[:2], header[3:]...)
		for i, r := range rows {
			rows[i] = append(r[:2], r[3:]...)
		}
		printTable(io, header, rows, 2)
		return
	}
	printTable(io, header, rows, 2, 3)
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
