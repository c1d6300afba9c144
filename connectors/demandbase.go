package connectors

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/oauth2"
)

const (
	demandbaseURL = "https://uapi.demandbase.com"
	// demandbaseLifetime is the documented access-token lifetime (28800 s),
	// used only when an answer states neither expiresIn nor a JWT exp.
	demandbaseLifetime = 8 * time.Hour
	demandbaseTokenOp  = "token exchange (POST /auth/v1/token)"
)

// The Demandbase One connector: an API key set's Client ID and Client
// Secret are exchanged (JSON, camelCase) for an 8-hour bearer token, which
// Demandbase asks to reuse and renew only within 15 minutes of its expiry;
// the test then reads one cheap resource of each API a key set may hold
// (B2B, Admin, Usage).
func init() {
	Register(&Connector{
		ID:          "demandbase",
		Name:        "Demandbase",
		Order:       10,
		Summary:     "Demandbase One APIs (B2B, Admin, Usage) through an API key set",
		Auth:        "OAuth2 client credentials (JSON token request, 8 h bearer token)",
		DocsURL:     "https://support.demandbase.com/hc/en-us/articles/38999526296603-Generate-and-Manage-API-Key-Sets",
		EarlyExpiry: 15 * time.Minute,
		ReauthGuide: "In Demandbase One, go to Settings → APIs → API Key Sets, open the key set and click Create Token. Copy the new Client ID and Client Secret at once: the secret is shown only once. A key set holds at most 5 active tokens; delete the old one once credwiz works with the new one.",
		Fields: []Field{
			BaseURLField("API Base URL",
				"The Demandbase API base URL. Keep the default for the standard production environment; enter another only if Demandbase gave you a custom or regional base URL (see your account settings or the Demandbase Developer Portal).",
				demandbaseURL, "demandbase.com", false),
			{
				Key:      "client_id",
				Title:    "Client ID",
				Help:     "From your API Key Set: Demandbase One → Settings → APIs → API Key Sets → Create Token (administrator access required). Enable at least the B2B API for the key set.",
				Required: true,
			},
			{
				Key:      "client_secret",
				Title:    "Client Secret",
				Help:     "Shown next to the Client ID when you create the token under Settings → APIs → API Key Sets; the secret is shown only once. If it is lost, create a new token in the key set.",
				Secret:   true,
				Mask:     MaskAll,
				Required: true,
			},
		},
		Probe: demandbaseProbe,
		Mint:  demandbaseToken,
	})
}

// demandbaseTokenAnswer is the answer of POST /auth/v1/token (camelCase,
// as Demandbase documents it); the type and the lifetime are optional.
type demandbaseTokenAnswer struct {
	AccessToken string `json:"accessToken"`
	TokenType   text   `json:"tokenType"`
	ExpiresIn   count  `json:"expiresIn"`
}

// demandbaseToken performs the token exchange. It cannot use
// clientcredentials.Config: the request is JSON and the answer camelCase.
func demandbaseToken(ctx context.Context, s *Session) (*oauth2.Token, error) {
	v, lc := s.Values, s.Leak
	body := struct {
		GrantType    string `json:"grantType"`
		ClientID     string `json:"clientId"`
		ClientSecret string `json:"clientSecret"`
	}{"client_credentials", v["client_id"], v["client_secret"]}
	url := joinURL(v["base_url"], "/auth/v1/token")
	r, err := s.send(ctx, jsonCall(demandbaseTokenOp, http.MethodPost, url, body, lc))
	if err != nil {
		return nil, err
	}
	if !r.ok() {
		// UNCONFIRMED: Demandbase documents only 400 for a bad token request,
		// not which status wrong client credentials get.
		return nil, rejectedOn4xx(demandbaseError(demandbaseTokenOp, r, lc), r.status,
			"check the Client ID and Client Secret (Demandbase One → Settings → APIs → API Key Sets); the secret is shown only once, so create a new token in the key set if it is lost, and check that the token and key set are still active")
	}
	var tr demandbaseTokenAnswer
	if err := decode(demandbaseTokenOp, r, &tr, lc); err != nil {
		return nil, err
	}
	if tr.AccessToken == "" {
		return nil, noField(demandbaseTokenOp, r, "accessToken")
	}
	now := s.clock()
	exp := tokenExpiry(now, tr.ExpiresIn, tr.AccessToken)
	if exp.IsZero() {
		exp = now.Add(demandbaseLifetime)
	}
	if tr.TokenType == "" {
		tr.TokenType = "bearer"
	}
	return &oauth2.Token{AccessToken: tr.AccessToken, TokenType: string(tr.TokenType), Expiry: exp}, nil
}

