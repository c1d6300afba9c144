package connectors

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxValueLen is the longest field value accepted, in bytes.
const MaxValueLen = 8192

// FieldError is an invalid or missing field value. Its text names the field
// and what is allowed, and never contains the value of a secret field.
type FieldError struct {
	// Key is the field's key.
	Key string
	// Reason says what is wrong and what is allowed.
	Reason string
}

// Error implements error.
func (e *FieldError) Error() string { return fmt.Sprintf("field %s: %s", e.Key, e.Reason) }

// MissingError lists every required field that has no value.
type MissingError struct {
	// Keys are the missing fields' keys, in form order.
	Keys []string
}

// Error implements error.
func (e *MissingError) Error() string {
	return "missing required field(s): " + strings.Join(e.Keys, ", ")
}

// Normalize returns a copy of v with the defaults of c filled in for absent
// keys, every value trimmed of surrounding white space, and a leading
// "Bearer " stripped from token fields. Keys c does not declare are kept,
// for Validate to report.
func (c *Connector) Normalize(v Values) Values {
	out := make(Values, len(v)+len(c.Fields))
	for k, val := range v {
		out[k] = strings.TrimSpace(val)
	}
	for _, f := range c.Fields {
		val, ok := out[f.Key]
		if !ok && f.Default != "" {
			out[f.Key] = f.Default
			continue
		}
		if f.Bearer && ok {
			out[f.Key] = StripBearer(val)
		}
		if f.Domain != "" && ok {
			// A URL copied from a browser ends in "/": kept, it would
			// make every path built on the variable exec hands over
			// ("$DRIFT_BASE_URL/users/list") start with "//".
			out[f.Key] = strings.TrimRight(val, "/")
		}
	}
	return out
}

// Validate checks v (normally the result of Normalize) offline: unknown
// keys, required fields missing (all listed at once, as *MissingError),
// values too long, with control characters or invalid UTF-8, options not
// allowed, each field's own Validate, then the connector's Check across
// fields. Fields that do not apply are not checked.
func (c *Connector) Validate(v Values) error {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if _, ok := c.Field(k); !ok {
			return &FieldError{Key: k, Reason: fmt.Sprintf("unknown field for %s; allowed: %s", c.Name, strings.Join(c.keys(), ", "))}
		}
	}
	var missing []string
	for _, f := range c.Fields {
		if !f.Applies(v) {
			continue
		}
		val := v[f.Key]
		if val == "" {
			if f.Required {
				missing = append(missing, f.Key)
			}
			continue
		}
		if err := CheckValue(val); err != nil {
			return &FieldError{Key: f.Key, Reason: err.Error()}
		}
		if err := f.CheckLength(val); err != nil {
			return &FieldError{Key: f.Key, Reason: err.Error()}
		}
		if len(f.Options) > 0 && !slices.Contains(f.Options, val) {
			return &FieldError{Key: f.Key, Reason: "must be one of " + strings.Join(f.Options, ", ")}
		}
		if f.Validate != nil {
			if err := f.Validate(val); err != nil {
				return &FieldError{Key: f.Key, Reason: err.Error()}
			}
		}
	}
	if len(missing) > 0 {
		return &MissingError{Keys: missing}
	}
	if c.Check != nil {
		return c.Check(v)
	}
	return nil
}

// Warning is a value that is allowed but deserves a second look.
type Warning struct {
	// Key is the field the warning is about.
	Key string
	// Text says what deserves a look, naming the field by its title.
	Text string
}

// Warnings returns the warnings for v that do not make it invalid: today,
// a base or login URL on a host outside the vendor's domain.
func (c *Connector) Warnings(v Values) []Warning {
	var out []Warning
	for _, f := range c.Fields {
		if f.Domain == "" || !f.Applies(v) || v[f.Key] == "" {
			continue
		}
		if w, err := CheckURL(v[f.Key], f.Domain); err == nil && w != "" {
			out = append(out, Warning{Key: f.Key, Text: f.Title + ": " + w})
		}
	}
	return out
}

// CheckValue rejects a value that is too long, is not valid UTF-8, or holds
// control characters. It never quotes the value.
func CheckValue(val string) error {
	if len(val) > MaxValueLen {
		return fmt.Errorf("too long (%d bytes; at most %d allowed)", len(val), MaxValueLen)
	}
	if !utf8.ValidString(val) {
		return fmt.Errorf("is not valid UTF-8 text")
	}
	for _, r := range val {
		if unicode.IsControl(r) {
			return fmt.Errorf("contains a control character (U+%04X); paste the value without line breaks or tabs", r)
		}
	}
	return nil
}

// MinSecretLen is the fewest characters a secret value may have unless
// its field says otherwise. No vendor issues keys, secrets or tokens this
// short, so a shorter one is a paste gone wrong; and a value of a few
// characters cannot be masked or leak-checked without hiding every
// ordinary word that holds it.
const MinSecretLen = 8

// CheckLength rejects a non-empty secret value shorter than the field's
// minimum, naming the minimum and never the value.
func (f Field) CheckLength(val string) error {
	if !f.Secret || val == "" {
		return nil
	}
	least := f.MinLen
	if least == 0 {
		least = MinSecretLen
	}
	if n := utf8.RuneCountInString(val); n < least {
		chars := "characters"
		if n == 1 {
			chars = "character"
		}
		return fmt.Errorf("is %d %s long; the %s has at least %d: check that it was pasted whole", n, chars, f.Title, least)
	}
	return nil
}

func (c *Connector) keys() []string {
	out := make([]string, len(c.Fields))
	for i, f := range c.Fields {
		out[i] = f.Key
	}
	return out
}

// ValidateURL returns a Field.Validate function applying CheckURL with the
// given vendor domain.
func ValidateURL(domain string) func(string) error {
	return func(s string) error {
		_, err := CheckURL(s, domain)
		return err
	}
}

// BaseURLField returns the required "base_url" field of a vendor whose API
// lives under domain: def pre-filled, any value checked with
// ValidateURL(domain), and a warning for a remote host outside domain.
// advanced asks it only when the operator opts in.
func BaseURLField(title, help, def, domain string, advanced bool) Field {
	return Field{Key: "base_url", Title: title, Help: help, Default: def, Required: true, Advanced: advanced,
		Domain: domain, Validate: ValidateURL(domain)}
}

// StripBearer removes a leading "Bearer" scheme word (any case) followed by
// white space, or standing alone, from a trimmed token value: "Bearer abc"
// becomes "abc" and "Bearer" becomes "" (a missing value). A token that
// merely starts with those letters ("Bearerless…") is kept.
func StripBearer(val string) string {
	const scheme = "bearer"
	if len(val) < len(scheme) || !strings.EqualFold(val[:len(scheme)], scheme) {
		return val
	}
	rest := val[len(scheme):]
	if rest == "" {
		return ""
	}
	if trimmed := strings.TrimLeft(rest, " \t"); len(trimmed) < len(rest) {
		return strings.TrimSpace(trimmed)
	}
	return val
}
