package vaultkv

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode"
)

func TestLeaks(t *testing.T) {
	t.Parallel()
	const sec = "Tr0ub4dor&3-horse"
	for _, tt := range []struct {
		name string
		text string
		want bool
	}{
		{"absent", "permission denied", false},
		{"raw", "bad value " + sec, true},
		{"upper case", "BAD " + strings.ToUpper(sec), true},
		{"percent-encoded", "q=" + url.QueryEscape(sec), true},
		{"path-escaped", "/v1/" + url.PathEscape(sec), true},
		{"json-escaped", `{"v":"Tr0ub4dor\u00263-horse"}`, true},
		{"html entity", "Tr0ub4dor&amp;3-horse", true},
		{"base64", base64.StdEncoding.EncodeToString([]byte(sec)), true},
		{"hex upper", strings.ToUpper(hex.EncodeToString([]byte(sec))), true},
		{"8-character run", "…4dor&3-h…", true},
		{"7-character run", "dor&3-h", false},
		{"empty", "", false},
	} {
		if got := leaks(tt.text, []string{"", sec}); got != tt.want {
			t.Errorf("%s: leaks(%q) = %v, want %v", tt.name, tt.text, got, tt.want)
		}
	}
}

func TestVisible(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"plain text":         "plain text",
		"a\x1b[2Jb":          `a\u001b[2Jb`,
		"bidi\u202eoverride": `bidi\u202eoverride`,
		"zero\u200bwidth":    `zero\u200bwidth`,
		"c1\u009bx":          `c1\u009bx`,
		"bad\xffutf8":        `bad\xffutf8`,
		"line\nbreak":        `line\u000abreak`,
	} {
		if got := visible(in, 100); got != want {
			t.Errorf("visible(%q) = %q, want %q", in, got, want)
		}
	}
	if got := visible(strings.Repeat("x", 10), 4); got != "xxxx…" {
		t.Errorf("cut: %q", got)
	}
}

func FuzzSafeServerText(f *testing.F) {
	f.Add("error: hunter2-secret", "hunter2-secret")
	f.Add("\x1b]0;title\x07 \u202e", "x")
	f.Add("aGVsbG8gd29ybGQ=", "hello world")
	f.Fuzz(func(t *testing.T, text, secret string) {
		got := safeServerText([]string{text}, []string{secret})
		// Escaping may spell a short secret ("9" in "\\x95"): only a
		// secret the server's text holds counts.
		if secret != "" && strings.Contains(strings.ToLower(text), strings.ToLower(secret)) && strings.Contains(strings.ToLower(got), strings.ToLower(secret)) && !strings.Contains(strings.ToLower(withheldText), strings.ToLower(secret)) {
			t.Fatalf("secret %q in %q", secret, got)
		}
		for _, r := range got {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Fatalf("control %U in %q", r, got)
			}
		}
	})
}

// The classification of failures that need no server: each network or
// TLS failure is unreachable with its own words, a cancellation canceled.
func TestClassifyTransportErrors(t *testing.T) {
	t.Parallel()
	c, err := New(ctxT(t), Config{Address: "https://vault.example.com:8200", Token: "hvs.tok"})
	if err != nil {
		t.Fatal(err)
	}
	o := op{name: "read", path: "secret/data/credwiz/k", capability: "read", secrets: []string{"val-secret"}}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	wrap := func(e error) error {
		return &url.Error{Op: "Get", URL: "https://vault.example.com:8200/v1/secret/data/credwiz/k", Err: e}
	}
	for _, tt := range []struct {
		name string
		ctx  context.Context
		err  error
		kind Kind
		says string
	}{
		{"dns", context.Background(), wrap(&net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "vault.example.com", IsNotFound: true}}), KindUnreachable, "cannot resolve"},
		{"unknown CA", context.Background(), wrap(&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}), KindUnreachable, "TLS"},
		{"host name", context.Background(), wrap(x509.HostnameError{Certificate: &x509.Certificate{}, Host: "vault"}), KindUnreachable, "TLS"},
		{"plain http server", context.Background(), wrap(http.ErrSchemeMismatch), KindUnreachable, "TLS"},
		{"deadline", context.Background(), wrap(context.DeadlineExceeded), KindUnreachable, "did not answer within"},
		{"canceled", canceled, wrap(context.Canceled), KindCanceled, "canceled"},
		{"other", context.Background(), wrap(errors.New("EOF")), KindUnreachable, "cannot reach"},
		{"echo", context.Background(), wrap(fmt.Errorf("weird val-secret hvs.tok")), KindUnreachable, "withheld"},
	} {
		e := c.classify(tt.ctx, o, tt.err)
		if e.Kind != tt.kind || !strings.Contains(e.Detail, tt.says) || e.Hint == "" && tt.kind != KindCanceled {
			t.Errorf("%s: %v %q", tt.name, e.Kind, e.Error())
		}
		if strings.Contains(e.Error(), "val-secret") || strings.Contains(e.Error(), "hvs.tok") {
			t.Errorf("%s: secret in %q", tt.name, e.Error())
		}
	}
}

func TestKindNames(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for k := KindConfig; k <= KindInvalid; k++ {
		if s := k.String(); s == "unknown" || seen[s] || k.Error() != s {
			t.Errorf("kind %d: name %q or sentinel missing", k, s)
		} else {
			seen[s] = true
		}
	}
	if Kind(0).String() != "unknown" || KindOf(errors.New("x")) != 0 {
		t.Error("zero kind")
	}
}
