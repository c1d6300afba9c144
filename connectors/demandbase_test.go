package connectors_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
	"github.com/credwiz/credwiz/connectors/connectortest/conformance"
)

func TestDemandbaseAPIGrants(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name              string
		b2b, admin, usage bool
		wantErr           error
		wantWarnings      []string // substrings, one warning each
	}{
		{name: "all three APIs", b2b: true, admin: true, usage: true},
		{name: "no Admin API is a warning", b2b: true, usage: true, wantWarnings: []string{"Admin API"}},
		{name: "B2B only", b2b: true, wantWarnings: []string{"Admin API", "Usage API"}},
		// Demandbase asks for the B2B API "at minimum": without it the key
		// set is unusable here, so the test fails as a missing permission.
		{name: "no B2B API fails", admin: true, usage: true, wantErr: connectors.ErrForbidden},
		{name: "nothing granted fails", wantErr: connectors.ErrForbidden, wantWarnings: []string{"Admin API", "Usage API"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := connectortest.NewDemandbase()
			t.Cleanup(e.Close)
			e.GrantAPIs(tt.b2b, tt.admin, tt.usage)
			rep, err := mustConnector("demandbase").RunTest(context.Background(), testClient, e.Values())
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err = %v; want %v", err, tt.wantErr)
			}
			if err != nil && !strings.Contains(connectors.HintOf(err), "API Permissions") {
				t.Errorf("hint %q should say where to grant the API", connectors.HintOf(err))
			}
			want := map[string]bool{"B2B API": tt.b2b, "Admin API": tt.admin, "Usage API": tt.usage}
			if len(rep.Access) != 3 {
				t.Fatalf("Access = %+v; want the three APIs", rep.Access)
			}
			for _, chk := range rep.Access {
				if chk.OK != want[chk.Name] {
					t.Errorf("%s: OK = %v; want %v", chk.Name, chk.OK, want[chk.Name])
				}
				if !chk.OK && chk.Note != "API not granted to this key set" {
					t.Errorf("%s: note %q", chk.Name, chk.Note)
				}
				if chk.Required != (chk.Name == "B2B API") {
					t.Errorf("%s: Required = %v", chk.Name, chk.Required)
				}
			}
			if len(rep.Warnings) != len(tt.wantWarnings) {
				t.Fatalf("warnings %q; want %d", rep.Warnings, len(tt.wantWarnings))
			}
			for i, w := range tt.wantWarnings {
				if !strings.Contains(rep.Warnings[i], w) {
					t.Errorf("warning %q should name %s", rep.Warnings[i], w)
				}
			}
			if rep.Account == "" || rep.Token == nil || rep.TokenExpires.IsZero() {
				t.Errorf("the token part of the Report is missing: %+v", rep)
			}
			wantReq := []string{"POST /auth/v1/token", "GET /data/b2b/v1/reference/JobLevel", "GET /admin/v1/users", "GET /reporting/v1/usage"}
			if got := e.Requests(); strings.Join(got, ",") != strings.Join(wantReq, ",") {
				t.Errorf("requests %v; want %v", got, wantReq)
			}
		})
	}
}

func TestDemandbaseRejectedCredentials(t *testing.T) {
	t.Parallel()
	// Which status Demandbase gives bad client credentials is UNCONFIRMED:
	// each of them must read as rejected credentials, with its message.
	tests := []struct {
		name    string
		status  int
		wantMsg string
	}{
		{name: "400 (documented)", status: 400, wantMsg: "Invalid client credentials"},
		{name: "401", status: 401, wantMsg: "Authentication Failed"},
		{name: "403", status: 403, wantMsg: "inactive or revoked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := connectortest.NewDemandbase()
			t.Cleanup(e.Close)
			e.RejectWith(tt.status)
			v := e.Values()
			e.SetSecret("rotated-" + v["client_secret"])
			_, err := mustConnector("demandbase").RunTest(context.Background(), testClient, v)
			if !errors.Is(err, connectors.ErrRejected) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("err = %v; want ErrRejected saying %q", err, tt.wantMsg)
			}
			if !strings.Contains(connectors.HintOf(err), "API Key Sets") {
				t.Errorf("hint %q should say where the key set is", connectors.HintOf(err))
			}
			conformance.AssertNoSecret(t, err, []string{v["client_secret"], "rotated-" + v["client_secret"]})
		})
	}
}

func TestDemandbaseEmulatorRefusesBadTokenRequests(t *testing.T) {
	t.Parallel()
	e := connectortest.NewDemandbase()
	t.Cleanup(e.Close)
	v := e.Values()
	good := `{"grantType":"client_credentials","clientId":"` + v["client_id"] + `","clientSecret":"` + v["client_secret"] + `"}`
	tests := []struct {
		name, method, ctype, body string
		want                      int
	}{
		{name: "the documented request", method: "POST", ctype: "application/json", body: good, want: 200},
		{name: "form-encoded", method: "POST", ctype: "application/x-www-form-urlencoded", body: "grant_type=client_credentials&client_id=" + v["client_id"] + "&client_secret=" + v["client_secret"], want: 400},
		{name: "snake_case JSON", method: "POST", ctype: "application/json", body: `{"grant_type":"client_credentials","client_id":"` + v["client_id"] + `","client_secret":"` + v["client_secret"] + `"}`, want: 400},
		{name: "wrong grant type", method: "POST", ctype: "application/json", body: strings.Replace(good, "client_credentials", "password", 1), want: 400},
		{name: "malformed JSON", method: "POST", ctype: "application/json", body: good[:20], want: 400},
		{name: "GET", method: "GET", want: 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, _ := http.NewRequest(tt.method, e.URL()+"/auth/v1/token", strings.NewReader(tt.body))
			req.Header.Set("Content-Type", tt.ctype)
			resp, err := testClient.Do(req)
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

func TestDemandbaseCustomBaseURLIsReported(t *testing.T) {
	t.Parallel()
	e := connectortest.NewDemandbase()
	t.Cleanup(e.Close)
	v := e.Values()
	v["base_url"] += "/" // a trailing slash must not double in the paths
	rep, err := mustConnector("demandbase").RunTest(context.Background(), testClient, v)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Details) == 0 || rep.Details[0].Label != "API Base URL" {
		t.Errorf("a non-default base URL should be in the details: %+v", rep.Details)
	}
	if r := e.Requests(); r[0] != "POST /auth/v1/token" {
		t.Errorf("requests %v", r)
	}
}

// TestDemandbaseFields pins the connector's fields (pinFields).
func TestDemandbaseFields(t *testing.T) {
	t.Parallel()
	pinFields(t, "demandbase", []pinnedField{
		{key: "base_url", title: "API Base URL", def: "https://uapi.demandbase.com", domain: "demandbase.com"},
		{key: "client_id", title: "Client ID", helpHas: "Settings → APIs → API Key Sets"},
		{key: "client_secret", title: "Client Secret", secret: true, helpHas: "shown only once"},
	})
}
