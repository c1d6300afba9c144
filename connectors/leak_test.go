package connectors

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// LeakEncoding is one way a vendor's answer may quote a secret. The
// exported list serves the connector tests of package connectors_test.
type LeakEncoding struct {
	Name   string
	Encode func(secret string) string
}

var lowerHexEscape = regexp.MustCompile(`%[0-9A-F]{2}`)

// LeakEncodings are the ways of quoting a secret that LeakCheck must see
// through, each written here independently of LeakCheck's decoders.
var LeakEncodings = []LeakEncoding{
	{"verbatim", func(s string) string { return s }},
	{"upper case", strings.ToUpper},
	{"lower case", strings.ToLower},
	{"query escape", url.QueryEscape},
	{"query escape, lower-case hex", func(s string) string {
		return lowerHexEscape.ReplaceAllStringFunc(url.QueryEscape(s), strings.ToLower)
	}},
	{"percent every byte", func(s string) string {
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			fmt.Fprintf(&b, "%%%02x", s[i])
		}
		return b.String()
	}},
	{"HTML", func(s string) string { return "<p>" + html.EscapeString(s) + "</p>" }},
	{"HTML decimal references", func(s string) string {
		var b strings.Builder
		for _, r := range s {
			fmt.Fprintf(&b, "&#%d;", r)
		}
		return b.String()
	}},
	{"HTML hex references", func(s string) string {
		var b strings.Builder
		for _, r := range s {
			fmt.Fprintf(&b, "&#X%X;", r)
		}
		return b.String()
	}},
	{"JSON string", jsonInner},
	{"JSON with \\/", func(s string) string { return strings.ReplaceAll(jsonInner(s), "/", `\/`) }},
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
	}},
	{"JSON of HTML", func(s string) string { return jsonInner(html.EscapeString(s)) }},
	{"base64", func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }},
	{"base64 URL, unpadded", func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }},
	{"base64 after one byte", func(s string) string { return base64.StdEncoding.EncodeToString([]byte("u:" + s)) }},
	{"base64 URL after two bytes", func(s string) string { return base64.URLEncoding.EncodeToString([]byte("id:" + s)) }},
	{"base64 in a query", func(s string) string { return url.QueryEscape(base64.StdEncoding.EncodeToString([]byte("k=" + s))) }},
	{"hex", func(s string) string { return hex.EncodeToString([]byte(s)) }},
	{"HEX", func(s string) string { return strings.ToUpper(hex.EncodeToString([]byte(s))) }},
	{"run of 8, upper-cased and query-escaped", func(s string) string {
		r := []rune(s)
		if len(r) > RunLen {
			r = r[1 : 1+RunLen]
		}
		return url.QueryEscape(strings.ToUpper(string(r)))
	}},
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
