package connectors

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// unicodeFold returns b without the characters a terminal does not show
// (format characters such as zero-width spaces, joiners, soft hyphens,
// byte-order marks and bidi controls, variation selectors and the other
// default-ignorable code points) and in NFKC form (fullwidth letters,
// ligatures and other compatibility forms become the plain ones), or nil
// when that changes nothing. A secret interleaved with invisible
// characters, or typed in fullwidth forms, shows on a terminal exactly
// as the secret; in this form it is the secret again.
func unicodeFold(b []byte) []byte {
	first := -1
	for i, c := range b {
		if c >= utf8.RuneSelf {
			first = i
			break
		}
	}
	if first < 0 {
		return nil // ASCII: nothing to fold
	}
	var stripped []byte
	for i := first; i < len(b); {
		if b[i] < utf8.RuneSelf {
			if stripped != nil {
				stripped = append(stripped, b[i])
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if invisible(r) {
			if stripped == nil {
				stripped = append(make([]byte, 0, len(b)), b[:i]...)
			}
		} else if stripped != nil {
			stripped = append(stripped, b[i:i+n]...)
		}
		i += n
	}
	out := b
	if stripped != nil {
		out = stripped
	}
	if norm.NFKC.QuickSpan(out) != len(out) {
		out = norm.NFKC.Bytes(out)
	}
	if stripped == nil && len(out) == len(b) && string(out) == string(b) {
		return nil
	}
	return out
}

// invisible reports whether r is a default-ignorable code point: a format
// character (Cf) or one of the others Unicode lists (combining grapheme
// joiner, Hangul fillers, variation selectors...).
func invisible(r rune) bool {
	return r != utf8.RuneError && (unicode.Is(unicode.Cf, r) ||
		unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r) ||
		unicode.Is(unicode.Variation_Selector, r))
}
