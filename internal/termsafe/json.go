package termsafe

import (
	"unicode/utf16"
	"unicode/utf8"
)

// JSON returns the JSON text b with every character String would replace
// written as a \u escape instead (encoding/json already escapes C0
// controls, U+2028 and U+2029, but writes DEL, C1 controls, bidi controls
// and zero-width characters as they are). A JSON decoder reads the same
// values as before: only the spelling of strings changes. Outside its
// strings a JSON text holds only ASCII, so b needs no parsing; a byte that
// is not valid UTF-8 becomes \ufffd, as encoding/json writes it. When
// nothing needs escaping, b itself is returned.
func JSON(b []byte) []byte {
	i := firstEscape(b)
	if i < 0 {
		return b
	}
	out := make([]byte, 0, len(b)+32)
	out = append(out, b[:i]...)
	for i < len(b) {
		c := b[i]
		if c < 0x7f {
			out = append(out, c)
			i++
			continue
		}
		if c == 0x7f {
			out = appendEscape(out, 0x7f)
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			out = appendEscape(out, utf8.RuneError)
		case Unsafe(r):
			if r > 0xffff {
				r1, r2 := utf16.EncodeRune(r)
				out = appendEscape(appendEscape(out, r1), r2)
			} else {
				out = appendEscape(out, r)
			}
		default:
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	return out
}

// firstEscape returns the offset of the first byte JSON changes, or -1.
func firstEscape(b []byte) int {
	for i := 0; i < len(b); {
		if i+8 <= len(b) && below7f8(load8b(b, i)) {
			i += 8
			continue
		}
		c := b[i]
		if c < 0x7f {
			i++
			continue
		}
		if c == 0x7f {
			return i
		}
		r, size := utf8.DecodeRune(b[i:])
		if (r == utf8.RuneError && size == 1) || Unsafe(r) {
			return i
		}
		i += size
	}
	return -1
}

// appendEscape appends \uXXXX for r (at most 0xFFFF), in lower case as
// encoding/json writes it.
func appendEscape(b []byte, r rune) []byte {
	const hex = "0123456789abcdef"
	return append(b, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
}
