package connectors

import (
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// LeakEncoding is one way a vendor's answer may quote a secret. The
// exported list serves the connector tests of package connectors_test.
type LeakEncoding struct {
	Name   string
	Encode func(secret string) string
	// Only, when set, says which secrets LeakCheck promises to find in
	// this encoding (the others are not looked for in it).
	Only func(secret string) bool
}

var lowerHexEscape = regexp.MustCompile(`%[0-9A-F]{2}`)

// LeakEncodings are the ways of quoting a secret that LeakCheck must see
// through, each written here independently of LeakCheck's decoders.
var LeakEncodings = []LeakEncoding{
	{"verbatim", func(s string) string { return s }, nil},
	{"upper case", strings.ToUpper, nil},
	{"lower case", strings.ToLower, nil},
	{"query escape", url.QueryEscape, nil},
	{"query escape, lower-case hex", func(s string) string {
		return lowerHexEscape.ReplaceAllStringFunc(url.QueryEscape(s), strings.ToLower)
	}, nil},
	{"percent every byte", func(s string) string {
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			fmt.Fprintf(&b, "%%%02x", s[i])
		}
		return b.String()
	}, nil},
	{"HTML", func(s string) string { return "<p>" + html.EscapeString(s) + "</p>" }, nil},
	{"HTML decimal references", func(s string) string {
		var b strings.Builder
		for _, r := range s {
			fmt.Fprintf(&b, "&#%d;", r)
		}
		return b.String()
	}, nil},
	{"HTML hex references", func(s string) string {
		var b strings.Builder
		for _, r := range s {
			fmt.Fprintf(&b, "&#X%X;", r)
		}
		return b.String()
	}, nil},
	{"JSON string", jsonInner, nil},
	{"JSON with \\/", func(s string) string { return strings.ReplaceAll(jsonInner(s), "/", `\/`) }, nil},
	{"JSON \\u for every character", func(s string) string {
		var b strings.Builder
		for _, r := range s {
			if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
				fmt.Fprintf(&b, `\u%04x\u%04X`, r1, r2)
				continue
			}
			fmt.Fprintf(&b, `\u%04X`, r)
		}
		return b.String()
	}, nil},
	{"JSON of HTML", func(s string) string { return jsonInner(html.EscapeString(s)) }, nil},
	{"base64", func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }, nil},
	{"base64 URL, unpadded", func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }, nil},
	{"base64 after one byte", func(s string) string { return base64.StdEncoding.EncodeToString([]byte("u:" + s)) }, nil},
	{"base64 URL after two bytes", func(s string) string { return base64.URLEncoding.EncodeToString([]byte("id:" + s)) }, nil},
	{"base64 in a query", func(s string) string { return url.QueryEscape(base64.StdEncoding.EncodeToString([]byte("k=" + s))) }, nil},
	{"hex", func(s string) string { return hex.EncodeToString([]byte(s)) }, nil},
	{"HEX", func(s string) string { return strings.ToUpper(hex.EncodeToString([]byte(s))) }, nil},
	{"run of 8, upper-cased and query-escaped", func(s string) string {
		r := []rune(s)
		if len(r) > RunLen {
			r = r[1 : 1+RunLen]
		}
		return url.QueryEscape(strings.ToUpper(string(r)))
	}, nil},
	{"invisible characters between the characters", func(s string) string {
		return interleave(s, func(i int) string { return invisibles[i%len(invisibles)] })
	}, hasVisible},
	{"zero-width space between the characters, HTML references", func(s string) string {
		return html.EscapeString(interleave(s, func(int) string { return "&#8203;" }))
	}, hasVisible},
	{"fullwidth forms", func(s string) string {
		return strings.Map(func(r rune) rune {
			switch {
			case r == ' ':
				return '\u3000'
			case '!' <= r && r <= '~':
				return r + 0xFF01 - '!'
			}
			return r
		}, s)
	}, nil},
	{"\\xNN escapes", func(s string) string {
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			fmt.Fprintf(&b, `\x%02x`, s[i])
		}
		return b.String()
	}, nil},
	{"hex pairs with colons", func(s string) string { return hexPairs(s, ":") }, nil},
	{"HEX pairs with dashes", func(s string) string { return strings.ToUpper(hexPairs(s, "-")) }, nil},
	{"hex pairs with spaces", func(s string) string { return hexPairs(s, " ") }, nil},
	{"spaced characters", func(s string) string { return interleave(s, func(int) string { return " " }) }, atLeast4},
	{"dashed characters", func(s string) string { return interleave(s, func(int) string { return "-" }) }, atLeast4},
	{"dotted characters, upper-cased", func(s string) string {
		return strings.ToUpper(interleave(s, func(int) string { return "." }))
	}, atLeast4},
	{"reversed", func(s string) string {
		r := []rune(s)
		slices.Reverse(r)
		return string(r)
	}, nil},
	{"base32", func(s string) string { return base32.StdEncoding.EncodeToString([]byte(s)) }, nil},
	{"base32 lower-case after two bytes", func(s string) string {
		return strings.ToLower(base32.StdEncoding.EncodeToString([]byte("k:" + s)))
	}, nil},
	{"base32 hex alphabet after a byte", func(s string) string {
		return base32.HexEncoding.EncodeToString([]byte("=" + s))
	}, nil},
	{"hex of UTF-16LE", func(s string) string { return hex.EncodeToString(utf16Bytes(s, false)) }, nil},
	{"base64 of UTF-16LE", func(s string) string { return base64.StdEncoding.EncodeToString(utf16Bytes(s, false)) }, nil},
	{"base64 of UTF-16BE after a byte", func(s string) string {
		return base64.StdEncoding.EncodeToString(append([]byte{0xfe}, utf16Bytes(s, true)...))
	}, nil},
	{"base64 of base64", func(s string) string {
		return base64.StdEncoding.EncodeToString([]byte(base64.StdEncoding.EncodeToString([]byte(s))))
	}, nil},
	{"base64 URL of base64 after bytes, inside and out", func(s string) string {
		inner := base64.StdEncoding.EncodeToString([]byte("u:" + s))
		return base64.RawURLEncoding.EncodeToString([]byte("Basic " + inner))
	}, nil},
}

