package connectors_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
	"github.com/credwiz/credwiz/connectors/connectortest/conformance"
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
			rep, err := mustConnector("drift").RunTest(context.Background(), testClient, v)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err = %v; want %v", err, tt.wantErr)
			}
			if err != nil {
				if !strings.Contains(err.Error(), "authentication_error") || !strings.Contains(connectors.HintOf(err), "Install") {
					t.Errorf("err %q, hint %q: want Drift's error type and the way to a new token", err, connectors.HintOf(err))
				}
				conformance.AssertNoSecret(t, err, []string{key, v["api_key"]})
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

// TestDriftLenientAnswers: only authenticated_userid is required and typed;
// every other field of token_info may have any JSON type, be null or be
// missing, and times out of range show as unknown. Each case sets fields
// of the emulator's real answer.
func TestDriftLenientAnswers(t *testing.T) {
	t.Parallel()
	const hour = 3600000 // expires_in and created_at are in milliseconds
	tests := []struct {
		name      string
		set       map[string]any // fields to set; nil values are removed
		wantErr   string
		wantApp   string // the App (credential) ID detail, "" for none
		created   bool   // a Token created detail
		never     bool
		expiresIn time.Duration // 0: no expiry
		scopes    int
	}{
		{name: "credential_id as a number", set: map[string]any{"credential_id": 1234}, wantApp: "1234", created: true, never: true, scopes: 3},
		{name: "credential_id null", set: map[string]any{"credential_id": json.RawMessage("null")}, created: true, never: true, scopes: 3},
		{name: "numbers as strings", set: map[string]any{"expires_in": "0", "created_at": "1700000000000"}, created: true, never: true, scopes: 3},
		{name: "huge created_at, 2 h token", set: map[string]any{"created_at": json.RawMessage("9e18"), "expires_in": 2 * hour}, expiresIn: 2 * time.Hour, scopes: 3},
		{name: "created_at in year 10000, 2 h token", set: map[string]any{"created_at": int64(253402300800000), "expires_in": 2 * hour}, expiresIn: 2 * time.Hour, scopes: 3},
		{name: "expires_in 1e308 is unknown", set: map[string]any{"expires_in": json.RawMessage("1e308")}, created: true, scopes: 3},
		{name: "negative expires_in is unknown", set: map[string]any{"expires_in": -5}, created: true, scopes: 3},
		{name: "expires_in missing is unknown", set: map[string]any{"expires_in": nil}, created: true, scopes: 3},
		{name: "scopes as an array", set: map[string]any{"scope": []string{"user_read", "contact_write"}}, created: true, never: true, scopes: 2},
		{name: "scope an object", set: map[string]any{"scope": map[string]any{"x": 1}}, created: true, never: true},
		{name: "token_type a boolean", set: map[string]any{"token_type": true}, created: true, never: true, scopes: 3},
		{name: "authenticated_userid a number", set: map[string]any{"authenticated_userid": 42}, wantErr: "authenticated_userid is a JSON number, not the string expected"},
		{name: "authenticated_userid missing", set: map[string]any{"authenticated_userid": nil}, wantErr: "has no authenticated_userid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := connectortest.NewDrift()
			t.Cleanup(e.Close)
			e.Rewrite(func(_ *http.Request, a *connectortest.Answer) {
				var m map[string]any
				if a.Status != 200 || json.Unmarshal(a.Body, &m) != nil {
					t.Errorf("unexpected answer %d %s", a.Status, a.Body)
					return
				}
				for k, v := range tt.set {
					if v == nil {
						delete(m, k)
					} else {
						m[k] = v
					}
				}
				a.Body, _ = json.Marshal(m)
			})
			rep, err := mustConnector("drift").RunTest(context.Background(), testClient, e.Values())
			if tt.wantErr != "" {
				if !errors.Is(err, connectors.ErrVendor) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v; want a vendor error saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, err := json.Marshal(rep); err != nil {
				t.Errorf("the Report cannot be saved: %v", err)
			}
			app := ""
			for _, d := range rep.Details {
				if d.Label == "App (credential) ID" {
					app = d.Value
				}
			}
			if app != tt.wantApp && !(tt.wantApp == "" && strings.HasPrefix(app, "app-")) {
				t.Errorf("App ID %q; want %q", app, tt.wantApp)
			}
			if hasDetail(rep, "Token created") != tt.created {
				t.Errorf("Token created shown = %v; want %v (%+v)", !tt.created, tt.created, rep.Details)
			}
			if rep.TokenNeverExpires != tt.never {
				t.Errorf("never expires = %v; want %v", rep.TokenNeverExpires, tt.never)
			}
			switch {
			case tt.expiresIn == 0 && !rep.TokenExpires.IsZero():
				t.Errorf("expires %v; want unknown or never", rep.TokenExpires)
			case tt.expiresIn != 0:
				if d := time.Until(rep.TokenExpires); d < tt.expiresIn-time.Minute || d > tt.expiresIn {
					t.Errorf("expires in %v; want %v from now", d, tt.expiresIn)
				}
			}
			if len(rep.Access) != tt.scopes {
				t.Errorf("access %+v; want %d scopes", rep.Access, tt.scopes)
			}
		})
	}
}

// TestDriftFields pins the connector's fields (pinFields).
func TestDriftFields(t *testing.T) {
	t.Parallel()
	pinFields(t, "drift", []pinnedField{
		{key: "api_key", title: "API Key Value", secret: true, bearer: true, tail: true, helpHas: "dev.drift.com → your app → OAuth & Permissions"},
		{key: "base_url", title: "Base URL", def: "https://driftapi.com", domain: "driftapi.com"},
	})
}
