package connectors

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/oauth2"
)

// salesforceTokenOp names the token exchange in errors.
const salesforceTokenOp = "token exchange"

// Extra keys of a Salesforce *oauth2.Token (see oauth2.Token.Extra).
const (
	// SalesforceInstanceURL is the org's REST host, e.g. https://acme.my.salesforce.com.
	SalesforceInstanceURL = "instance_url"
	// SalesforceIdentityURL is the identity URL …/id/<orgId>/<userId>.
	SalesforceIdentityURL = "id"
)

// salesforceTokenAnswer is the token endpoint's success answer. Salesforce
// sends no expires_in, no refresh token (for these flows) and no scope.
// The token and the two URLs are needed; the rest is only kept or shown.
type salesforceTokenAnswer struct {
	AccessToken string `json:"access_token"`
	InstanceURL string `json:"instance_url"`
	ID          string `json:"id"`
	TokenType   text   `json:"token_type"`
	IssuedAt    text   `json:"issued_at"`
}

// salesforceOAuthError is the token endpoint's error answer (HTTP 400).
type salesforceOAuthError struct {
	Error       text `json:"error"`
	Description text `json:"error_description"`
}

// salesforceLeakCheck returns lc extended with an access token. Salesforce
// access tokens start with the org's ID ("00D…!AQ…"), which the identity
// answer shows as data: only the part after the "!" is secret, and any run
// of it, or the token whole, still counts as a leak.
func salesforceLeakCheck(lc *LeakCheck, accessToken string) *LeakCheck {
	if _, secret, ok := strings.Cut(accessToken, "!"); ok && secret != "" {
		return lc.With(secret)
	}
	return lc.With(accessToken)
}

// salesforceToken performs the token exchange of the session's flow. The
// token carries the instance and identity URLs as extras and the
// conservative expiry of salesforceTokenLifetime.
func salesforceToken(ctx context.Context, s *Session) (*oauth2.Token, error) {
	v, lc := s.Values, s.Leak
	flow := salesforceFlow(v)
	form := url.Values{}
	form.Set("grant_type", flow)
	form.Set("client_id", v["consumer_key"])
	form.Set("client_secret", v["consumer_secret"])
	if flow == SalesforceFlowPassword {
		form.Set("username", v["username"])
		// The security token is appended to the password with nothing in
		// between; from a trusted IP range there is none.
		form.Set("password", v["password"]+v["security_token"])
	}
	start := s.clock()
	resp, err := s.send(ctx, call{
		op:     salesforceTokenOp,
		method: http.MethodPost,
		url:    joinURL(v["login_url"], "/services/oauth2/token"),
		header: http.Header{
			"Content-Type": {"application/x-www-form-urlencoded"},
			"Accept":       {"application/json"},
		},
		body: []byte(form.Encode()),
		leak: lc,
	})
	if err != nil {
		return nil, err
	}
	if !resp.ok() {
		return nil, salesforceTokenError(resp, flow, lc)
	}
	var a salesforceTokenAnswer
	if err := decode(salesforceTokenOp, resp, &a, lc); err != nil {
		return nil, err
	}
	if a.AccessToken == "" || a.InstanceURL == "" || a.ID == "" {
		return nil, &Error{Class: ErrVendor, Op: salesforceTokenOp, Status: resp.status,
			Message: "the answer lacks access_token, instance_url or id"}
	}
	for _, u := range []string{a.InstanceURL, a.ID} {
		// The bearer token goes to these URLs: hold them to the same policy
		// as a URL the operator typed (https, or http to loopback only).
		if _, err := CheckURL(u, ""); err != nil {
			msg := fmt.Sprintf("the answer names an unusable URL %q: %v", truncate(u, 80), err)
			if lc.Leaks(u) {
				msg = "the answer names an unusable URL (" + WithheldNotice + ")"
			}
			return nil, &Error{Class: ErrVendor, Op: salesforceTokenOp, Status: resp.status, Message: msg}
		}
	}
	typ := string(a.TokenType)
	if typ == "" {
		typ = "Bearer"
	}
	tok := &oauth2.Token{AccessToken: a.AccessToken, TokenType: typ, Expiry: start.Add(salesforceTokenLifetime)}
	return tok.WithExtra(map[string]any{
		SalesforceInstanceURL: a.InstanceURL,
		SalesforceIdentityURL: a.ID,
		"issued_at":           string(a.IssuedAt),
	}), nil
}