// invisibles are characters a terminal does not show: zero-width space,
// soft hyphen, word joiner, byte-order mark, combining grapheme joiner,
// zero-width non-joiner, left-to-right mark.
var invisibles = []string{"\u200b", "\u00ad", "\u2060", "\ufeff", "\u034f", "\u200c", "\u200e"}

// interleave puts sep(i) after the i-th character of s but the last.
func interleave(s string, sep func(i int) string) string {
	var b strings.Builder
	r := []rune(s)
	for i, c := range r {
		b.WriteRune(c)
		if i < len(r)-1 {
			b.WriteString(sep(i))
		}
	}
	return b.String()
}

// hexPairs is the hex of s, each byte's pair followed by sep but the last.
func hexPairs(s, sep string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if i > 0 {
			b.WriteString(sep)
		}
		fmt.Fprintf(&b, "%02x", s[i])
	}
	return b.String()
}

// utf16Bytes is s in UTF-16, little- or big-endian.
func utf16Bytes(s string, bigEndian bool) []byte {
	var out []byte
	for _, c := range utf16.Encode([]rune(s)) {
		if bigEndian {
			out = append(out, byte(c>>8), byte(c))
		} else {
			out = append(out, byte(c), byte(c>>8))
		}
	}
	return out
}

// atLeast4: a spelt-out secret is looked for from 4 characters on.
func atLeast4(s string) bool { return utf8.RuneCountInString(s) >= 4 }

// hasVisible: a secret made only of invisible characters has nothing
// left to find once they are removed.
func hasVisible(s string) bool {
	for _, r := range s {
		if !unicode.In(r, unicode.Cf, unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector) {
			return true
		}
	}
	return false
}

