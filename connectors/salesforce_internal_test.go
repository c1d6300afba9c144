package connectors

import (
	"net/http"
	"strings"
	"testing"
)

func TestSalesforceAPIUsage(t *testing.T) {
	tests := []struct {
		name        string
		header      string
		used, limit int
		ok          bool
	}{
		{name: "plain", header: "api-usage=18/5000", used: 18, limit: 5000, ok: true},
		{name: "with per-app usage", header: "api-usage=25/15000; per-app-api-usage=17/250(appName=sample-app)", used: 25, limit: 15000, ok: true},
		{name: "per-app first", header: "per-app-api-usage=17/250(appName=x); api-usage=3/100", used: 3, limit: 100, ok: true},
		{name: "missing", header: ""},
		{name: "garbage", header: "api-usage=lots"},
		{name: "zero limit", header: "api-usage=1/0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			used, limit, ok := salesforceAPIUsage(tc.header)
			if used != tc.used || limit != tc.limit || ok != tc.ok {
				t.Errorf("salesforceAPIUsage(%q) = %d, %d, %v", tc.header, used, limit, ok)
			}
		})
	}
}

func TestSalesforceHighestVersion(t *testing.T) {
	var vs []optional[salesforceVersion]
	for _, v := range []text{"9.0", "64.0", "62.0", "64.1x", "", "100.0", "58.0"} {
		vs = append(vs, optional[salesforceVersion]{v: salesforceVersion{Version: v}, ok: true})
	}
	vs = append(vs, optional[salesforceVersion]{}) // an entry that was not an object
	if got := salesforceHighestVersion(vs); got != "100.0" {
		t.Errorf("highest = %q, want 100.0 (numeric, not lexical)", got)
	}
	if got := salesforceHighestVersion(nil); got != "" {
		t.Errorf("highest of none = %q", got)
	}
}

func TestSalesforceTokenErrorClassification(t *testing.T) {
	tests := []struct {
		name, flow, body string
		status           int
		class            error
		hint             string
	}{
		{name: "authentication failure", flow: "password", status: 400, body: `{"error":"invalid_grant","error_description":"authentication failure"}`,
			class: ErrRejected, hint: "Allow OAuth Username-Password Flows"},
		{name: "wrong domain", flow: "client_credentials", status: 400, body: `{"error":"invalid_grant","error_description":"request not supported on this domain"}`,
			class: ErrRejected, hint: "My Domain"},
		{name: "not approved", flow: "password", status: 400, body: `{"error":"invalid_grant","error_description":"user hasn't approved this consumer"}`,
			class: ErrRejected, hint: "pre-authorized"},
		{name: "unsupported grant", flow: "password", status: 400, body: `{"error":"unsupported_grant_type","error_description":"grant type not supported"}`,
			class: ErrRejected, hint: "Allow OAuth Username-Password Flows"},
		{name: "unsupported grant cc", flow: "client_credentials", status: 400, body: `{"error":"unsupported_grant_type","error_description":"grant type not supported"}`,
			class: ErrRejected, hint: "Enable Client Credentials Flow"},
		{name: "ip restricted", flow: "password", status: 400, body: `{"error":"invalid_grant","error_description":"ip restricted or invalid login hours"}`,
			class: ErrRejected, hint: "Login IP Ranges"},
		{name: "malformed request", flow: "password", status: 400, body: `{"error":"invalid_request","error_description":"must use HTTP POST"}`,
			class: ErrVendor},
		{name: "maintenance page", flow: "password", status: 503, body: `<html>Down for maintenance</html>`, class: ErrVendor},
		{name: "proxy 403", flow: "password", status: 403, body: `Forbidden`, class: ErrRejected},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := salesforceTokenError(&response{status: tc.status, header: http.Header{}, body: []byte(tc.body)}, tc.flow, nil)
			if e.Class != tc.class || !strings.Contains(e.Hint, tc.hint) {
				t.Errorf("got class %v hint %q, want %v with %q", e.Class, e.Hint, tc.class, tc.hint)
			}
		})
	}
}

func TestSalesforceRESTFailureWithholds(t *testing.T) {
	secret := "hunter2-token"
	r := &response{status: 500, header: http.Header{}, body: []byte(`[{"message":"bad value hunter2-token","errorCode":"UNKNOWN_EXCEPTION"}]`)}
	e := salesforceRESTFailure("GET x", r, NewLeakCheck(secret))
	if strings.Contains(e.Error(), secret) || e.Class != ErrVendor || e.Code != "UNKNOWN_EXCEPTION" || e.Message != WithheldNotice {
		t.Errorf("error = %v (class %v)", e, e.Class)
	}
}
