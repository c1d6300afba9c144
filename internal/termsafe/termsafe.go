package termsafe

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// String returns s made safe for one line of a terminal: every control
// character (tab and newline included), escape-sequence introducer, bidi
// control, zero-width or other invisible format character, line or
// paragraph separator and invalid UTF-8 byte is replaced by a visible
// placeholder ("␛", "<U+202E>", "<0xFF>"). Anything else is kept.
func String(s string) string { return sanitize(s, false) }

// Text is String for text that may span lines (an error message): newlines
// and tabs are kept and CRLF becomes a newline; everything else String
// replaces is replaced.
func Text(s string) string { return sanitize(s, true) }

// sanitize implements String (multiline false) and Text.
func sanitize(s string, multiline bool) string {
	i := firstUnsafe(s, multiline)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case multiline && (c == '\n' || c == '\t'):
				b.WriteByte(c)
			case multiline && c == '\r' && i+1 < len(s) && s[i+1] == '\n':
				// CRLF: the LF is written next.
			case c < 0x20:
				b.WriteRune(0x2400 + rune(c)) // control pictures: ␀ … ␟
			case c == 0x7f:
				b.WriteRune('\u2421') // ␡
			default:
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString("<0x")
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0xf])
			b.WriteByte('>')
		case Unsafe(r):
			writeCodePoint(&b, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// firstUnsafe returns the byte offset of the first byte of s that sanitize
// would change, or -1.
func firstUnsafe(s string, multiline bool) int {
	for i := 0; i < len(s); {
		if i+8 <= len(s) && printable8(load8(s, i)) {
			i += 8
			continue
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				if !multiline || (c != '\n' && c != '\t') {
					return i
				}
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || Unsafe(r) {
			return i
		}
		i += size
	}
	return -1
}

const hexDigits = "0123456789ABCDEF"

// writeCodePoint writes r as "<U+XXXX>" (at least four hex digits).
func writeCodePoint(b *strings.Builder, r rune) {
	b.WriteString("<U+")
	digits := 4
	for v := r >> 16; v > 0; v >>= 4 {
		digits++
	}
	for d := digits - 1; d >= 0; d-- {
		b.WriteByte(hexDigits[(r>>(4*d))&0xf])
	}
	b.WriteByte('>')
}

// Unsafe reports whether a terminal could obey r or r could disguise text:
// C0 and C1 controls and DEL (tab and newline included), format characters
// (Unicode category Cf: bidi controls, zero-width characters, the byte
// order mark, tag characters, ...), the line and paragraph separators, and
// the other default-ignorable code points that render as nothing (such as
// U+034F and the Hangul fillers). Variation selectors are not unsafe: emoji
// need them.
func Unsafe(r rune) bool {
	switch {
	case r < 0x20 || r == 0x7f:
		return true
	case r < 0x80:
		return false
	case r <= 0x9f:
		return true // C1 controls
	case r < 0x600:
		// Latin, Greek, Cyrillic, ...: the tables below hold only these.
		return r == 0xad || r == 0x34f
	case 0x3165 <= r && r < 0xfeff:
		return false // CJK and most other scripts: none in the tables
	}
	return unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp, unicode.Other_Default_Ignorable_Code_Point)
}
