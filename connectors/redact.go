package connectors

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
)

// redactedMark replaces a secret value in text.
const redactedMark = "[redacted]"

// withheld is returned instead of a text from which a secret could not be
// removed cleanly (a secret that is part of the mark itself).
const withheld = "[message withheld: it contained a secret value]"

// Redact returns s with every occurrence of each secret removed, including
// the secret's URL-encoded and JSON-escaped forms. Empty secrets are ignored.
// The result never contains any of the secrets: when removal cannot make it
// so (a secret that is part of the replacement mark, such as "a"), the whole
// text is withheld, and when even the withheld notice would contain a
// secret, Redact returns "".
func Redact(s string, secrets ...string) string {
	var forms []string
	for _, sec := range secrets {
		if sec == "" {
			continue
		}
		forms = append(forms, sec, url.QueryEscape(sec), url.PathEscape(sec))
		if b, err := json.Marshal(sec); err == nil && len(b) > 2 {
			forms = append(forms, string(b[1:len(b)-1]))
		}
	}
	// Longest first, so a secret that contains another is removed whole.
	slices.SortStableFunc(forms, func(a, b string) int { return len(b) - len(a) })
	for _, f := range forms {
		s = strings.ReplaceAll(s, f, redactedMark)
	}
	if containsAny(s, secrets) {
		if containsAny(withheld, secrets) {
			return ""
		}
		return withheld
	}
	return s
}

// containsAny reports whether s contains any non-empty secret.
func containsAny(s string, secrets []string) bool {
	for _, sec := range secrets {
		if sec != "" && strings.Contains(s, sec) {
			return true
		}
	}
	return false
}

// Secrets returns the values of c's secret fields in v, plus derived values
// that could appear on the wire (such as Salesforce's password immediately
// followed by the security token: every ordered pair joined), for use with
// Redact.
func (c *Connector) Secrets(v Values) []string {
	var out []string
	for _, f := range c.Fields {
		if f.Secret && v[f.Key] != "" {
			out = append(out, v[f.Key])
		}
	}
	n := len(out)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i != j {
				out = append(out, out[i]+out[j])
			}
		}
	}
	return out
}
