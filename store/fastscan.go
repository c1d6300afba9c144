package store

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"
)

// The JSON scanning primitives of fastDecodeIndex. They accept only valid
// JSON; where unsure they report !ok and the caller falls back to
// encoding/json.

// fastScanner reads JSON from s at position i.
type fastScanner struct {
	s string
	i int
}

func (d *fastScanner) ws() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// next skips white space and returns the next byte, 0 at the end.
func (d *fastScanner) next() byte {
	d.ws()
	if d.i < len(d.s) {
		return d.s[d.i]
	}
	return 0
}

// consume skips white space and c, reporting whether c was there.
func (d *fastScanner) consume(c byte) bool {
	if d.next() == c {
		d.i++
		return true
	}
	return false
}

// literal consumes the literal word (null, true, false).
func (d *fastScanner) literal(word string) bool {
	d.ws()
	if !strings.HasPrefix(d.s[d.i:], word) {
		return false
	}
	d.i += len(word)
	return d.i == len(d.s) || isDelimiter(d.s[d.i])
}

func isDelimiter(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', ',', '}', ']', ':':
		return true
	}
	return false
}

// null consumes a null if one is next.
func (d *fastScanner) null() bool {
	if d.next() == 'n' {
		return d.literal("null")
	}
	return false
}

// str reads a string and returns its value and its raw quoted form.
// Strings without escapes and with valid UTF-8 are substrings of s; the
// others go through encoding/json for its exact unescaping.
func (d *fastScanner) str() (val, raw string, ok bool) {
	if d.next() != '"' {
		return "", "", false
	}
	start := d.i
	plain, ascii := true, true
	j := start + 1
	for ; ; j++ {
		if j >= len(d.s) {
			return "", "", false
		}
		c := d.s[j]
		if c == '"' {
			break
		}
		switch {
		case c == '\\':
			plain = false
			j++ // the escaped character cannot end the string
		case c < 0x20:
			return "", "", false
		case c >= 0x80:
			ascii = false
		}
	}
	d.i = j + 1
	raw = d.s[start:d.i]
	inner := raw[1 : len(raw)-1]
	if plain && (ascii || utf8.ValidString(inner)) {
		return inner, raw, true
	}
	val, ok = unquote(raw)
	return val, raw, ok
}

// unquote decodes the JSON string raw with encoding/json.
func unquote(raw string) (string, bool) {
	var v string
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return "", false
	}
	return v, true
}

// stringInto reads a string or null (which leaves *p as it is, as
// encoding/json does).
func (d *fastScanner) stringInto(p *string) bool {
	if d.null() {
		return true
	}
	v, _, ok := d.str()
	*p = v
	return ok
}

// boolInto reads a boolean or null (which leaves *p as it is).
func (d *fastScanner) boolInto(p *bool) bool {
	switch d.next() {
	case 't':
		*p = true
		return d.literal("true")
	case 'f':
		*p = false
		return d.literal("false")
	}
	return d.null()
}

// timeInto reads an RFC 3339 time or null (which leaves *p as it is).
func (d *fastScanner) timeInto(p *time.Time) bool {
	if d.null() {
		return true
	}
	v, raw, ok := d.str()
	if !ok {
		return false
	}
	if t, ok := parseUTCTime(v); ok && len(v)+2 == len(raw) {
		*p = t
		return true
	}
	return p.UnmarshalJSON([]byte(raw)) == nil
}

