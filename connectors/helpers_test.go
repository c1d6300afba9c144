package connectors_test

import (
	"io"
	"net/http"
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

// mustConnector returns the registered connector id; it panics on an ID
// no connector has, which is a mistake in the test.
func mustConnector(id string) *connectors.Connector {
	c, ok := connectors.Lookup(id)
	if !ok {
		panic("no connector " + id)
	}
	return c
}
