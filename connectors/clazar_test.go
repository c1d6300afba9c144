package connectors_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
	"github.com/credwiz/credwiz/connectors/connectortest/conformance"
)

func TestClazarTest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		setup       func(e *connectortest.Clazar, v connectors.Values)
		wantErr     error
		wantNote    string
		wantExpires time.Duration // from now, ±1 min; 0 = not checked
	}{
		{name: "listings reachable", wantNote: "reachable (3 listings)", wantExpires: 6 * time.Hour},
		{name: "expires_in is read, never assumed", setup: func(e *connectortest.Clazar, _ connectors.Values) { e.SetExpiresIn(86400, false) },
			wantNote: "reachable (3 listings)", wantExpires: 24 * time.Hour},
		{name: "no expires_in: the JWT exp is used", setup: func(e *connectortest.Clazar, _ connectors.Values) { e.SetExpiresIn(3600, true) },
			wantNote: "reachable (3 listings)", wantExpires: time.Hour},
		{name: "no listings", setup: func(e *connectortest.Clazar, _ connectors.Values) { e.SetListings(0, true) }, wantNote: "reachable (0 listings)"},
		{name: "listings not permitted", setup: func(e *connectortest.Clazar, _ connectors.Values) { e.SetListings(3, false) }, wantErr: connectors.ErrForbidden},
		{name: "rotated secret (401)", setup: func(e *connectortest.Clazar, v connectors.Values) { e.SetSecret("new" + v["client_secret"]) }, wantErr: connectors.ErrRejected},
		{name: "rotated secret (400)", setup: func(e *connectortest.Clazar, v connectors.Values) {
			e.RejectWith(400)
			e.SetSecret("new" + v["client_secret"])
		}, wantErr: connectors.ErrRejected},
		{name: "rotated secret (403)", setup: func(e *connectortest.Clazar, v connectors.Values) {
			e.RejectWith(403)
			e.SetSecret("new" + v["client_secret"])
		}, wantErr: connectors.ErrRejected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := connectortest.NewClazar()
			t.Cleanup(e.Close)
			v := e.Values()
			if tt.setup != nil {
				tt.setup(e, v)
			}
			rep, err := mustConnector("clazar").RunTest(context.Background(), testClient, v)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err = %v; want %v", err, tt.wantErr)
			}
			if err != nil {
				if connectors.HintOf(err) == "" {
					t.Error("no hint")
				}
				conformance.AssertNoSecret(t, err, []string{v["client_secret"], "new" + v["client_secret"]})
				return
			}
			if len(rep.Access) != 1 || !rep.Access[0].OK || rep.Access[0].Note != tt.wantNote {
				t.Errorf("Access = %+v; want Listings %q", rep.Access, tt.wantNote)
			}
			if tt.wantExpires != 0 {
				if d := time.Until(rep.TokenExpires) - tt.wantExpires; d < -time.Minute || d > time.Minute {
					t.Errorf("token expires at %v; want in %v", rep.TokenExpires, tt.wantExpires)
				}
			}
			if got := strings.Join(e.Requests(), ","); got != "POST /authenticate/,GET /listings" {
				t.Errorf("requests %s", got)
			}
		})
	}
}

// TestClazarUnknownLifetime: an answer with neither expires_in nor a JWT
// exp gives a token that is used once and never reused from a cache.
func TestClazarUnknownLifetime(t *testing.T) {
	t.Parallel()
	var minted atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/authenticate/":
			minted.Add(1)
			w.Write([]byte(`{"access_token":"opaque-token"}`))
		case "/listings":
			w.Write([]byte(`{"results":[]}`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	c := mustConnector("clazar")
	v := connectors.Values{"client_id": "id", "client_secret": "secret-0123", "base_url": srv.URL}
	rep, err := c.RunTest(context.Background(), testClient, v)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.TokenExpires.IsZero() || len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "did not say") {
		t.Errorf("want no expiry and a warning: %+v", rep)
	}
	if rep.Access[0].Note != "reachable" {
		t.Errorf("note %q", rep.Access[0].Note)
	}
	ts := c.TokenSource(context.Background(), testClient, v, nil)
	for range 2 {
		if _, err := ts.Token(); err != nil {
			t.Fatal(err)
		}
	}
	if n := minted.Load(); n != 3 {
		t.Errorf("minted %d tokens; want 3 (one per use)", n)
	}
}

func TestClazarEmulatorRefusesBadTokenRequests(t *testing.T) {
	t.Parallel()
	e := connectortest.NewClazar()
	t.Cleanup(e.Close)
	v := e.Values()
	creds := `"client_id":"` + v["client_id"] + `","client_secret":"` + v["client_secret"] + `"`
	form := "client_id=" + v["client_id"] + "&client_secret=" + v["client_secret"]
	tests := []struct {
		name, path, ctype, body string
		want                    int
	}{
		{name: "documented JSON", path: "/authenticate/", ctype: "application/json", body: "{" + creds + "}", want: 200},
		{name: "Airbyte's form with grant_type", path: "/authenticate/", ctype: "application/x-www-form-urlencoded", body: "grant_type=client_credentials&" + form, want: 200},
		{name: "form without grant_type", path: "/authenticate/", ctype: "application/x-www-form-urlencoded", body: form, want: 400},
		{name: "no trailing slash", path: "/authenticate", ctype: "application/json", body: "{" + creds + "}", want: 404},
		{name: "text/plain", path: "/authenticate/", ctype: "text/plain", body: "{" + creds + "}", want: 400},
		{name: "unknown field", path: "/authenticate/", ctype: "application/json", body: `{"clientId":"x",` + creds + "}", want: 400},
		{name: "missing secret", path: "/authenticate/", ctype: "application/json", body: `{"client_id":"` + v["client_id"] + `"}`, want: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, err := testClient.Post(e.URL()+tt.path, tt.ctype, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("HTTP %d; want %d", resp.StatusCode, tt.want)
			}
		})
	}
}

// TestClazarFields pins the connector's fields (pinFields).
func TestClazarFields(t *testing.T) {
	t.Parallel()
	pinFields(t, "clazar", []pinnedField{
		{key: "client_id", title: "Client ID", helpHas: "app.clazar.io → Settings → API Keys"},
		{key: "client_secret", title: "Client Secret", secret: true, helpHas: "shown only once"},
		{key: "base_url", title: "API Base URL", def: "https://api.clazar.io", advanced: true, domain: "clazar.io"},
	})
}
