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

func TestUpPromoteTest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		edit     func(e *connectortest.UpPromote, v connectors.Values)
		wantErr  error
		wantReq  string
		wantHint string
	}{
		{name: "v1 with Bearer", wantReq: "GET /api/v1/affiliates"},
		{name: "v2 with the raw key", edit: func(_ *connectortest.UpPromote, v connectors.Values) { v["api_version"] = "v2" }, wantReq: "GET /api/v2/affiliates"},
		{name: "pasted Bearer prefix is stripped (v2)", edit: func(_ *connectortest.UpPromote, v connectors.Values) {
			v["api_version"] = "v2"
			v["token"] = "  Bearer " + v["token"] + "\n"
		}, wantReq: "GET /api/v2/affiliates"},
		{name: "default version is v1", edit: func(_ *connectortest.UpPromote, v connectors.Values) { delete(v, "api_version") }, wantReq: "GET /api/v1/affiliates"},
		{name: "wrong key", edit: func(_ *connectortest.UpPromote, v connectors.Values) { v["token"] += "x" },
			wantErr: connectors.ErrRejected, wantHint: "set api_version to v2"},
		{name: "revoked key (v2)", edit: func(e *connectortest.UpPromote, v connectors.Values) {
			v["api_version"] = "v2"
			e.SetKey("")
		}, wantErr: connectors.ErrRejected, wantHint: "set api_version to v1"},
		// 120 requests a minute, failed ones included; the 429's Retry-After
		// (up to 60 s) is past the 10 s budget, so no retry is attempted.
		{name: "rate limit used up by others", edit: func(e *connectortest.UpPromote, _ connectors.Values) { e.UseRate(120) },
			wantErr: connectors.ErrRateLimited, wantHint: "Retry-After"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := connectortest.NewUpPromote()
			t.Cleanup(e.Close)
			v := e.Values()
			key := v["token"]
			if tt.edit != nil {
				tt.edit(e, v)
			}
			rep, err := mustConnector("uppromote").RunTest(context.Background(), testClient, v)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err = %v; want %v", err, tt.wantErr)
			}
			if err != nil {
				if !strings.Contains(connectors.HintOf(err), tt.wantHint) {
					t.Errorf("hint %q; want it to say %q", connectors.HintOf(err), tt.wantHint)
				}
				conformance.AssertNoSecret(t, err, []string{key, v["token"]})
				return
			}
			if !rep.TokenNeverExpires || rep.Token != nil || rep.Account == "" {
				t.Errorf("Report %+v: want a never-expiring static key and an account", rep)
			}
			if len(rep.Access) != 1 || rep.Access[0].Name != "Affiliates" || !rep.Access[0].OK {
				t.Errorf("Access = %+v", rep.Access)
			}
			if r := e.Requests(); len(r) != 1 || r[0] != tt.wantReq {
				t.Errorf("requests %v; want [%s]", r, tt.wantReq)
			}
		})
	}
}

func TestUpPromoteToken(t *testing.T) {
	t.Parallel()
	tok, err := mustConnector("uppromote").MintToken(context.Background(), nil, connectors.Values{"token": "Bearer abc123456"})
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken != "abc123456" || !tok.Expiry.IsZero() {
		t.Errorf("Token = %+v; want the key itself, never expiring", tok)
	}
}

// TestUpPromoteEmulatorChecksTheAuthHeader: v1 requires "Bearer <key>", v2
// the raw key and refuses "Bearer <key>".
func TestUpPromoteEmulatorChecksTheAuthHeader(t *testing.T) {
	t.Parallel()
	e := connectortest.NewUpPromote()
	t.Cleanup(e.Close)
	key := e.Values()["token"]
	tests := []struct {
		name, path, auth, accept string
		want                     int
		wantMsg                  string
	}{
		{name: "v1 Bearer", path: "/api/v1/affiliates?page=1", auth: "Bearer " + key, want: 200},
		{name: "v1 raw key", path: "/api/v1/affiliates?page=1", auth: key, want: 401, wantMsg: "Token not provided"},
		{name: "v1 no header", path: "/api/v1/affiliates?page=1", want: 401, wantMsg: "Token not provided"},
		{name: "v2 raw key", path: "/api/v2/affiliates?page=1&per_page=1", auth: key, accept: "application/json", want: 200},
		{name: "v2 Bearer refused", path: "/api/v2/affiliates?page=1&per_page=1", auth: "Bearer " + key, accept: "application/json", want: 401, wantMsg: "Unauthorized"},
		{name: "v2 without Accept", path: "/api/v2/affiliates?page=1&per_page=1", auth: key, want: 406},
		{name: "v2 bad per_page", path: "/api/v2/affiliates?page=1&per_page=0", auth: key, accept: "application/json", want: 422},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, _ := http.NewRequest("GET", e.URL()+tt.path, nil)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			if tt.accept != "" {
				req.Header.Set("Accept", tt.accept)
			}
			status, body := do(t, req)
			if status != tt.want || !strings.Contains(body, tt.wantMsg) {
				t.Errorf("HTTP %d %s; want %d %q", status, body, tt.want, tt.wantMsg)
			}
		})
	}
}

// TestUpPromoteFields pins the connector's fields (pinFields).
func TestUpPromoteFields(t *testing.T) {
	t.Parallel()
	pinFields(t, "uppromote", []pinnedField{
		{key: "token", title: "Uppromote Bearer Token", secret: true, bearer: true, tail: true, helpHas: "Integrations"},
		{key: "api_version", title: "API Version", def: "v1", advanced: true, options: []string{"v1", "v2"}},
		{key: "base_url", title: "API Base URL", def: "https://aff-api.uppromote.com", advanced: true, domain: "uppromote.com"},
	})
}
