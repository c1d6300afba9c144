package connectors_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
)

// sfRequired are the objects whose read access a Salesforce test requires.
var sfRequired = []string{"Account", "Contact", "Lead", "Opportunity", "Campaign", "CampaignMember", "Task", "Event", "User", "Group"}

// sfOptional are the objects whose read access only warns.
var sfOptional = []string{"OpportunityContactRole", "OpportunityHistory", "Report"}

// sfRoundTrip adapts a function to http.RoundTripper.
type sfRoundTrip func(*http.Request) (*http.Response, error)

func (f sfRoundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// sfBefore returns a client that calls hook before each request whose path
// contains part, e.g. to expire the sessions between two calls.
func sfBefore(part string, hook func()) *http.Client {
	return &http.Client{Timeout: 5 * time.Second, Transport: sfRoundTrip(func(r *http.Request) (*http.Response, error) {
		if strings.Contains(r.URL.Path, part) {
			hook()
		}
		return http.DefaultTransport.RoundTrip(r)
	})}
}

// sfWith returns e's values with the given changes.
func sfWith(e *connectortest.Salesforce, kv ...string) connectors.Values {
	v := e.Values()
	for i := 0; i+1 < len(kv); i += 2 {
		v[kv[i]] = kv[i+1]
	}
	return v
}

func TestSalesforceTest(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(e *connectortest.Salesforce)
		values func(e *connectortest.Salesforce) connectors.Values // nil: e.Values()
		client func(e *connectortest.Salesforce) *http.Client      // nil: plain, 5 s timeout
		class  error                                               // nil: success
		code   string                                              // the *Error's Code
		hint   string                                              // a part of the hint
		// fieldErr: the error is a *FieldError, which check inspects.
		fieldErr bool
		check    func(t *testing.T, e *connectortest.Salesforce, rep connectors.Report, err error)
	}{
		{
			name: "success",
			check: func(t *testing.T, e *connectortest.Salesforce, rep connectors.Report, err error) {
				want := []string{
					"POST /services/oauth2/token",
					"GET /services/data/",
					"GET /id/" + e.OrgID() + "/0055g00000AbCdEAAV",
					"GET /services/data/v64.0/sobjects/",
				}
				if got := e.Requests(); !slices.Equal(got, want) {
					t.Errorf("requests = %q, want %q", got, want)
				}
				if want := e.Username() + " @ org " + e.OrgID(); rep.Account != want {
					t.Errorf("Account = %q, want %q", rep.Account, want)
				}
				for label, want := range map[string]string{
					"Instance URL": e.URL(),
					"API version":  "v64.0",
					"Org ID":       e.OrgID(),
					"Login flow":   "password",
					"API usage":    "19/5000 requests in the last 24 hours (0%)",
				} {
					if got := sfDetail(rep, label); got != want {
						t.Errorf("detail %q = %q, want %q", label, got, want)
					}
				}
				if len(rep.Access) != len(sfRequired)+len(sfOptional) {
					t.Fatalf("Access has %d checks, want %d: %+v", len(rep.Access), len(sfRequired)+len(sfOptional), rep.Access)
				}
				for _, c := range rep.Access {
					if !c.OK || c.Required != slices.Contains(sfRequired, c.Name) {
						t.Errorf("check %+v: want OK, Required=%v", c, slices.Contains(sfRequired, c.Name))
					}
				}
				if len(rep.Warnings) != 0 {
					t.Errorf("Warnings = %q, want none", rep.Warnings)
				}
				if rep.Token == nil || rep.Token.AccessToken == "" || rep.TokenType != "bearer" {
					t.Fatalf("Token = %+v, TokenType %q", rep.Token, rep.TokenType)
				}
				if got := rep.Token.Extra(connectors.SalesforceInstanceURL); got != e.URL() {
					t.Errorf("token instance_url = %v, want %s", got, e.URL())
				}
				if got, _ := rep.Token.Extra(connectors.SalesforceIdentityURL).(string); !strings.HasPrefix(got, e.URL()+"/id/"+e.OrgID()+"/") {
					t.Errorf("token id = %q", got)
				}
				if left := time.Until(rep.Token.Expiry); left < 14*time.Minute || left > 15*time.Minute || !rep.TokenExpires.Equal(rep.Token.Expiry) {
					t.Errorf("token expires in %s (Report: %s), want about 15m", left, rep.TokenExpires)
				}
				if e.TokensIssued() != 1 {
					t.Errorf("TokensIssued = %d, want 1", e.TokensIssued())
				}
			},
		},
		{
			name:   "wrong password",
			values: func(e *connectortest.Salesforce) connectors.Values { return sfWith(e, "password", "Autumn-2025!") },
			class:  connectors.ErrRejected, code: "invalid_grant", hint: "Login History",
		},
		{
			name: "wrong security token",
			values: func(e *connectortest.Salesforce) connectors.Values {
				return sfWith(e, "security_token", "AAAAAAAAAAAAAAAAAAAAAAAA")
			},
			class: connectors.ErrRejected, code: "invalid_grant", hint: "security token",
		},
		{
			name:   "missing security token outside trusted IP ranges",
			values: func(e *connectortest.Salesforce) connectors.Values { return sfWith(e, "security_token", "") },
			class:  connectors.ErrRejected, code: "invalid_grant",
		},
		{
			name:   "no security token needed from a trusted IP range",
			setup:  func(e *connectortest.Salesforce) { e.TrustIP(true) },
			values: func(e *connectortest.Salesforce) connectors.Values { return sfWith(e, "security_token", "") },
		},
		{
			name:   "wrong consumer key",
			values: func(e *connectortest.Salesforce) connectors.Values { return sfWith(e, "consumer_key", "3MVG9wrongkey") },
			class:  connectors.ErrRejected, code: "invalid_client_id", hint: "Consumer Key",
		},
		{
			name:   "wrong consumer secret",
			values: func(e *connectortest.Salesforce) connectors.Values { return sfWith(e, "consumer_secret", "0000SECRET") },
			class:  connectors.ErrRejected, code: "invalid_client", hint: "Consumer Secret",
		},
		{
			name:  "locked user",
			setup: func(e *connectortest.Salesforce) { e.LockUser(e.Username(), true) },
			class: connectors.ErrRejected, code: "invalid_grant", hint: "locked out",
		},
		{
			name:  "password flow blocked by the org",
			setup: func(e *connectortest.Salesforce) { e.BlockPasswordFlow(true) },
			class: connectors.ErrRejected, code: "invalid_grant", hint: "Allow OAuth Username-Password Flows",
		},
		{
			name:  "expired password",
			setup: func(e *connectortest.Salesforce) { e.ExpirePassword(e.Username()) },
			class: connectors.ErrRejected, code: "invalid_grant", hint: "password expired",
		},
		{
			name: "expired password with a restricted session",
			setup: func(e *connectortest.Salesforce) {
				e.ExpirePassword(e.Username())
				e.AllowExpiredPasswordLogin(true)
			},
			class: connectors.ErrRejected, code: "INVALID_OPERATION_WITH_EXPIRED_PASSWORD", hint: "password has expired",
		},
		{
			name:  "user has not approved the connected app",
			setup: func(e *connectortest.Salesforce) { e.RequireApproval(true) },
			class: connectors.ErrRejected, code: "invalid_grant", hint: "pre-authorized",
		},
		{
			name: "client_credentials against login.salesforce.com fails before any request",
			values: func(e *connectortest.Salesforce) connectors.Values {
				return sfWith(e, "flow", "client_credentials", "login_url", "https://login.salesforce.com")
			},
			client:   sfNoRequests,
			fieldErr: true,
			check:    sfWantLoginURLFieldError,
		},
		{
			name: "client_credentials against test.salesforce.com fails before any request",
			values: func(e *connectortest.Salesforce) connectors.Values {
				return sfWith(e, "flow", "client_credentials", "login_url", "https://TEST.salesforce.com/")
			},
			client:   sfNoRequests,
			fieldErr: true,
			check:    sfWantLoginURLFieldError,
		},
		{
			name:   "client_credentials against a host that is not a My Domain",
			values: func(e *connectortest.Salesforce) connectors.Values { return e.ClientCredentialsValues() },
			class:  connectors.ErrRejected, code: "invalid_grant", hint: "My Domain",
		},
		{
			name:   "client_credentials against My Domain",
			setup:  func(e *connectortest.Salesforce) { e.SetMyDomain(true) },
			values: func(e *connectortest.Salesforce) connectors.Values { return e.ClientCredentialsValues() },
			check: func(t *testing.T, e *connectortest.Salesforce, rep connectors.Report, err error) {
				if want := e.Username() + " @ org " + e.OrgID(); rep.Account != want {
					t.Errorf("Account = %q, want %q", rep.Account, want)
				}
				if got := sfDetail(rep, "Login flow"); got != "client_credentials" {
					t.Errorf("Login flow = %q", got)
				}
			},
		},
		{
			name: "client_credentials without a Run As user",
			setup: func(e *connectortest.Salesforce) {
				e.SetMyDomain(true)
				e.SetRunAsUser("")
			},
			values: func(e *connectortest.Salesforce) connectors.Values { return e.ClientCredentialsValues() },
			class:  connectors.ErrRejected, code: "invalid_grant", hint: "Run As",
		},
		{
			name: "missing required objects",
			setup: func(e *connectortest.Salesforce) {
				e.RemoveObject("Campaign")
				e.SetRetrieveable("CampaignMember", false)
			},
			class: connectors.ErrForbidden, hint: "permission set",
			check: func(t *testing.T, e *connectortest.Salesforce, rep connectors.Report, err error) {
				for _, name := range []string{"Campaign", "CampaignMember"} {
					if !strings.Contains(err.Error(), name) {
						t.Errorf("error %q does not name %s", err, name)
					}
				}
				if strings.Contains(err.Error(), "Account") {
					t.Errorf("error %q names a readable object", err)
				}
				if rep.Account == "" || len(rep.Access) != len(sfRequired)+len(sfOptional) {
					t.Fatalf("Report not filled: %+v", rep)
				}
				for _, c := range rep.Access {
					bad := c.Name == "Campaign" || c.Name == "CampaignMember"
					if c.OK == bad {
						t.Errorf("check %+v: OK should be %v", c, !bad)
					}
				}
			},
		},
		{
			name:  "missing optional object",
			setup: func(e *connectortest.Salesforce) { e.RemoveObject("OpportunityHistory") },
			check: func(t *testing.T, e *connectortest.Salesforce, rep connectors.Report, err error) {
				if len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "OpportunityHistory") {
					t.Errorf("Warnings = %q, want one about OpportunityHistory", rep.Warnings)
				}
				for _, c := range rep.Access {
					if c.Name == "OpportunityHistory" && (c.OK || c.Required) {
						t.Errorf("check %+v: want not OK, optional", c)
					}
				}
			},
		},
		{
			name:  "high API usage",
			setup: func(e *connectortest.Salesforce) { e.SetAPIUsage(4100, 5000) },
			check: func(t *testing.T, e *connectortest.Salesforce, rep connectors.Report, err error) {
				if len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "4101 of its 5000") {
					t.Errorf("Warnings = %q, want one about API usage", rep.Warnings)
				}
			},
		},
		{
			name:   "expired session on a REST call",
			client: func(e *connectortest.Salesforce) *http.Client { return sfBefore("/sobjects/", e.ExpireSessions) },
			class:  connectors.ErrRejected, code: "INVALID_SESSION_ID", hint: "session expired",
			check: func(t *testing.T, e *connectortest.Salesforce, rep connectors.Report, err error) {
				if !strings.Contains(err.Error(), "Session expired or invalid") {
					t.Errorf("error %q lacks Salesforce's message", err)
				}
			},
		},
		{
			name:   "expired session at the identity URL",
			client: func(e *connectortest.Salesforce) *http.Client { return sfBefore("/id/", e.ExpireSessions) },
			class:  connectors.ErrRejected, code: "Bad_OAuth_Token",
		},
		{
			name:  "request limit exceeded",
			setup: func(e *connectortest.Salesforce) { e.SetAPIUsage(5000, 5000) },
			class: connectors.ErrRateLimited, code: "REQUEST_LIMIT_EXCEEDED", hint: "re-authenticating does not help",
			check: func(t *testing.T, e *connectortest.Salesforce, rep connectors.Report, err error) {
				if n := e.TokensIssued(); n != 1 {
					t.Errorf("TokensIssued = %d: a request limit must not cause a new login", n)
				}
			},
		},
		{
			name:  "API disabled for the org",
			setup: func(e *connectortest.Salesforce) { e.DisableOrgAPI(true) },
			class: connectors.ErrForbidden, code: "API_DISABLED_FOR_ORG", hint: "edition",
		},
		{
			name:  "API disabled for the user",
			setup: func(e *connectortest.Salesforce) { e.SetAPIEnabled(e.Username(), false) },
			class: connectors.ErrForbidden, code: "API_CURRENTLY_DISABLED", hint: "API Enabled",
		},
		{
			name:  "429 then success",
			setup: func(e *connectortest.Salesforce) { e.Faults().RateLimit(1, "0") },
			check: func(t *testing.T, e *connectortest.Salesforce, rep connectors.Report, err error) {
				if got := e.Requests(); len(got) != 5 || got[0] != got[1] {
					t.Errorf("requests = %q, want the token request twice then three reads", got)
				}
			},
		},
		{
			name:  "429 after every retry",
			setup: func(e *connectortest.Salesforce) { e.Faults().RateLimit(3, "0") },
			class: connectors.ErrRateLimited,
		},
		{
			name:  "server error",
			setup: func(e *connectortest.Salesforce) { e.Faults().ServerError(1) },
			class: connectors.ErrVendor, code: "UNKNOWN_EXCEPTION",
		},
		{
			name: "server error on a REST call",
			client: func(e *connectortest.Salesforce) *http.Client {
				return sfBefore("/sobjects/", func() { e.Faults().ServerError(1) })
			},
			class: connectors.ErrVendor, code: "UNKNOWN_EXCEPTION",
		},
		{
			name:   "hang",
			setup:  func(e *connectortest.Salesforce) { e.Faults().Hang(true) },
			client: func(*connectortest.Salesforce) *http.Client { return &http.Client{Timeout: 300 * time.Millisecond} },
			class:  connectors.ErrUnreachable,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := connectortest.NewSalesforce()
			defer e.Close()
			if tc.setup != nil {
				tc.setup(e)
			}
			v := e.Values()
			if tc.values != nil {
				v = tc.values(e)
			}
			hc := &http.Client{Timeout: 5 * time.Second}
			if tc.client != nil {
				hc = tc.client(e)
			}
			c := mustConnector("salesforce")
			rep, err := c.RunTest(context.Background(), hc, v)
			if rep.Connector != "salesforce" {
				t.Errorf("Report.Connector = %q", rep.Connector)
			}
			if tc.class == nil && !tc.fieldErr && err != nil {
				t.Fatalf("Test: %v (hint: %s)", err, connectors.HintOf(err))
			}
			if tc.class != nil {
				sfWantError(t, err, tc.class, tc.code, tc.hint)
			}
			if err != nil {
				sfNoSecrets(t, err, c.Secrets(c.Normalize(v)))
			}
			if tc.check != nil {
				tc.check(t, e, rep, err)
			}
		})
	}
}

