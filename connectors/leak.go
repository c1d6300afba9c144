package connectors

import (
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strings"
	"unicode/utf8"
)

// WithheldNotice replaces, as a whole, a vendor text in which a LeakCheck
// found a secret. credwiz never patches such a text: a text that quoted the
// credential once may quote it again in a form no check knows.
const WithheldNotice = "the vendor's answer quoted the credential, so it is not shown"

// Run lengths of the leak check. Any run of RunLen characters of a secret
// is a leak; a secret shorter than that leaks only whole. In base64 and
// hex, any run of RunLen bytes of a secret is a leak (fewer characters when
// they are not ASCII: stricter, and as unlikely to occur by chance).
const (
	// RunLen is the shortest run of a secret's characters that counts as a leak.
	RunLen = 8
	// b64Run and b64Step: any RunLen bytes of a secret always yield 10
	// whole base64 characters, whatever their alignment in the encoded
	// text (64 bits hold 10 whole 6-bit characters at every bit offset),
	// and any 10 consecutive characters of an encoding hold a run of 8
	// that starts at a multiple of 3: indexing those runs alone finds
	// every quote, with a third of the entries.
	b64Run, b64Step = 8, 3
	// hexRun is the hex length of RunLen bytes.
	hexRun = 2 * RunLen
)

// LeakCheck finds the secrets of one credential (and the access tokens it
// yielded) in vendor text before that text is shown or stored. It looks at
// the text as sent, as decoded (HTML entities, JSON escapes, \xNN escapes,
// percent-encoding, repeatedly), and with the characters a terminal does
// not show removed and compatibility forms folded (NFKC: fullwidth
// letters), case-insensitively and with "+" and any white space read as a
// space, for any run of RunLen characters of a secret, of the secret
// reversed, and of the secret spelt out with a one-byte separator after
// each character ("s-u-p-3-r"); for the base64 (standard and URL
// alphabets, at any alignment, padded or not, once or twice), base32
// (both alphabets, either case) and hex (either case, pairs alone or each
// followed by the same separator) encodings of any run of RunLen bytes of
// the secret, in UTF-8 and (hex and base64 once) in UTF-16. A secret
// shorter than RunLen counts only whole.
//
// It does not look for what would need a key, a guess or a search over
// transformations: ciphers, hashes, compression, a secret spelt out with
// a separator of more than one character or a varying one, or with one
// shorter than 4 characters, 0x-prefixed hex, octal escapes, base85, and
// layers beyond those named (hex of base64, base64 of the reversed
// secret, base32 of UTF-16...). Each form costs a pass over every answer
// or needles in every check; these are the ones vendors' echoes and
// debugging pages have been seen to use. The zero value and nil find
// nothing. A LeakCheck is safe for concurrent use; build it once per
// credential, as building costs far more than a check.
type LeakCheck struct {
	secrets []string
	plain   index // folded: runs of the secret (as sent, decoded, upper-cased, folded, reversed) and of its hex and base32
	b64s    index // runs of its base64 encodings
}

// NewLeakCheck returns a check for the given secrets; empty ones are
// ignored.
func NewLeakCheck(secrets ...string) *LeakCheck {
	return (*LeakCheck)(nil).With(secrets...)
}

// With returns a check for l's secrets plus more, such as the access token
// a token exchange returned. l (which may be nil) is not changed.
func (l *LeakCheck) With(more ...string) *LeakCheck {
	n := &LeakCheck{}
	if l != nil {
		n.secrets = slices.Clip(l.secrets)
		n.plain, n.b64s = l.plain, l.b64s
	}
	var plainRuns, base64Runs []string
	for _, s := range more {
		if s == "" || slices.Contains(n.secrets, s) {
			continue
		}
		n.secrets = append(n.secrets, s)
		// A vendor may quote the secret decoded, or upper-cased (which
		// fold does not undo for every letter: "ı" upper-cases to "I"),
		// or folded as Leaks folds text, or reversed.
		forms := []string{s, string(decodeAll([]byte(s))), strings.ToUpper(s), reverse(s)}
		if u := unicodeFold([]byte(s)); u != nil {
			forms = append(forms, string(u))
		}
		var folded []string
		for _, form := range forms {
			if f := string(fold([]byte(form))); !slices.Contains(folded, f) {
				folded = append(folded, f)
				plainRuns = appendRuneRuns(plainRuns, f, RunLen)
			}
		}
		for i, b := range byteForms(s) {
			plainRuns = appendRuns(plainRuns, hex.EncodeToString([]byte(b)), hexRun, 2)
			base64Runs = appendBase64Runs(base64Runs, b, i == 0)
		}
		plainRuns = appendBase32Runs(plainRuns, s)
	}
	n.plain = n.plain.with(plainRuns)
	n.b64s = n.b64s.with(base64Runs)
	return n
}