// jsonInner is s as a JSON string, without the quotes.
func jsonInner(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// LeakCorpus are secrets of every kind credwiz holds (short, long, with
// special characters, non-ASCII, JWT-like), for the connector tests of
// package connectors_test too.
var LeakCorpus = []string{
	"Q7#z", "pw1x9", "hunter2!", "Spring-Time-2026!", "Xy7Pq2LmN9rT4vWb8KcD3fGh",
	"correct horse battery staple", "p@ss/w0rd+with%percent&amp", `a"quote'and<angle>`,
	"ünïcödé-pässwörd-ß", "密码口令安全测试一二", "emoji-🔑-key-😀", "ıİſK-casefold",
	"RTL-\u202etxet-secret", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjcmVkd2l6In0.c2lnbmF0dXJlLXNlY3JldA",
	"MiXeDcAsE-Token-XYZ", "+plus+signs+everywhere+", "==base64ish==", "0123456789abcdef",
	"tab-free spaces  double", `back\slash`, strings.Repeat("Lk9-", 130), strings.Repeat("0aZ_", 1024),
}

// TestLeakCheckFindsEveryEncoding: every corpus secret, quoted in every
// encoding inside a vendor's JSON or HTML answer, is found.
func TestLeakCheckFindsEveryEncoding(t *testing.T) {
	t.Parallel()
	for _, secret := range LeakCorpus {
		lc := NewLeakCheck("unrelated-other-secret", secret)
		for _, enc := range LeakEncodings {
			if enc.Only != nil && !enc.Only(secret) {
				continue
			}
			quoted := enc.Encode(secret)
			for _, text := range []string{
				quoted,
				`{"error":"invalid_client","detail":"` + quoted + `"}`,
				"<html><body><p>Bad credentials: " + quoted + "</p></body></html>",
			} {
				if !lc.Leaks(text) {
					t.Errorf("secret %.20q as %s not found in %.120q", secret, enc.Name, text)
				}
				if got := lc.Withhold(text); got != WithheldNotice {
					t.Errorf("Withhold = %.80q; want the notice", got)
				}
			}
		}
	}
}

// TestLeakCheckPassesCleanText: vendor texts without the secrets, even
// ones close to them, are kept as they are.
func TestLeakCheckPassesCleanText(t *testing.T) {
	t.Parallel()
	lc := NewLeakCheck("Spring-Time-2026!", "Xy7Pq2LmN9rT4vWb8KcD3fGh", "hunter2!")
	for _, text := range []string{
		`{"error":"invalid_grant","error_description":"authentication failure"}`,
		"Spring-", "hunter2", "xy7pq2l", // shorter than a run
		`[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`,
		"<html><body>Service Unavailable &amp; retry</body></html>",
		strings.Repeat("a", 4096),
		// Shapes the spelt-out, hex-pair, invisible and fullwidth forms
		// look at, holding no secret.
		"a b c d e f g h i j", "2026-11-30T12:30:45Z 10.0.0.1 de:ad:be:ef:00:11:22:33",
		"S\u200bp\u200br\u200bi\u200bn\u200bg", "Ｓｐｒｉｎｇ－", `\x53\x70\x72`,
		"-------- ........ ________", "2retnuh",
		"",
	} {
		if lc.Leaks(text) || lc.Withhold(text) != text {
			t.Errorf("clean text %.60q was withheld", text)
		}
	}
	var none *LeakCheck
	if none.Leaks("anything") || NewLeakCheck().Leaks("anything") || NewLeakCheck("").Leaks("x") {
		t.Error("a check without secrets found one")
	}
}

// TestLeakCheckRuns: any run of RunLen characters of a secret is a leak, a
// shorter one is not; a short secret leaks only whole.
func TestLeakCheckRuns(t *testing.T) {
	t.Parallel()
	lc := NewLeakCheck("abcdefghijklmnop", "短い秘密", "ab1")
	tests := []struct {
		text string
		want bool
	}{
		{"xx cdefghij yy", true},
		{"xx CDEFGHIJ yy", true},
		{"xx cdefghi yy", false},
		{"Ynxxxx 短い秘密 x", true},
		{"短い秘 alone", false},
		{"AB1", true},
		{"a b1", false},
		{"Y2RlZmdoaWprbA", true},   // base64 of "cdefghijkl"
		{"6465666768696a6b", true}, // hex of "defghijk"
		{"6465666768696a", false},  // hex of 7 bytes
	}
	for _, tt := range tests {
		if got := lc.Leaks(tt.text); got != tt.want {
			t.Errorf("Leaks(%q) = %v; want %v", tt.text, got, tt.want)
		}
	}
}

// TestBase64CoreAtAnyAlignment: whatever precedes a secret in an encoded
// text, the core for that alignment is in the encoding.
func TestBase64CoreAtAnyAlignment(t *testing.T) {
	t.Parallel()
	for _, secret := range []string{"ab", "abc", "hunter2!", "ünïcödé"} {
		for pre := range 7 {
			for post := range 4 {
				data := strings.Repeat("\xff", pre) + secret + strings.Repeat("\x00", post)
				for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawURLEncoding} {
					full := enc.EncodeToString([]byte(data))
					core := base64Core(enc.WithPadding(base64.NoPadding), secret, pre%3)
					if core == "" || !strings.Contains(full, core) {
						t.Errorf("core %q of %q after %d bytes not in %q", core, secret, pre, full)
					}
				}
			}
		}
	}
}

