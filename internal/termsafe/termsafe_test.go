package termsafe

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	tests := []struct {
		name, in, line, text string
	}{
		{name: "plain ASCII", in: "prod — EU org", line: "prod — EU org", text: "prod — EU org"},
		{name: "OSC title with BEL", in: "\x1b]0;pwned\x07x", line: "␛]0;pwned␇x", text: "␛]0;pwned␇x"},
		{name: "OSC title with ST", in: "\x1b]2;t\x1b\\", line: "␛]2;t␛\\", text: "␛]2;t␛\\"},
		{name: "clear screen", in: "a\x1b[2Jb", line: "a␛[2Jb", text: "a␛[2Jb"},
		{name: "OSC 52 clipboard", in: "\x1b]52;c;Y3VybCBldmlsIHwgc2g=\x07", line: "␛]52;c;Y3VybCBldmlsIHwgc2g=␇", text: "␛]52;c;Y3VybCBldmlsIHwgc2g=␇"},
		{name: "DCS", in: "\x1bP1$r\x1b\\", line: "␛P1$r␛\\", text: "␛P1$r␛\\"},
		{name: "8-bit CSI (C1)", in: "\u009b2J", line: "<U+009B>2J", text: "<U+009B>2J"},
		{name: "C1 NEL and OSC", in: "a\u0085b\u009d0;x\u009c", line: "a<U+0085>b<U+009D>0;x<U+009C>", text: "a<U+0085>b<U+009D>0;x<U+009C>"},
		{name: "NUL and DEL", in: "a\x00b\x7f", line: "a␀b␡", text: "a␀b␡"},
		{name: "right-to-left override", in: "orgId:\u202e42", line: "orgId:<U+202E>42", text: "orgId:<U+202E>42"},
		{name: "bidi isolates and marks", in: "\u2066a\u2067b\u2068c\u2069\u200e\u200f\u061c", line: "<U+2066>a<U+2067>b<U+2068>c<U+2069><U+200E><U+200F><U+061C>", text: "<U+2066>a<U+2067>b<U+2068>c<U+2069><U+200E><U+200F><U+061C>"},
		{name: "embeddings", in: "\u202a\u202b\u202c\u202d", line: "<U+202A><U+202B><U+202C><U+202D>", text: "<U+202A><U+202B><U+202C><U+202D>"},
		{name: "zero-width", in: "pa\u200bss\u200c\u200d\u2060\ufeff", line: "pa<U+200B>ss<U+200C><U+200D><U+2060><U+FEFF>", text: "pa<U+200B>ss<U+200C><U+200D><U+2060><U+FEFF>"},
		{name: "soft hyphen and fillers", in: "a\u00adb\u3164c\u034f", line: "a<U+00AD>b<U+3164>c<U+034F>", text: "a<U+00AD>b<U+3164>c<U+034F>"},
		{name: "line and paragraph separators", in: "a\u2028b\u2029c", line: "a<U+2028>b<U+2029>c", text: "a<U+2028>b<U+2029>c"},
		{name: "tag characters (5 hex digits)", in: "x\U000e0041\U000e007f", line: "x<U+E0041><U+E007F>", text: "x<U+E0041><U+E007F>"},
		{name: "invalid UTF-8", in: "a\xffb\xe2\x80", line: "a<0xFF>b<0xE2><0x80>", text: "a<0xFF>b<0xE2><0x80>"},
		{name: "encoded surrogate", in: "\xed\xa0\x80", line: "<0xED><0xA0><0x80>", text: "<0xED><0xA0><0x80>"},
		{name: "tab and newline", in: "a\tb\nc", line: "a␉b␊c", text: "a\tb\nc"},
		{name: "CR, CRLF", in: "a\rb\r\nc", line: "a␍b␍␊c", text: "a␍b\nc"},
		{name: "vertical tab, form feed", in: "\v\f", line: "␋␌", text: "␋␌"},
		{name: "emoji with variation selector kept", in: "❤️ ok", line: "❤️ ok", text: "❤️ ok"},
		{name: "CJK and combining kept", in: "東京 e\u0301", line: "東京 e\u0301", text: "東京 e\u0301"},
		{name: "control pictures stay", in: "␛ <U+202E>", line: "␛ <U+202E>", text: "␛ <U+202E>"},
		{name: "empty", in: "", line: "", text: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := String(tt.in); got != tt.line {
				t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.line)
			}
			if got := Text(tt.in); got != tt.text {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.text)
			}
		})
	}
}

// TestUnchangedNoAlloc: text without anything to replace is returned as it
// is, without allocating (list prints thousands of cells).
func TestUnchangedNoAlloc(t *testing.T) {
	for _, s := range []string{"prod-eu", "Drift org 123456", "東京 ❤️ café", "two\nlines\tand a tab"} {
		var got string
		allocs := testing.AllocsPerRun(100, func() { got = Text(s) })
		if got != s || allocs != 0 {
			t.Errorf("Text(%q) = %q with %.0f allocations; want it unchanged with none", s, got, allocs)
		}
	}
	s := "prod-eu ❤️"
	if allocs := testing.AllocsPerRun(100, func() { _ = String(s) }); allocs != 0 {
		t.Errorf("String(%q) allocates %.0f times; want 0", s, allocs)
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name, in, want string
		offset         int
	}{
		{name: "ok", in: "EU production — ❤️"},
		{name: "bidi", in: "abc\u202edef", want: "holds a bidirectional-text control (U+202E)", offset: 3},
		{name: "zero width", in: "\u200b", want: "holds an invisible character (U+200B)"},
		{name: "BOM", in: "x\ufeff", want: "holds an invisible character (U+FEFF)", offset: 1},
		{name: "escape", in: "\x1b[2J", want: "holds a control character (U+001B)"},
		{name: "C1", in: "\u009b", want: "holds a control character (U+009B)"},
		{name: "tab", in: "a\tb", want: "holds a tab (U+0009)", offset: 1},
		{name: "newline", in: "a\n", want: "holds a line break (U+000A)", offset: 1},
		{name: "separator", in: "\u2029", want: "holds a line or paragraph separator (U+2029)"},
		{name: "invalid", in: "ok\xc3", want: "is not valid UTF-8 (byte 0xC3)", offset: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(tt.in)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Check(%q) = %v, want nil", tt.in, err)
				}
				return
			}
			var ue *UnsafeError
			if !errors.As(err, &ue) || err.Error() != tt.want || ue.Offset != tt.offset {
				t.Fatalf("Check(%q) = %v (%#v), want %q at offset %d", tt.in, err, ue, tt.want, tt.offset)
			}
		})
	}
}

