package connectortest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// sfDo sends one request to the emulator and returns status, body and
// headers.
func sfDo(t *testing.T, method, rawURL, contentType, body string, header ...string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, rawURL, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// sfLogin performs a password login with e's values and returns the token
// answer.
func sfLogin(t *testing.T, e *Salesforce) map[string]string {
	t.Helper()
	v := e.Values()
	form := url.Values{"grant_type": {"password"}, "client_id": {v["consumer_key"]}, "client_secret": {v["consumer_secret"]},
		"username": {v["username"]}, "password": {v["password"] + v["security_token"]}}
	status, body, _ := sfDo(t, http.MethodPost, e.URL()+"/services/oauth2/token", "application/x-www-form-urlencoded", form.Encode())
	if status != http.StatusOK {
		t.Fatalf("login: %d %s", status, body)
	}
	var a map[string]string
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestSalesforceEmulatorRefusesMalformedRequests(t *testing.T) {
	e := NewSalesforce()
	defer e.Close()
	v := e.Values()
	form := url.Values{"grant_type": {"password"}, "client_id": {v["consumer_key"]}, "client_secret": {v["consumer_secret"]},
		"username": {v["username"]}, "password": {v["password"] + v["security_token"]}}
	jsonBody, _ := json.Marshal(map[string]string{"grant_type": "password"})
	tests := []struct {
		name, method, path, contentType, body string
		header                                []string
		status                                int
		want                                  string
	}{
		{name: "token by GET", method: "GET", path: "/services/oauth2/token?" + form.Encode(), status: 400, want: `"must use HTTP POST"`},
		{name: "token as JSON", method: "POST", path: "/services/oauth2/token", contentType: "application/json", body: string(jsonBody),
			status: 400, want: `"error":"unsupported_grant_type"`},
		{name: "unknown grant", method: "POST", path: "/services/oauth2/token", contentType: "application/x-www-form-urlencoded",
			body: "grant_type=authorization_code", status: 400, want: `"unsupported_grant_type"`},
		{name: "password only, no token", method: "POST", path: "/services/oauth2/token", contentType: "application/x-www-form-urlencoded",
			body: strings.Replace(form.Encode(), url.QueryEscape(v["security_token"]), "", 1), status: 400, want: `"authentication failure"`},
		{name: "REST without a session", method: "GET", path: "/services/data/v64.0/sobjects/", status: 401, want: `"errorCode":"INVALID_SESSION_ID"`},
		{name: "REST with a made-up token", method: "GET", path: "/services/data/v64.0/sobjects/",
			header: []string{"Authorization", "Bearer 00D!made-up"}, status: 401, want: `"Session expired or invalid"`},
		{name: "identity without a token", method: "GET", path: "/id/" + e.OrgID() + "/" + sfUserID, status: 403, want: "Missing_OAuth_Token"},
		{name: "identity with a made-up token", method: "GET", path: "/id/" + e.OrgID() + "/" + sfUserID,
			header: []string{"Authorization", "Bearer 00D!made-up"}, status: 403, want: "Bad_OAuth_Token"},
		{name: "unknown path", method: "GET", path: "/services/apexrest/x", status: 404, want: `"NOT_FOUND"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := sfDo(t, tc.method, e.URL()+tc.path, tc.contentType, tc.body, tc.header...)
			if status != tc.status || !strings.Contains(body, tc.want) {
				t.Errorf("%s %s = %d %s, want %d with %s", tc.method, tc.path, status, body, tc.status, tc.want)
			}
		})
	}
	if e.TokensIssued() != 0 {
		t.Errorf("TokensIssued = %d, want 0", e.TokensIssued())
	}
}

func TestSalesforceEmulatorSessionsAndUsage(t *testing.T) {
	e := NewSalesforce()
	defer e.Close()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	e.SetClock(func() time.Time { return now })
	e.SetSessionTimeout(15 * time.Minute)
	a := sfLogin(t, e)

	// The signature is HMAC-SHA256(consumer secret, id + issued_at).
	mac := hmac.New(sha256.New, []byte(e.Values()["consumer_secret"]))
	mac.Write([]byte(a["id"] + a["issued_at"]))
	if a["signature"] != base64.StdEncoding.EncodeToString(mac.Sum(nil)) || a["token_type"] != "Bearer" || a["instance_url"] != e.URL() {
		t.Errorf("token answer = %v", a)
	}

	auth := []string{"Authorization", "Bearer " + a["access_token"]}
	status, _, h := sfDo(t, "GET", e.URL()+"/services/data/", "", "")
	if status != 200 || h.Get("Sforce-Limit-Info") != "" {
		t.Errorf("versions: %d, Sforce-Limit-Info %q (want none)", status, h.Get("Sforce-Limit-Info"))
	}
	status, body, h := sfDo(t, "GET", e.URL()+"/services/data/v64.0/sobjects/", "", "", auth...)
	if status != 200 || h.Get("Sforce-Limit-Info") != "api-usage=19/5000" || !strings.Contains(body, `"name":"Account"`) {
		t.Errorf("describeGlobal: %d %q", status, h.Get("Sforce-Limit-Info"))
	}
	status, body, _ = sfDo(t, "GET", a["id"], "", "", auth...)
	if status != 200 || !strings.Contains(body, `"username":"`+e.Username()+`"`) {
		t.Errorf("identity: %d %s", status, body)
	}
	if used, _ := e.APIUsage(); used != 19 {
		t.Errorf("API usage = %d, want 19 (identity and the version list do not count)", used)
	}

	// Sliding timeout: used 10 minutes later, still valid; idle 15 more, gone.
	now = now.Add(10 * time.Minute)
	if status, _, _ = sfDo(t, "GET", e.URL()+"/services/data/v64.0/", "", "", auth...); status != 200 {
		t.Errorf("after 10 minutes: %d, want 200", status)
	}
	now = now.Add(15 * time.Minute)
	status, body, _ = sfDo(t, "GET", e.URL()+"/services/data/v64.0/sobjects/", "", "", auth...)
	if status != 401 || !strings.Contains(body, "INVALID_SESSION_ID") {
		t.Errorf("after the timeout: %d %s, want 401 INVALID_SESSION_ID", status, body)
	}

	// Request limit: 403 REQUEST_LIMIT_EXCEEDED, usage still reported.
	a = sfLogin(t, e)
	e.SetAPIUsage(5000, 5000)
	status, body, h = sfDo(t, "GET", e.URL()+"/services/data/v64.0/sobjects/", "", "", "Authorization", "Bearer "+a["access_token"])
	if status != 403 || !strings.Contains(body, "REQUEST_LIMIT_EXCEEDED") || h.Get("Sforce-Limit-Info") != "api-usage=5000/5000" {
		t.Errorf("over the limit: %d %s %q", status, body, h.Get("Sforce-Limit-Info"))
	}
}

func TestSalesforceEmulatorObjects(t *testing.T) {
	e := NewSalesforce()
	defer e.Close()
	e.RemoveObject("Lead")
	e.SetRetrieveable("Report", false)
	a := sfLogin(t, e)
	_, body, _ := sfDo(t, "GET", e.URL()+"/services/data/v64.0/sobjects/", "", "", "Authorization", "OAuth "+a["access_token"])
	var g struct {
		SObjects []struct {
			Name         string `json:"name"`
			Retrieveable bool   `json:"retrieveable"`
		} `json:"sobjects"`
	}
	if err := json.Unmarshal([]byte(body), &g); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, o := range g.SObjects {
		seen[o.Name] = true
		if o.Name == "Report" && o.Retrieveable {
			t.Error("Report is retrieveable")
		}
	}
	if seen["Lead"] || !seen["Report"] || !seen["Account"] {
		t.Errorf("objects = %v", seen)
	}
}