func TestDecodeAll(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`a%2Fb%2fc%zz%4`, "a/b/c%zz%4"},
		{`\u00e9\/\"\\\n\ud83d\udd11\ud800x\q`, "é/\"\\\n🔑\uFFFDx\\q"},
		{`&amp;&lt;&#39;&#x27;&quot;&bogus;`, "&<''\"&bogus;"},
		{`%26amp%3B`, "&"},
		{`\u0026lt;`, "<"},
		{"%" + strings.Repeat("25", 20) + "41", "%" + strings.Repeat("25", 12) + "41"}, // at most 8 layers
	}
	for _, tt := range tests {
		if got := string(decodeAll([]byte(tt.in))); got != tt.want {
			t.Errorf("decodeAll(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzLeakCheck: whatever the text and the secrets, Withhold returns the
// text or the notice; a text that holds a run of a secret verbatim (in
// any case) leaks; and a secret quoted in any of LeakEncodings between
// arbitrary texts leaks. Seeds are in testdata/fuzz/FuzzLeakCheck.
func FuzzLeakCheck(f *testing.F) {
	f.Add(`{"error":"bad secret s3cr3t"}`, "s3cr3t", "")
	f.Add("a+b%20c a b c", "a b c", "a")
	f.Add(`\u003cx\u003e <x>`, "<x>", "e")
	f.Add("ünïcødé", "ıİſK-casefold", "密码口令安全测试一二")
	f.Fuzz(func(t *testing.T, text, a, b string) {
		lc := NewLeakCheck(a, b)
		out := lc.Withhold(text)
		if out != text && out != WithheldNotice {
			t.Fatalf("Withhold(%q) = %q", text, out)
		}
		if a == "" && b == "" && (out != text || lc.Leaks(text)) {
			t.Fatalf("no secrets, but %q was withheld", text)
		}
		for _, secret := range []string{a, b} {
			if secret == "" || !utf8.ValidString(secret) {
				continue
			}
			for _, run := range oracleRuns(secret) {
				if strings.Contains(text, run) || (utf8.ValidString(text) && strings.Contains(upLow(text), upLow(run))) {
					if !lc.Leaks(text) {
						t.Fatalf("%q holds the run %q of secret %q, but does not leak", text, run, secret)
					}
				}
			}
			// Only values credwiz accepts (no control characters); not a
			// 1-byte one (it has no base64 core at every alignment) nor an
			// encoded-looking one (it decodes further than its quote).
			if CheckValue(secret) != nil || len(secret) < 2 || string(decodeAll([]byte(secret))) != secret {
				continue
			}
			for _, enc := range LeakEncodings {
				if enc.Only != nil && !enc.Only(secret) {
					continue
				}
				quoted := text + " " + enc.Encode(secret) + " " + text
				if !lc.Leaks(quoted) {
					t.Fatalf("secret %q as %s (%q) not found", secret, enc.Name, quoted)
				}
			}
		}
	})
}

// oracleRuns returns the runs of RunLen characters of s, or s itself when
// it is shorter, written without LeakCheck's code.
func oracleRuns(s string) []string {
	r := []rune(s)
	if len(r) <= RunLen {
		return []string{s}
	}
	var out []string
	for i := 0; i+RunLen <= len(r); i++ {
		out = append(out, string(r[i:i+RunLen]))
	}
	return out
}

// upLow is s upper-cased, then lower-cased.
func upLow(s string) string { return strings.ToLower(strings.ToUpper(s)) }

func TestUnspace(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"s u p 3 r", "sup3r\x00"},
		{`{"detail":"h u n t"}`, "hunt\x00"},
		{"a---b-c-d", "a-bcd\x00"},               // a separator among the characters
		{"x ü-n-ï-c-ö y", "ünïcö\x00"},           // characters of several bytes
		{"a b c", ""},                            // too short
		{"the cat is a dog", ""},                 // ordinary text
		{"53:75:70", "537570\x00"},               // hex pairs
		{"xy 53:75 70 71", "5375\x00757071\x00"}, // another separator starts another stretch
		{"12:3", ""},
	}
	for _, tt := range tests {
		if got := string(unspace([]byte(tt.in))); got != tt.want {
			t.Errorf("unspace(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestUnicodeFold(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"plain ascii", ""},
		{"é", ""},
		{"S\u200bu\u00adp\u2060e\ufeffr\u034fx", "Superx"},
		{"ＳｕｐｅｒＫｅｙ１２", "SuperKey12"},
		{"e\u0301", "é"},
		{"\u202eabc", "abc"},
	}
	for _, tt := range tests {
		if got := string(unicodeFold([]byte(tt.in))); got != tt.want {
			t.Errorf("unicodeFold(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