// Leaks reports whether text holds any of l's secrets in any form l knows.
func (l *LeakCheck) Leaks(text string) bool {
	if l == nil || len(l.secrets) == 0 || text == "" {
		return false
	}
	raw := []byte(text)
	forms := [][]byte{raw}
	last := raw
	if dec := decodeAll(raw); string(dec) != text {
		forms = append(forms, dec)
		last = dec
	}
	if u := unicodeFold(last); u != nil {
		last = decodeAll(u)
		forms = append(forms, last)
	}
	for _, f := range forms {
		folded := fold(f)
		if l.plain.in(folded) || l.b64s.in(b64Form(f)) {
			return true
		}
		if spelt := unspace(folded); spelt != nil && l.plain.in(spelt) {
			return true
		}
	}
	return false
}

// Withhold returns text, or WithheldNotice when text leaks a secret.
func (l *LeakCheck) Withhold(text string) string {
	if l.Leaks(text) {
		return WithheldNotice
	}
	return text
}

// Secrets returns the values of c's secret fields in v, plus, for every
// ordered pair of them, the join of the two: the last RunLen-1 characters
// of one followed by the first RunLen-1 of the other. A value sent as two
// secrets joined (Salesforce's password immediately followed by the
// security token) is then found by NewLeakCheck even by a run that spans
// the join.
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
				out = append(out, lastRunes(out[i], RunLen-1)+firstRunes(out[j], RunLen-1))
			}
		}
	}
	return out
}

// firstRunes returns the first n characters of s.
func firstRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// lastRunes returns the last n characters of s.
func lastRunes(s string, n int) string {
	for i := len(s); i > 0; {
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
		if n--; n == 0 {
			return s[i:]
		}
	}
	return s
}

// base64Core returns the characters of enc's encoding of s, placed after
// align bytes of other data, that depend on s's bytes alone: whatever
// surrounds s in an encoded text, its encoding holds this core.
func base64Core(enc *base64.Encoding, s string, align int) string {
	full := enc.EncodeToString(append(make([]byte, align), s...))
	start := (8*align + 5) / 6                  // first character after the filler's bits
	end := min((8*(align+len(s)))/6, len(full)) // last character within s's bits
	if start >= end {
		return ""
	}
	return full[start:end]
}

// appendRuns appends to dst every run of n bytes of s starting at a
// multiple of step, or s itself when it is shorter than n.
func appendRuns(dst []string, s string, n, step int) []string {
	if s == "" {
		return dst
	}
	if len(s) <= n {
		return append(dst, s)
	}
	for i := 0; i+n <= len(s); i += step {
		dst = append(dst, s[i:i+n])
	}
	return dst
}

// appendRuneRuns appends to dst every run of n characters of s, or s
// itself when it has fewer.
func appendRuneRuns(dst []string, s string, n int) []string {
	starts := make([]int, 0, len(s)+1)
	for i := range s {
		starts = append(starts, i)
	}
	starts = append(starts, len(s))
	if len(starts)-1 <= n {
		return append(dst, s)
	}
	for i := 0; i+n < len(starts); i++ {
		dst = append(dst, s[starts[i]:starts[i+n]])
	}
	return dst
}

// b64Form prepares text for the base64 search: line breaks and tabs (of
// wrapped base64) are dropped and spaces read as "+" (a form decoder turns
// "+" into a space).
func b64Form(b []byte) []byte {
	if !strings.ContainsAny(string(b), " \t\r\n") {
		return b
	}
	out := make([]byte, 0, len(b))
	for _, c := range b {
		switch c {
		case '\t', '\r', '\n':
		case ' ':
			out = append(out, '+')
		default:
			out = append(out, c)
		}
	}
	return out
}
