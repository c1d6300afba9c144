package connectors_test

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/credwiz/credwiz/connectors"
)

// testClient is the client of tests that expect an answer.
var testClient = &http.Client{Timeout: 5 * time.Second}

// do sends req with testClient and returns the status and body.
func do(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func hasDetail(r connectors.Report, label string) bool {
	for _, d := range r.Details {
		if d.Label == label {
			return true
		}
	}
	return false
}

// urlField returns the key of c's URL field (the one with a Domain).
func urlField(t *testing.T, c *connectors.Connector) string {
	t.Helper()
	for _, f := range c.Fields {
		if f.Domain != "" {
			return f.Key
		}
	}
	t.Fatalf("%s has no URL field", c.ID)
	return ""
}

// closedURL returns a loopback URL on which nothing listens.
func closedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

// assertNoSecret fails when err's text or hint holds any secret.
func assertNoSecret(t *testing.T, err error, secrets []string) {
	t.Helper()
	if err == nil {
		return
	}
	assertClean(t, "error", err.Error(), secrets)
	assertClean(t, "hint", connectors.HintOf(err), secrets)
}

func assertClean(t *testing.T, what, text string, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("%s holds a secret value: %q", what, text)
		}
	}
}
