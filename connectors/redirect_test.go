package connectors_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/credwiz/credwiz/connectors"
)

// TestRedirectsAreNotFollowed: a base URL that redirects (307 keeps the
// POST body, with the client secret) must not carry the secret anywhere.
func TestRedirectsAreNotFollowed(t *testing.T) {
	var reached atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
	}))
	defer target.Close()
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer redirector.Close()
	for _, c := range connectors.All() {
		t.Run(c.ID, func(t *testing.T) {
			v := connectors.Values{}
			for _, f := range c.Fields {
				switch {
				case f.Domain != "":
					v[f.Key] = redirector.URL
				case f.Secret:
					v[f.Key] = "s3cret-" + f.Key + "-value"
				case len(f.Options) > 0:
					v[f.Key] = f.Options[0]
				case f.Default != "":
					v[f.Key] = f.Default
				case f.Key == "username":
					v[f.Key] = "user@example.com"
				default:
					v[f.Key] = "id-" + f.Key
				}
			}
			_, err := c.RunTest(context.Background(), &http.Client{}, v)
			if !errors.Is(err, connectors.ErrVendor) || !strings.Contains(err.Error(), "redirect") {
				t.Fatalf("Test against a redirecting server: %v, want a vendor error about the redirect", err)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("the error shows a secret: %v", err)
			}
		})
	}
	if n := reached.Load(); n != 0 {
		t.Fatalf("the redirect target was reached %d times: credentials followed a redirect", n)
	}
}

func TestPrintable(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "invalid_grant: authentication failure", "invalid_grant: authentication failure"},
		{"escape sequence", "a\x1b]0;pwned\x07b", "a\uFFFD]0;pwned\uFFFDb"},
		{"line breaks", "one\ntwo\r\tthree", "one two  three"},
		{"unicode kept", "Zürich → ✓", "Zürich → ✓"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := connectors.Printable(tt.in); got != tt.want {
				t.Errorf("Printable(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	e := &connectors.Error{Class: connectors.ErrVendor, Op: "x", Message: "\x1b[2Jboom", Code: "c\x1b"}
	if strings.ContainsRune(e.Error(), 0x1b) {
		t.Errorf("Error() passes an escape through: %q", e.Error())
	}
	if r := e.Redacted(); strings.ContainsRune(r.Message+r.Code, 0x1b) {
		t.Errorf("Redacted() passes an escape through: %+v", r)
	}
}
