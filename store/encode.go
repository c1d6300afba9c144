package store

import (
	"fmt"
	"maps"
	"slices"
	"time"
	"unicode/utf8"
)

// This file encodes credentials without reflection, byte for byte as
// encoding/json would (TestEncodeMatchesEncodingJSON checks it): the index
// is rewritten whole on every update, and encoding/json takes about 6 ms
// per 1,000 credentials.

// appendJSONString appends s as a JSON string, escaping as encoding/json
// does: quotes, backslashes and control characters; U+2028 and U+2029;
// invalid UTF-8 as U+FFFD; and <, >, & when escapeHTML.
func appendJSONString(b []byte, s string, escapeHTML bool) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && (!escapeHTML || (c != '<' && c != '>' && c != '&')) {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendKey appends "key": after a comma unless first.
func appendKey(b []byte, key string, first bool) []byte {
	if !first {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, key...)
	return append(b, '"', ':')
}

// appendTime appends t as encoding/json does (RFC 3339 with nanoseconds).
func appendTime(b []byte, t time.Time) ([]byte, error) {
	b = append(b, '"')
	b, err := t.AppendText(b)
	if err != nil {
		return nil, fmt.Errorf("encode time: %w", err)
	}
	return append(b, '"'), nil
}

// appendStringMap appends m with its keys sorted.
func appendStringMap(b []byte, m map[string]string, escapeHTML bool) []byte {
	b = append(b, '{')
	for i, k := range slices.Sorted(maps.Keys(m)) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k, escapeHTML)
		b = append(b, ':')
		b = appendJSONString(b, m[k], escapeHTML)
	}
	return append(b, '}')
}

// appendStrings appends a JSON array of strings.
func appendStrings(b []byte, ss []string, escapeHTML bool) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s, escapeHTML)
	}
	return append(b, ']')
}

// appendCredential appends c on one line: the fields in Credential's
// order with its omitempty rules, then c.extra in key order.
func appendCredential(b []byte, c *Credential, escapeHTML bool) ([]byte, error) {
	var err error
	b = append(b, '{')
	b = appendKey(b, "name", true)
	b = appendJSONString(b, c.Name, escapeHTML)
	b = appendKey(b, "connector", false)
	b = appendJSONString(b, c.Connector, escapeHTML)
	if c.Description != "" {
		b = appendKey(b, "description", false)
		b = appendJSONString(b, c.Description, escapeHTML)
	}
	if len(c.Fields) > 0 {
		b = appendKey(b, "fields", false)
		b = appendStringMap(b, c.Fields, escapeHTML)
	}
	if len(c.SecretKeys) > 0 {
		b = appendKey(b, "secret_keys", false)
		b = appendStrings(b, c.SecretKeys, escapeHTML)
	}
	for _, f := range []struct {
		key string
		t   time.Time
	}{{"created_at", c.CreatedAt}, {"updated_at", c.UpdatedAt}, {"secrets_updated_at", c.SecretsUpdatedAt}} {
		b = appendKey(b, f.key, false)
		if b, err = appendTime(b, f.t); err != nil {
			return nil, err
		}
	}
	if r := c.LastTest; r != nil {
		b = appendKey(b, "last_test", false)
		if b, err = appendTestResult(b, r, escapeHTML); err != nil {
			return nil, err
		}
	}
	for _, k := range slices.Sorted(maps.Keys(c.extra)) {
		b = append(b, ',')
		b = appendJSONString(b, k, escapeHTML)
		b = append(b, ':')
		b = append(b, c.extra[k]...)
	}
	return append(b, '}'), nil
}

func appendTestResult(b []byte, r *TestResult, escapeHTML bool) ([]byte, error) {
	var err error
	b = append(b, '{')
	b = appendKey(b, "at", true)
	if b, err = appendTime(b, r.At); err != nil {
		return nil, err
	}
	b = appendKey(b, "ok", false)
	b = appendBool(b, r.OK)
	for _, f := range []struct{ key, v string }{{"class", r.Class}, {"message", r.Message}, {"account", r.Account}} {
		if f.v != "" {
			b = appendKey(b, f.key, false)
			b = appendJSONString(b, f.v, escapeHTML)
		}
	}
	if !r.TokenExpires.IsZero() {
		b = appendKey(b, "token_expires", false)
		if b, err = appendTime(b, r.TokenExpires); err != nil {
			return nil, err
		}
	}
	if r.TokenNeverExpires {
		b = appendKey(b, "token_never_expires", false)
		b = appendBool(b, true)
	}
	if len(r.Warnings) > 0 {
		b = appendKey(b, "warnings", false)
		b = appendStrings(b, r.Warnings, escapeHTML)
	}
	return append(b, '}'), nil
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, "true"...)
	}
	return append(b, "false"...)
}