// salesforceTokenError classifies a non-2xx answer of the token endpoint.
// Salesforce answers 400 with {"error","error_description"} for every
// refused login; its description is terse, so the hint names the causes.
func salesforceTokenError(r *response, flow string, lc *LeakCheck) *Error {
	e := statusError(salesforceTokenOp, r, lc)
	var oe salesforceOAuthError
	if err := json.Unmarshal(r.body, &oe); err != nil || oe.Error == "" {
		// Not an OAuth answer: a maintenance page, a proxy. The token
		// endpoint has no permission semantics: a 403 refuses the login.
		if r.status == http.StatusForbidden {
			e.Class = ErrRejected
		}
		if re, ok := salesforceFirstRESTError(r.body); ok {
			// A platform error ([{"errorCode":"UNKNOWN_EXCEPTION",…}]).
			e.refine(re.ErrorCode, re.Message, lc)
		}
		return e
	}
	e.Message = "" // the description, when there is one, not the raw body
	e.refine(string(oe.Error), string(oe.Description), lc)
	if r.status >= 500 {
		e.Class = ErrVendor
		return e
	}
	e.Class = ErrRejected
	desc := strings.ToLower(string(oe.Description))
	switch {
	case oe.Error == "invalid_client_id":
		e.Hint = "the Consumer Key is wrong: copy it again from Setup → App Manager → Demandbase ABM → View → Manage Consumer Details " +
			"(Classic: Setup → Build → Create → Apps → Demandbase ABM)"
	case oe.Error == "invalid_client":
		e.Hint = "the Consumer Secret does not match the Consumer Key: copy both again from Setup → App Manager → Demandbase ABM → View → Manage Consumer Details " +
			"(Classic: Setup → Build → Create → Apps → Demandbase ABM)"
	case strings.Contains(desc, "not supported on this domain"):
		e.Hint = "the client_credentials flow works only with the org's My Domain login URL (https://NAME.my.salesforce.com; Setup → My Domain): put it in Login URL"
	case strings.Contains(desc, "approved this consumer"):
		e.Hint = "the connected app admits only pre-authorized users: assign the integration user's profile or permission set to Demandbase ABM " +
			"(Setup → App Manager → Demandbase ABM → Manage → Profiles / Permission Sets), or set Permitted Users to \"All users may self-authorize\""
	case strings.Contains(desc, "no client credentials user"):
		e.Hint = "the connected app has no Run As user: Setup → App Manager → Demandbase ABM → Manage → Edit Policies → Client Credentials Flow → Run As"
	case strings.Contains(desc, "ip restricted") || strings.Contains(desc, "login hours"):
		e.Hint = "the user's profile restricts login IP ranges or login hours: allow this machine's address (Setup → Profiles → Login IP Ranges) or log in during the allowed hours"
	case oe.Error == "unsupported_grant_type" && flow == SalesforceFlowClientCredentials:
		e.Hint = "enable the client credentials flow in the connected app (Setup → App Manager → Demandbase ABM → Edit → Enable Client Credentials Flow) and set its Run As user"
	case oe.Error == "unsupported_grant_type":
		e.Hint = "the org or the connected app does not allow the username-password flow: Setup → OAuth and OpenID Connect Settings → \"Allow OAuth Username-Password Flows\", " +
			"or switch Connect Using to client_credentials with a My Domain login URL"
	case oe.Error == "invalid_grant" && flow == SalesforceFlowClientCredentials:
		e.Hint = "check the connected app: Enable Client Credentials Flow with an active Run As user (Setup → App Manager → Demandbase ABM → Manage → Edit Policies), " +
			"and the Run As user's Login History (Setup → Users → the user → Login History)"
	case oe.Error == "invalid_grant":
		e.Hint = salesforceInvalidGrantHint
	case oe.Error == "inactive_user":
		e.Hint = "the integration user is deactivated: reactivate it in Setup → Users, or use another API user"
	case oe.Error == "inactive_org":
		e.Hint = "the org is locked, suspended or expired: ask its Salesforce admin"
	case oe.Error == "invalid_request":
		// A malformed request is credwiz's fault, not the credential's.
		e.Class = ErrVendor
	}
	return e
}

// salesforceInvalidGrantHint lists the usual causes of a refused
// username-password login, which Salesforce reports all alike as
// "authentication failure".
const salesforceInvalidGrantHint = "Salesforce does not say which of the usual causes it is: wrong password or security token " +
	"(a password change or token reset emails a new token and the old one stops working), password expired (every 90 days by default), " +
	"user locked out after failed logins, or the org blocks the username-password flow " +
	"(Setup → OAuth and OpenID Connect Settings → \"Allow OAuth Username-Password Flows\"). " +
	"Check the user's Login History in Setup (Setup → Users → the user → Login History) for the real reason"
