package connectors_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
)

func TestDriftTest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		edit         func(e *connectortest.Drift, v connectors.Values)
		wantErr      error
		wantAccount  string
		wantScopes   []string
		wantWarning  string
		wantExpiring bool
	}{
		{name: "org and scopes", wantAccount: "Drift org 123456", wantScopes: []string{"conversation_read", "contact_read", "user_read"}},
		{name: "other org, one scope", edit: func(e *connectortest.Drift, _ connectors.Values) {
			e.SetOrg("42")
			e.SetScopes("user_read")
		}, wantAccount: "Drift org 42", wantScopes: []string{"user_read"}},
		{name: "no scopes is a warning", edit: func(e *connectortest.Drift, _ connectors.Values) { e.SetScopes() },
			wantAccount: "Drift org 123456", wantWarning: "no scopes"},
		{name: "rate limit nearly used up is a warning", edit: func(e *connectortest.Drift, _ connectors.Values) { e.UseRate(560) },
			wantAccount: "Drift org 123456", wantScopes: []string{"conversation_read", "contact_read", "user_read"}, wantWarning: "only 39 of 600"},
		{name: "an expiring OAuth token", edit: func(e *connectortest.Drift, _ connectors.Values) { e.SetExpiresIn(2 * time.Hour) },
			wantAccount: "Drift org 123456", wantScopes: []string{"conversation_read", "contact_read", "user_read"}, wantWarning: "expires", wantExpiring: true},
		{name: "pasted Bearer prefix is stripped", edit: func(_ *connectortest.Drift, v connectors.Values) { v["api_key"] = "bearer " + v["api_key"] },
			wantAccount: "Drift org 123456", wantScopes: []string{"conversation_read", "contact_read", "user_read"}},
		{name: "uninstalled app (403, documented)", edit: func(e *connectortest.Drift, _ connectors.Values) { e.SetToken("") }, wantErr: connectors.ErrRejected},
		{name: "wrong token answered 401", edit: func(e *connectortest.Drift, v connectors.Values) {
			e.RejectWith(401)
			v["api_key"] += "x"
		}, wantErr: connectors.ErrRejected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := connectortest.NewDrift()
			t.Cleanup(e.Close)
			v := e.Values()
			key := v["api_key"]
			if tt.edit != nil {
				tt.edit(e, v)
			}
			rep, err := connectors.Drift().Test(context.Background(), testClient, v)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err = %v; want %v", err, tt.wantErr)
			}
			if err != nil {
				if !strings.Contains(err.Error(), "authentication_error") || !strings.Contains(connectors.HintOf(err), "Install") {
					t.Errorf("err %q, hint %q: want Drift's error type and the way to a new token", err, connectors.HintOf(err))
				}
				assertNoSecret(t, err, []string{key, v["api_key"]})
				return
			}
			if rep.Account != tt.wantAccount {
				t.Errorf("Account = %q; want %q", rep.Account, tt.wantAccount)
			}
			var scopes []string
			for _, c := range rep.Access {
				if c.OK {
					scopes = append(scopes, c.Name)
				}
			}
			if strings.Join(scopes, " ") != strings.Join(tt.wantScopes, " ") {
				t.Errorf("scopes %v; want %v", scopes, tt.wantScopes)
			}
			if rep.TokenNeverExpires == tt.wantExpiring || rep.TokenExpires.IsZero() != !tt.wantExpiring {
				t.Errorf("expiry: never=%v at=%v; want expiring=%v", rep.TokenNeverExpires, rep.TokenExpires, tt.wantExpiring)
			}
			if tt.wantExpiring {
				if d := time.Until(rep.TokenExpires); d < 2*time.Hour-time.Minute || d > 2*time.Hour {
					t.Errorf("expires in %v; want 2 h (expires_in is in milliseconds)", d)
				}
			}
			if w := strings.Join(rep.Warnings, "\n"); !strings.Contains(w, tt.wantWarning) || (tt.wantWarning == "" && w != "") {
				t.Errorf("warnings %q; want %q", rep.Warnings, tt.wantWarning)
			}
			if !hasDetail(rep, "Rate limit") || !hasDetail(rep, "Org ID") {
				t.Errorf("details %+v: want the org and the rate-limit headers", rep.Details)
			}
			if r := e.Requests(); len(r) != 1 || r[0] != "POST /app/token_info" {
				t.Errorf("requests %v", r)
			}
		})
	}
}

func TestDriftEmulatorRefusesBadRequests(t *testing.T) {
	t.Parallel()
	e := connectortest.NewDrift()
	t.Cleanup(e.Close)
	key := e.Values()["api_key"]
	tests := []struct {
		name, method, auth, ctype, body string
		want                            int
		wantType                        string
	}{
		{name: "documented request", method: "POST", auth: "Bearer " + key, ctype: "application/json", body: `{"access_token":"` + key + `"}`, want: 200},
		{name: "no Bearer header", method: "POST", ctype: "application/json", body: `{"access_token":"` + key + `"}`, want: 403, wantType: "authentication_error"},
		{name: "form body", method: "POST", auth: "Bearer " + key, ctype: "application/x-www-form-urlencoded", body: "access_token=" + key, want: 400, wantType: "validation_error"},
		{name: "empty access_token", method: "POST", auth: "Bearer " + key, ctype: "application/json", body: `{"access_token":""}`, want: 400, wantType: "validation_error"},
		{name: "another token", method: "POST", auth: "Bearer " + key, ctype: "application/json", body: `{"access_token":"other"}`, want: 404, wantType: "not_found"},
		{name: "GET", method: "GET", auth: "Bearer " + key, want: 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, _ := http.NewRequest(tt.method, e.URL()+"/app/token_info", strings.NewReader(tt.body))
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			req.Header.Set("Content-Type", tt.ctype)
			status, body := do(t, req)
			if status != tt.want || !strings.Contains(body, tt.wantType) {
				t.Errorf("HTTP %d %s; want %d %s", status, body, tt.want, tt.wantType)
			}
		})
	}
}
