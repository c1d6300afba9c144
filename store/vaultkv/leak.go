package vaultkv

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxServerText caps how much of Vault's own message an error quotes.
const maxServerText = 300

// withheldText replaces a server message that held a secret.
const withheldText = "[Vault's message withheld: it contained a secret value]"

// safeServerText joins Vault's error messages for quoting in an error:
// withheld whole when any secret appears in them in any usual encoding,
// otherwise with control, bidi and zero-width characters made visible and
// cut to maxServerText characters.
func safeServerText(msgs []string, secrets []string) string {
	text := strings.TrimSpace(strings.Join(msgs, "; "))
	if leaks(text, secrets) {
		return withheldText
	}
	return visible(text, maxServerText)
}

// leaks reports whether text holds any non-empty secret: as it is, in any
// letter case, JSON-escaped, percent-encoded, HTML-escaped, in base64 or
// hex, or any 8-character run of it.
func leaks(text string, secrets []string) bool {
	if text == "" {
		return false
	}
	// The text decoded in each usual way, lower-cased, so that an encoded
	// secret is found by a plain search.
	views := []string{text, html.UnescapeString(text)}
	if s, err := url.PathUnescape(text); err == nil {
		views = append(views, s)
	}
	if s, err := url.QueryUnescape(text); err == nil {
		views = append(views, s)
	}
	var unq string
	if json.Unmarshal([]byte(`"`+text+`"`), &unq) == nil {
		views = append(views, unq)
	}
	for i := range views {
		views[i] = strings.ToLower(views[i])
	}
	has := func(needle string) bool {
		needle = strings.ToLower(needle)
		for _, v := range views {
			if strings.Contains(v, needle) {
				return true
			}
		}
		return false
	}
	for _, sec := range secrets {
		if sec == "" {
			continue
		}
		forms := []string{
			sec,
			hex.EncodeToString([]byte(sec)),
			base64.StdEncoding.EncodeToString([]byte(sec)),
			base64.RawStdEncoding.EncodeToString([]byte(sec)),
			base64.RawURLEncoding.EncodeToString([]byte(sec)),
		}
		for _, f := range forms {
			if has(f) {
				return true
			}
		}
		runes := []rune(sec)
		for i := 0; i+8 <= len(runes); i++ {
			if has(string(runes[i : i+8])) {
				return true
			}
		}
	}
	return false
}

// visible returns s with C0 and C1 controls, escape sequences, bidi
// overrides and zero-width characters shown as \u escapes, and invalid
// UTF-8 as \x escapes, cut to max characters.
func visible(s string, max int) string {
	var b strings.Builder
	n := 0
	for i, r := range s {
		if n == max {
			b.WriteString("…")
			break
		}
		n++
		switch {
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				fmt.Fprintf(&b, `\x%02x`, s[i])
				continue
			}
			b.WriteRune(r)
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.In(r, unicode.Zl, unicode.Zp):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