// parseUTCTime parses the common form credwiz writes,
// 2006-01-02T15:04:05Z with optional fractional seconds, with dates up to
// the 28th; ok is false for anything else (time.Time's own parser then
// decides).
func parseUTCTime(s string) (time.Time, bool) {
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[len(s)-1] != 'Z' {
		return time.Time{}, false
	}
	num := func(a, b int) int {
		n := 0
		for _, c := range []byte(s[a:b]) {
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	year, month, day := num(0, 4), num(5, 7), num(8, 10)
	hour, minute, sec := num(11, 13), num(14, 16), num(17, 19)
	if year < 0 || month < 1 || month > 12 || day < 1 || day > 28 ||
		hour < 0 || hour > 23 || minute < 0 || minute > 59 || sec < 0 || sec > 59 {
		return time.Time{}, false
	}
	nsec := 0
	if frac := s[19 : len(s)-1]; frac != "" {
		if len(frac) < 2 || len(frac) > 10 || frac[0] != '.' {
			return time.Time{}, false
		}
		if nsec = num(20, len(s)-1); nsec < 0 {
			return time.Time{}, false
		}
		for range 10 - len(frac) {
			nsec *= 10
		}
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC), true
}

// int reads a small non-negative or negative integer.
func (d *fastScanner) int() (int, bool) {
	d.ws()
	start := d.i
	if d.i < len(d.s) && d.s[d.i] == '-' {
		d.i++
	}
	digits := d.i
	n := 0
	for d.i < len(d.s) && d.s[d.i] >= '0' && d.s[d.i] <= '9' {
		n = n*10 + int(d.s[d.i]-'0')
		d.i++
	}
	nd := d.i - digits
	if nd == 0 || nd > 9 || (nd > 1 && d.s[digits] == '0') || (d.i < len(d.s) && !isDelimiter(d.s[d.i])) {
		return 0, false
	}
	if d.s[start] == '-' {
		n = -n
	}
	return n, true
}

// skip reads any value and returns it compacted.
func (d *fastScanner) skip() (json.RawMessage, bool) {
	d.ws()
	start := d.i
	if !d.skipValue(0) {
		return nil, false
	}
	var buf bytes.Buffer
	if json.Compact(&buf, []byte(d.s[start:d.i])) != nil {
		return nil, false
	}
	return buf.Bytes(), true
}

// skipValue moves past one value. It only finds the value's end; the
// caller validates it with json.Compact.
func (d *fastScanner) skipValue(depth int) bool {
	if depth > 1000 {
		return false
	}
	switch d.next() {
	case '"':
		_, _, ok := d.str()
		return ok
	case '{':
		d.i++
		if d.consume('}') {
			return true
		}
		for {
			if _, _, ok := d.str(); !ok || !d.consume(':') || !d.skipValue(depth+1) {
				return false
			}
			if d.consume('}') {
				return true
			}
			if !d.consume(',') {
				return false
			}
		}
	case '[':
		d.i++
		if d.consume(']') {
			return true
		}
		for {
			if !d.skipValue(depth + 1) {
				return false
			}
			if d.consume(']') {
				return true
			}
			if !d.consume(',') {
				return false
			}
		}
	case 0:
		return false
	}
	start := d.i
	for d.i < len(d.s) && !isDelimiter(d.s[d.i]) {
		d.i++
	}
	return d.i > start
}

// member advances to the next member of an object whose '{' is consumed:
// more is false at the closing '}'. first tracks the first member.
func (d *fastScanner) member(first *bool) (key string, more, ok bool) {
	if d.consume('}') {
		return "", false, true
	}
	if !*first && !d.consume(',') {
		return "", false, false
	}
	*first = false
	key, _, ok = d.str()
	if !ok || !d.consume(':') {
		return "", false, false
	}
	return key, true, true
}

// object reads a JSON object: value is called for each member with the
// scanner at the member's value, which it must read. It reports false on a
// syntax error or when value does.
func (d *fastScanner) object(value func(key string) bool) bool {
	if !d.consume('{') {
		return false
	}
	for first := true; ; {
		key, more, ok := d.member(&first)
		if !ok {
			return false
		}
		if !more {
			return true
		}
		if !value(key) {
			return false
		}
	}
}

// element advances to the next element of an array whose '[' is consumed:
// more is false at the closing ']'.
func (d *fastScanner) element(first *bool) (more, ok bool) {
	if d.consume(']') {
		return false, true
	}
	if !*first && !d.consume(',') {
		return false, false
	}
	*first = false
	return true, true
}

// unknownKey reports whether key is surely unknown: encoding/json would
// match keys that equal a known one case-insensitively, and its folding of
// non-ASCII letters is its own, so those go to it.
func unknownKey(key string, known []string) bool {
	for _, c := range []byte(key) {
		if c >= 0x80 {
			return false
		}
	}
	return !knownKey(known, key)
}