// sfNoRequests returns a client that fails the request it is asked to send.
func sfNoRequests(*connectortest.Salesforce) *http.Client {
	return &http.Client{Transport: sfRoundTrip(func(r *http.Request) (*http.Response, error) {
		panic("unexpected request " + r.Method + " " + r.URL.String())
	})}
}

func sfWantLoginURLFieldError(t *testing.T, e *connectortest.Salesforce, rep connectors.Report, err error) {
	t.Helper()
	var fe *connectors.FieldError
	if !errors.As(err, &fe) || fe.Key != "login_url" || !strings.Contains(fe.Reason, "My Domain") {
		t.Fatalf("err = %v, want a login_url *FieldError naming My Domain", err)
	}
	if got := e.Requests(); len(got) != 0 {
		t.Errorf("emulator got requests %q, want none", got)
	}
}

// sfWantError checks err's class, code and hint.
func sfWantError(t *testing.T, err, class error, code, hint string) {
	t.Helper()
	if !errors.Is(err, class) {
		t.Fatalf("err = %v, want class %v", err, class)
	}
	if connectors.Class(err) != class {
		t.Errorf("Class(err) = %v, want %v", connectors.Class(err), class)
	}
	var ce *connectors.Error
	if !errors.As(err, &ce) {
		t.Fatalf("err %T is not a *connectors.Error", err)
	}
	if code != "" && ce.Code != code {
		t.Errorf("Code = %q, want %q (err: %v)", ce.Code, code, err)
	}
	if hint != "" && !strings.Contains(ce.Hint, hint) {
		t.Errorf("Hint = %q, want it to mention %q", ce.Hint, hint)
	}
}

// sfNoSecrets fails if err's text or hint holds a secret value.
func sfNoSecrets(t *testing.T, err error, secrets []string) {
	t.Helper()
	text := err.Error() + " " + connectors.HintOf(err)
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("error %q contains a secret value", text)
		}
	}
}

// sfDetail returns the value of rep's detail with the given label.
func sfDetail(rep connectors.Report, label string) string {
	for _, d := range rep.Details {
		if d.Label == label {
			return d.Value
		}
	}
	return ""
}
