package ui

import (
	"bufio"
	"bytes"
	"slices"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/internal/termsafe"
	"github.com/credwiz/credwiz/store"
)

// credentialJSON is the --json form of a saved credential (an element of
// list's array; show's object): the index record as the store writes it
// (name, connector, description, fields, secret_keys, revision,
// created_at, updated_at, secrets_updated_at, last_test; empty ones
// omitted), plus password_expires_at / password_never_expires where the
// connector's password expires, and expiring (within 14 days). A last test
// of values that changed since is moved to previous_test, with
// untested_change set: last_test is only ever a test of the current
// values. Members are only ever added.
type credentialJSON struct {
	Cred                 store.Credential  `json:",embed"`
	PreviousTest         *store.TestResult `json:"previous_test,omitempty"`
	UntestedChange       bool              `json:"untested_change,omitzero"`
	PasswordExpiresAt    *time.Time        `json:"password_expires_at,omitempty"`
	PasswordNeverExpires bool              `json:"password_never_expires,omitzero"`
	Expiring             bool              `json:"expiring"`
	Secrets              map[string]string `json:"secrets,omitempty"`
}

// newCredentialJSON returns the --json form of cred.
func newCredentialJSON(now time.Time, c *connectors.Connector, cred store.Credential) credentialJSON {
	out := credentialJSON{Cred: cred}
	out.Cred.Unknown = withoutOutputMembers(cred.Unknown)
	if cred.LastTest != nil && cred.Tested() == nil {
		out.PreviousTest, out.Cred.LastTest, out.UntestedChange = cred.LastTest, nil, true
	}
	if at, never, ok := passwordExpiry(c, cred); ok {
		if never {
			out.PasswordNeverExpires = true
		} else {
			t := at.UTC()
			out.PasswordExpiresAt = &t
			out.Expiring = at.Sub(now) <= expiringSoon
		}
	}
	return out
}

// outputMembers are the members credentialJSON writes besides the index
// record's.
var outputMembers = []string{"previous_test", "untested_change", "password_expires_at", "password_never_expires", "expiring", "secrets"}

// withoutOutputMembers returns the members of the index record that this
// version does not know (unknown, a JSON object), without any called as
// one of outputMembers: an index written by a later credwiz may hold one,
// and the --json form must name each member once, with the value this
// version computes. A value it cannot read is returned as it is (the
// index was checked when read).
func withoutOutputMembers(unknown jsontext.Value) jsontext.Value {
	// Nothing to do when no name of outputMembers is written out and
	// nothing is escaped ("exp\u0069ring" is "expiring" too).
	if len(unknown) == 0 || (bytes.IndexByte(unknown, '\\') < 0 && !slices.ContainsFunc(outputMembers, func(m string) bool {
		return bytes.Contains(unknown, []byte(m))
	})) {
		return unknown
	}
	dec := jsontext.NewDecoder(bytes.NewReader(unknown))
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
		return unknown
	}
	out := jsontext.Value("{")
	for dec.PeekKind() == '"' {
		raw, err := dec.ReadValue()
		if err != nil {
			return unknown
		}
		quoted := bytes.Clone(raw) // raw is valid only until the next read
		name, err := jsontext.AppendUnquote(nil, quoted)
		if err != nil {
			return unknown
		}
		val, err := dec.ReadValue()
		if err != nil {
			return unknown
		}
		if slices.Contains(outputMembers, string(name)) {
			continue
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(append(append(out, quoted...), ':'), val...)
	}
	if len(out) == 1 {
		return nil
	}
	return append(out, '}')
}

// jsonOptions are the options of every --json output: exact text (no HTML
// escaping), stable order, indented on a terminal.
func jsonOptions(tty bool) json.Options {
	if tty {
		return json.JoinOptions(json.Deterministic(true), jsontext.WithIndent("  "))
	}
	return json.Deterministic(true)
}

// writeCredentialsJSON writes creds as a JSON array, streamed in 64 KiB
// writes: one element per line, or indented on a terminal; bidi and other
// invisible characters escaped as writeJSON does (termsafe.JSON), the
// values unchanged.
func writeCredentialsJSON(io *IOStreams, now time.Time, byID map[string]*connectors.Connector, creds []store.Credential) error {
	w := bufio.NewWriterSize(io.Out, 64<<10)
	opts := jsonOptions(io.OutTTY)
	sep, indent := "\n", ""
	if io.OutTTY {
		sep, indent = "\n  ", "  "
	}
	w.WriteString("[")
	// One encoder for every element: it writes each into buf, followed by
	// a newline, which is cut. It does not look for duplicate member
	// names: a Go struct has none, and the unknown members kept from the
	// index were checked when it was read.
	if io.OutTTY {
		// Only then: any indent option, even an empty prefix, makes the
		// encoder write every member on a line of its own.
		opts = json.JoinOptions(opts, jsontext.WithIndentPrefix(indent))
	}
	var buf bytes.Buffer
	enc := jsontext.NewEncoder(&buf, opts, jsontext.AllowDuplicateNames(true))
	var cj credentialJSON // one value for all: a pointer to it escapes once
	for i, cr := range creds {
		buf.Reset()
		cj = newCredentialJSON(now, byID[cr.Connector], cr)
		if err := json.MarshalEncode(enc, &cj); err != nil {
			return err
		}
		b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		if i > 0 {
			w.WriteString(",")
		}
		w.WriteString(sep)
		if _, err := w.Write(termsafe.JSON(b)); err != nil {
			return err
		}
	}
	if len(creds) > 0 {
		w.WriteString("\n")
	}
	w.WriteString("]\n")
	return w.Flush()
}

// writeCredentialJSON writes show --json: cred's --json form with its
// masked secrets, indented, invisible characters escaped (termsafe.JSON).
func writeCredentialJSON(io *IOStreams, now time.Time, c *connectors.Connector, cred store.Credential, masked map[string]string) error {
	out := newCredentialJSON(now, c, cred)
	out.Secrets = masked
	if out.Secrets == nil {
		out.Secrets = map[string]string{}
	}
	b, err := json.Marshal(out, json.Deterministic(true), jsontext.WithIndent("  "))
	if err != nil {
		return err
	}
	_, err = io.Out.Write(append(termsafe.JSON(b), '\n'))
	return err
}
