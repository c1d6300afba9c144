package connectors

import (
	"bytes"
	"html"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDecodeRounds bounds how many layers of encoding decodeAll peels off,
// so that a hostile text nested a million times deep costs a few passes,
// not a million.
const maxDecodeRounds = 8

// decodeAll returns b with percent-escapes, JSON string escapes, \xNN
// escapes and HTML character references decoded, again and again until nothing changes (at
// most maxDecodeRounds times): a secret inside a JSON string inside an HTML
// page inside a URL comes out readable. Malformed escapes are kept as they
// are. b is not changed; the result may share its memory.
func decodeAll(b []byte) []byte {
	for range maxDecodeRounds {
		next := htmlUnescape(jsonUnescape(percentDecode(b)))
		if bytes.Equal(next, b) {
			break
		}
		b = next
	}
	return b
}

// percentDecode decodes every %XX (hex digits in either case); "+" stays,
// for fold to read as a space.
func percentDecode(b []byte) []byte {
	i := firstEscape(b, '%', func(rest []byte) bool {
		_, ok1 := unhex(at(rest, 1))
		_, ok2 := unhex(at(rest, 2))
		return ok1 && ok2
	})
	if i < 0 {
		return b
	}
	out := append(make([]byte, 0, len(b)), b[:i]...)
	for ; i < len(b); i++ {
		if b[i] == '%' && i+2 < len(b) {
			hi, ok1 := unhex(b[i+1])
			lo, ok2 := unhex(b[i+2])
			if ok1 && ok2 {
				out = append(out, hi<<4|lo)
				i += 2
				continue
			}
		}
		out = append(out, b[i])
	}
	return out
}

// jsonEscapes are the one-letter JSON escapes (after the backslash), and
// jsonEscaped what each stands for.
const jsonEscapes, jsonEscaped = `"\/bfnrt`, "\"\\/\b\f\n\r\t"

// jsonUnescape decodes the escapes of JSON strings wherever they appear:
// \" \\ \/ \b \f \n \r \t and \uXXXX, surrogate pairs included (a lone
// surrogate becomes U+FFFD); and \xNN, the byte escape of C, Python,
// JavaScript and Go strings.
func jsonUnescape(b []byte) []byte {
	i := firstEscape(b, '\\', func(rest []byte) bool {
		c := at(rest, 1)
		if c == 'x' {
			_, ok1 := unhex(at(rest, 2))
			_, ok2 := unhex(at(rest, 3))
			return ok1 && ok2
		}
		return bytes.IndexByte([]byte(`"\\/bfnrtu`), c) >= 0
	})
	if i < 0 {
		return b
	}
	out := append(make([]byte, 0, len(b)), b[:i]...)
	for ; i < len(b); i++ {
		if b[i] != '\\' || i+1 >= len(b) {
			out = append(out, b[i])
			continue
		}
		k := strings.IndexByte(jsonEscapes, b[i+1])
		switch {
		case k >= 0:
			out = append(out, jsonEscaped[k])
			i++
		case b[i+1] == 'x' && i+3 < len(b):
			hi, ok1 := unhex(b[i+2])
			lo, ok2 := unhex(b[i+3])
			if !ok1 || !ok2 {
				out = append(out, b[i])
				continue
			}
			out = append(out, hi<<4|lo)
			i += 3
		case b[i+1] == 'u':
			r, ok := hex4(b[i+2:])
			if !ok {
				out = append(out, b[i])
				continue
			}
			i += 5
			if utf16.IsSurrogate(r) {
				r2, ok := rune(0), false
				if i+2 < len(b) && b[i+1] == '\\' && b[i+2] == 'u' {
					r2, ok = hex4(b[i+3:])
				}
				if pair := utf16.DecodeRune(r, r2); ok && pair != unicode.ReplacementChar {
					r = pair
					i += 6
				} else {
					r = unicode.ReplacementChar
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			out = append(out, b[i])
		}
	}
	return out
}

// htmlUnescape decodes HTML character references: named (&amp; &lt;
// &quot; …) and numeric (&#39; &#x27;).
func htmlUnescape(b []byte) []byte {
	if firstEscape(b, '&', func(rest []byte) bool { c := at(rest, 1); return c == '#' || ('a' <= c|0x20 && c|0x20 <= 'z') }) < 0 {
		return b
	}
	return []byte(html.UnescapeString(string(b)))
}

// firstEscape returns the index of the first byte c in b that starts an
// escape (as starts says of b from there on), or -1.
func firstEscape(b []byte, c byte, starts func(rest []byte) bool) int {
	for off := 0; ; {
		i := bytes.IndexByte(b[off:], c)
		if i < 0 {
			return -1
		}
		if starts(b[off+i:]) {
			return off + i
		}
		off += i + 1
	}
}

// at returns b[i], or 0 past its end.
func at(b []byte, i int) byte {
	if i < len(b) {
		return b[i]
	}
	return 0
}

// fold returns b in the form the case-insensitive search compares, one
// character at a time: letters lower-cased, white space and "+" (a space in
// a form or query) a space. Bytes that are not UTF-8 are kept.
func fold(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			out = append(out, asciiFold[c])
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			out = append(out, c)
			i++
			continue
		}
		i += n
		if unicode.IsSpace(r) {
			out = append(out, ' ')
			continue
		}
		// Upper then lower: "ı", "ſ" and "I" all end as "i", so a text
		// that upper-cased the secret still matches.
		out = utf8.AppendRune(out, unicode.ToLower(unicode.ToUpper(r)))
	}
	return out
}

// asciiFold is fold for ASCII bytes.
var asciiFold = func() (t [utf8.RuneSelf]byte) {
	for c := range t {
		switch {
		case c == '+' || c == ' ' || (c >= '\t' && c <= '\r'):
			t[c] = ' '
		case 'A' <= c && c <= 'Z':
			t[c] = byte(c) + 'a' - 'A'
		default:
			t[c] = byte(c)
		}
	}
	return t
}()

// hex4 reads four hex digits at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		v, ok := unhex(c)
		if !ok {
			return 0, false
		}
		r = r<<4 | rune(v)
	}
	return r, true
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