// mustReplace lists the characters the placeholders exist for, written
// out independently of Unsafe's definition.
var mustReplace = []rune{
	0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, // bidi
	0x200b, 0x200c, 0x200d, 0x2060, 0xfeff, 0x180e, 0x00ad, // zero-width and invisible
	0x2028, 0x2029, // separators
	0x7f,
}

func TestUnsafeCoversTheList(t *testing.T) {
	for r := rune(0); r < 0xa0; r++ {
		if isControl := r < 0x20 || r >= 0x7f; Unsafe(r) != isControl {
			t.Errorf("Unsafe(%U) = %v, want %v", r, Unsafe(r), isControl)
		}
	}
	for _, r := range mustReplace {
		if !Unsafe(r) || Kind(r) == "" {
			t.Errorf("Unsafe(%U) = %v (kind %q), want true", r, Unsafe(r), Kind(r))
		}
	}
	for _, r := range []rune{'a', ' ', 'é', '東', '❤', 0xfe0f, 0x0301, 0xfffd, 0x2400, 0x00a0} {
		if Unsafe(r) {
			t.Errorf("Unsafe(%U) = true, want false: it is visible text", r)
		}
	}
}

// TestUnsafeEveryCodePoint checks Unsafe's shortcuts against its
// definition over every code point.
func TestUnsafeEveryCodePoint(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		want := r < 0x20 || (0x7f <= r && r <= 0x9f) ||
			unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp, unicode.Other_Default_Ignorable_Code_Point)
		if Unsafe(r) != want {
			t.Errorf("Unsafe(%U) = %v, want %v", r, !want, want)
		}
	}
}

// reference is a rune-by-rune implementation of String and Text, written
// independently with fmt, that the fuzzer compares against.
func reference(s string, multiline bool) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, "<0x%02X>", s[i])
		case multiline && (r == '\n' || r == '\t'):
			b.WriteRune(r)
		case multiline && strings.HasPrefix(s[i:], "\r\n"):
		case r < 0x20:
			b.WriteRune(0x2400 + r)
		case r == 0x7f:
			b.WriteRune(0x2421)
		case r < 0xa0 && r >= 0x80, unicode.Is(unicode.Cf, r), r == 0x2028, r == 0x2029,
			unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r):
			fmt.Fprintf(&b, "<U+%04X>", r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

// hostile is terminal-unsafe output of every kind, for seeds and tests.
var hostile = []string{
	"\x1b]0;title\x07", "\x1b[2J", "\x1b]52;c;aGVsbG8=\x07", "\u202e", "\u200b", "\ufeff", "\u2028",
	"\x9b", "\xc2\x9b", "\r\n", "\t", "\U000e0020", "a\u200db",
	// Longer than a word, so that the eight-byte shortcut is crossed.
	"e2e-prod-eu-7f3a demandbase\x1b]0;t\x07 EU production tenant\u202e client-4821 \x7f tail",
	"abcdefgh\xffabcdefg\u0085abcdefg\u2028xyz",
}

func FuzzString(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Add("plain")
	f.Add("❤️ 東京")
	f.Fuzz(func(t *testing.T, s string) {
		for _, multiline := range []bool{false, true} {
			got := sanitize(s, multiline)
			if want := reference(s, multiline); got != want {
				t.Fatalf("sanitize(%q, %v) = %q, reference %q", s, multiline, got, want)
			}
			if !utf8.ValidString(got) {
				t.Fatalf("sanitize(%q, %v) = %q: not valid UTF-8", s, multiline, got)
			}
			for _, r := range got {
				if multiline && (r == '\n' || r == '\t') {
					continue
				}
				if slices.Contains(mustReplace, r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
					t.Fatalf("sanitize(%q, %v) = %q holds %U", s, multiline, got, r)
				}
			}
			if again := sanitize(got, multiline); again != got {
				t.Fatalf("not idempotent: %q → %q → %q", s, got, again)
			}
		}
		if (Check(s) == nil) != (String(s) == s) {
			t.Fatalf("Check(%q) = %v but String gives %q", s, Check(s), String(s))
		}
		if err := Check(String(s)); err != nil {
			t.Fatalf("Check(String(%q)) = %v", s, err)
		}
	})
}

func BenchmarkString(b *testing.B) {
	for _, bc := range []struct{ name, s string }{
		{"ascii", "e2e-prod-eu-7f3a  demandbase  EU production tenant  client-4821"},
		{"unicode", "Production — Zürich 東京 ❤️ team"},
		{"hostile", "orgId:\u202e42\x1b]0;title\x07\x1b[2J\u200b"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.s)))
			for b.Loop() {
				_ = String(bc.s)
			}
		})
	}
}
