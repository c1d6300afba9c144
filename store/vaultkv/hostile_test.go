package vaultkv

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// hostile starts a server that answers the mount preflight as KV version
// 2 and everything else with h.
func hostile(t *testing.T, h http.HandlerFunc) *Client {
	t.Helper()
	pre := kvV2Emulator(nil)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/v1/sys/internal/ui/mounts/") {
			pre.ServeHTTP(w, r)
			return
		}
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	c, err := New(ctxT(t), Config{Address: srv.URL, Token: "hvs.test-token-" + randomHex(8), Author: "me@here"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A server that echoes the request (secret values, token) in its error
// never gets them into the error text.
func TestServerEchoingSecretsWithheld(t *testing.T) {
	t.Parallel()
	secret := "hunter2-very-secret-" + randomHex(4)
	var token atomic.Value
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		token.Store(r.Header.Get("X-Vault-Token"))
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"errors":[%q, %q]}`, "bad request: "+string(body), "token "+r.Header.Get("X-Vault-Token"))
	})
	_, err := c.Write(ctxT(t), "k", map[string]string{"client_secret": secret}, 0)
	wantKind(t, err, KindServer)
	msg := err.Error()
	tok, _ := token.Load().(string)
	if tok == "" || strings.Contains(msg, secret) || strings.Contains(msg, tok) || !strings.Contains(msg, "withheld") {
		t.Fatalf("echoed secret not withheld: %s", msg)
	}
}

func TestServerTextMadeVisible(t *testing.T) {
	t.Parallel()
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"errors":["bad \u001b[31mred\u001b[0m \u202eevil\u200b"]}`)
	})
	_, err := c.Read(ctxT(t), "k")
	msg := err.Error()
	if strings.ContainsAny(msg, "\x1b\u202e\u200b") || !strings.Contains(msg, `\u001b[31mred`) {
		t.Fatalf("control characters reach the message: %q", msg)
	}
}

// Malformed, mistyped and oversized answers are server errors, never a
// panic or a wrong value.
func TestMalformedAnswers(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		body string
		call func(c *Client) error
	}{
		{"not json", `<html>proxy error</html>`, func(c *Client) error { _, err := c.Read(ctxT(t), "k"); return err }},
		{"empty", ``, func(c *Client) error { _, err := c.Read(ctxT(t), "k"); return err }},
		{"data null", `{"data":null}`, func(c *Client) error { _, err := c.Read(ctxT(t), "k"); return err }},
		{"no version", `{"data":{"data":{"a":"1"},"metadata":{}}}`, func(c *Client) error { _, err := c.Read(ctxT(t), "k"); return err }},
		{"version string", `{"data":{"data":{"a":"1"},"metadata":{"version":"x"}}}`, func(c *Client) error { _, err := c.Read(ctxT(t), "k"); return err }},
		{"data is a list", `{"data":{"data":[1,2],"metadata":{"version":1}}}`, func(c *Client) error { _, err := c.Read(ctxT(t), "k"); return err }},
		{"write no version", `{"data":{}}`, func(c *Client) error { _, err := c.Write(ctxT(t), "k", nil, 0); return err }},
		{"keys not a list", `{"data":{"keys":"a"}}`, func(c *Client) error { _, err := c.List(ctxT(t)); return err }},
		{"versions wrong", `{"data":{"current_version":1,"versions":[1]}}`, func(c *Client) error { _, err := c.Versions(ctxT(t), "k"); return err }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := hostile(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, tt.body) })
			wantKind(t, tt.call(c), KindServer)
		})
	}
}

// Display-only values of any JSON type are shown as text.
func TestLenientDisplayValues(t *testing.T) {
	t.Parallel()
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"data":{"data":{"a":1,"b":true,"c":{"x":[1]},"d":null,"_credwiz_updated_by":"x@y"},
			"metadata":{"version":3,"created_time":"not a time","custom_metadata":{"n":2}}}}`)
	})
	s, err := c.Read(ctxT(t), "k")
	if err != nil {
		t.Fatal(err)
	}
	if s.Data["a"] != "1" || s.Data["b"] != "true" || s.Data["c"] != `{"x":[1]}` || s.Data["d"] != "" || s.Version != 3 ||
		!s.Created.IsZero() || s.CustomMetadata["n"] != "2" || s.UpdatedBy != "x@y" {
		t.Fatalf("lenient read: %+v", s)
	}
}

func TestOversizedAnswer(t *testing.T) {
	t.Parallel()
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		chunk := strings.Repeat("x", 1<<20)
		for range maxBody>>20 + 2 {
			if _, err := io.WriteString(w, chunk); err != nil {
				return
			}
		}
	})
	_, err := c.Read(ctxT(t), "k")
	if e := wantKind(t, err, KindServer); !strings.Contains(e.Detail, "larger than") {
		t.Fatalf("oversized: %v", err)
	}
}

// A redirect is not followed: the token never reaches another host.
func TestRedirectNotFollowed(t *testing.T) {
	t.Parallel()
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
	t.Cleanup(other.Close)
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
	})
	_, err := c.Read(ctxT(t), "k")
	if e := wantKind(t, err, KindServer); !strings.Contains(e.Detail, "redirect") {
		t.Fatalf("redirect: %v", err)
	}
	if elsewhere.Load() != 0 {
		t.Fatal("the redirect was followed")
	}
}

func TestRateLimited(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"errors":["request path \"secret/data/x\": rate limit quota exceeded"]}`)
	})
	err := within(t, func() error { _, err := c.Read(ctxT(t), "k"); return err })
	if e := wantKind(t, err, KindServer); !strings.Contains(e.Detail, "rate-limiting") {
		t.Fatalf("429: %v", err)
	}
	if n.Load() != 1 {
		t.Fatalf("%d requests: a rate limit is reported, not retried", n.Load())
	}
}

// A sealed server's 503 is reported at once, not retried.
func TestSealedNotRetried(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, `{"errors":["Vault is sealed"]}`)
	})
	_, err := c.Read(ctxT(t), "k")
	wantKind(t, err, KindSealed)
	if n.Load() != 1 {
		t.Fatalf("%d requests to a sealed server, want 1", n.Load())
	}
}