// demandbaseCheck is one cheap read telling whether the key set holds an API.
type demandbaseCheck struct {
	name, path, why string
	// required: Demandbase asks operators to enable the B2B API "at minimum",
	// so a key set without it is unusable for this connector and fails the
	// test (ErrForbidden, with the Report still listing all three checks).
	// Admin and Usage are optional extras: their absence is a warning.
	required bool
}

var demandbaseChecks = []demandbaseCheck{
	{name: "B2B API", path: "/data/b2b/v1/reference/JobLevel", required: true},
	{name: "Admin API", path: "/admin/v1/users?pageSize=1", why: "needed only for the user administration endpoints"},
	{name: "Usage API", path: "/reporting/v1/usage?apiProduct=b2bApi", why: "needed only for API usage reports"},
}

func demandbaseProbe(ctx context.Context, s *Session, rep *Report) error {
	tok, err := demandbaseToken(ctx, s)
	if err != nil {
		return err
	}
	v, lc := s.Values, s.Leak.With(tok.AccessToken)
	rep.Account = "Demandbase key set " + v["client_id"]
	tokenInto(rep, tok, lc)
	if v["base_url"] != demandbaseURL {
		rep.Details = append(rep.Details, Detail{Label: "API Base URL", Value: v["base_url"]})
	}
	var missing *Error
	for _, dc := range demandbaseChecks {
		op := "GET " + dc.path
		chk := Check{Name: dc.name, Required: dc.required}
		r, err := s.send(ctx, bearerCall(op, joinURL(v["base_url"], dc.path), tok.AccessToken, lc))
		switch {
		case err != nil:
			var e *Error
			if !dc.required && errors.As(err, &e) && e.Class == ErrRateLimited {
				chk.Note = "not checked: rate limited"
				rep.Warnings = append(rep.Warnings, dc.name+" not checked: Demandbase answered 429 (rate limited)")
				break
			}
			return err
		case r.ok():
			var body map[string]any
			if err := decode(op, r, &body, lc); err != nil {
				if dc.required {
					return err
				}
				chk.Note = "unexpected answer"
				rep.Warnings = append(rep.Warnings, err.Error())
				break
			}
			chk.OK = true
		case r.status == http.StatusUnauthorized:
			e := demandbaseError(op, r, lc)
			e.Hint = "Demandbase refused the token it had just issued: the token or key set may have been deactivated meanwhile; check Settings → APIs → API Key Sets and try again"
			return e
		case r.status == http.StatusForbidden:
			chk.Note = "API not granted to this key set"
			if dc.required {
				missing = demandbaseError(op, r, lc)
				missing.Hint = "enable the " + dc.name + " for this key set: Demandbase One → Settings → APIs → API Key Sets → API Permissions"
			} else {
				rep.Warnings = append(rep.Warnings, "the key set does not hold the "+dc.name+" ("+dc.why+"); enable it under Settings → APIs → API Key Sets → API Permissions if you need it")
			}
		default:
			e := demandbaseError(op, r, lc)
			if dc.required {
				return e
			}
			chk.Note = fmt.Sprintf("unexpected answer (HTTP %d)", r.status)
			rep.Warnings = append(rep.Warnings, e.Error())
		}
		rep.Access = append(rep.Access, chk)
	}
	if missing != nil {
		return missing
	}
	return nil
}

// demandbaseError classifies a non-2xx answer and takes the message from
// whichever of Demandbase's error shapes the body has:
// {"errorCode","errorMessage","diagnosticCode"}, the Admin API's
// {"code","details","requestId"}, or the 401 {"status": "..."}.
func demandbaseError(op string, r *response, lc *LeakCheck) *Error {
	m := vendorStrings(r.body)
	return statusError(op, r, lc).refine(m["errorCode"], first(m, "errorMessage", "details", "status", "message"), lc)
}
