package termsafe

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// UnsafeError is Check's answer for text that holds a character String
// would replace: the first one, and where it is.
type UnsafeError struct {
	// Rune is the character; utf8.RuneError with Invalid set for a byte
	// that is not valid UTF-8.
	Rune rune
	// Byte is that byte when Invalid is set.
	Byte byte
	// Invalid reports a byte that is not part of valid UTF-8.
	Invalid bool
	// Offset is the byte offset of the character in the text.
	Offset int
}

// Error describes the character by kind and code point, never quoting the
// text around it: "holds a bidirectional-text control (U+202E)".
func (e *UnsafeError) Error() string {
	if e.Invalid {
		return fmt.Sprintf("is not valid UTF-8 (byte 0x%02X)", e.Byte)
	}
	return fmt.Sprintf("holds %s (U+%04X)", Kind(e.Rune), e.Rune)
}

// Check returns nil when String would print s unchanged, else an
// *UnsafeError naming the first character it would replace. It is for
// input that will be shown on one line later (a description).
func Check(s string) error {
	i := firstUnsafe(s, false)
	if i < 0 {
		return nil
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	if r == utf8.RuneError && size == 1 {
		return &UnsafeError{Rune: r, Byte: s[i], Invalid: true, Offset: i}
	}
	return &UnsafeError{Rune: r, Offset: i}
}

// Kind names the class of an Unsafe character in words ("a control
// character", "a bidirectional-text control", "an invisible character",
// "a line or paragraph separator"); "" when r is not Unsafe.
func Kind(r rune) string {
	switch {
	case !Unsafe(r):
		return ""
	case r == '\t':
		return "a tab"
	case r == '\n' || r == '\r':
		return "a line break"
	case r < 0xa0:
		return "a control character"
	case isBidi(r):
		return "a bidirectional-text control"
	case unicode.In(r, unicode.Zl, unicode.Zp):
		return "a line or paragraph separator"
	}
	return "an invisible character"
}

// isBidi reports whether r is one of the explicit bidirectional formatting
// characters: marks, embeddings, overrides and isolates.
func isBidi(r rune) bool {
	switch {
	case r == 0x061c, r == 0x200e, r == 0x200f:
		return true
	case 0x202a <= r && r <= 0x202e:
		return true
	case 0x2066 <= r && r <= 0x2069:
		return true
	}
	return false
}
