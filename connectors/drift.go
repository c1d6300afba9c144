package connectors

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// driftInfoOp is the call the test makes.
const driftInfoOp = "POST /app/token_info"

// The Drift connector: a static, non-expiring app token sent as a Bearer
// token; the test asks POST /app/token_info about the token and reports the
// org it belongs to and its scopes.
func init() {
	Register(&Connector{
		ID:           "drift",
		Name:         "Drift",
		Order:        50,
		Summary:      "Drift conversations, contacts and users API with an app access token",
		Auth:         "static bearer token (non-expiring app install token)",
		DocsURL:      "https://devdocs.drift.com/docs/authentication-and-scopes",
		StaticToken:  true,
		TokenExample: `curl -H "Authorization: Bearer $(credwiz token prod-drift)" https://driftapi.com/users/list`,
		ReauthGuide:  "At dev.drift.com, open your app → OAuth & Permissions, check the scopes, and click Install (under Activate Your App) to install it again; copy the new Access Token.",
		Fields: []Field{
			{
				Key:      "api_key",
				Title:    "API Key Value",
				Help:     "Your Drift app's access token: dev.drift.com → your app → OAuth & Permissions → choose the scopes → Install (under Activate Your App), then copy the Access Token. It does not expire; a pasted leading \"Bearer \" is removed.",
				Secret:   true,
				Mask:     MaskTail,
				Required: true,
				Bearer:   true,
			},
			BaseURLField("Base URL",
				"The Drift API base URL. Change it only if your organization uses a custom or regional Drift API endpoint.",
				"https://driftapi.com", "driftapi.com", false),
		},
		Probe: driftProbe,
		Mint: func(_ context.Context, s *Session) (*oauth2.Token, error) {
			return &oauth2.Token{AccessToken: s.Values["api_key"], TokenType: "bearer"}, nil
		},
	})
}

// driftTokenInfo is the answer of POST /app/token_info. Times are in
// milliseconds; an expires_in of 0 means the token lasts until revoked.
// Only authenticated_userid is needed (it names the org); the rest is
// shown, so any JSON type, null or absence is accepted there.
type driftTokenInfo struct {
	AuthenticatedUserID string `json:"authenticated_userid"`
	CredentialID        text   `json:"credential_id"`
	TokenType           text   `json:"token_type"`
	ExpiresIn           count  `json:"expires_in"`
	CreatedAt           count  `json:"created_at"`
	Scope               words  `json:"scope"`
}

func driftProbe(ctx context.Context, s *Session, rep *Report) error {
	v, lc := s.Values, s.Leak
	key := v["api_key"]
	body := struct {
		AccessToken string `json:"access_token"`
	}{key}
	cl := jsonCall(driftInfoOp, http.MethodPost, joinURL(v["base_url"], "/app/token_info"), body, lc)
	cl.header.Set("Authorization", "Bearer "+key)
	r, err := s.send(ctx, cl)
	if err != nil {
		return err
	}
	if !r.ok() {
		return driftError(driftInfoOp, r, lc)
	}
	var info driftTokenInfo
	if err := decode(driftInfoOp, r, &info, lc); err != nil {
		return err
	}
	if info.AuthenticatedUserID == "" {
		return noField(driftInfoOp, r, "authenticated_userid")
	}
	org := lc.Withhold(strings.TrimPrefix(info.AuthenticatedUserID, "orgId:"))
	rep.Account = "Drift org " + org
	rep.Details = append(rep.Details, Detail{Label: "Org ID", Value: org})
	if info.CredentialID != "" {
		rep.Details = append(rep.Details, Detail{Label: "App (credential) ID", Value: lc.Withhold(string(info.CredentialID))})
	}
	created, createdOK := info.CreatedAt.unixMilli()
	if createdOK {
		rep.Details = append(rep.Details, Detail{Label: "Token created", Value: created.Format(time.RFC3339)})
	}
	rep.TokenType = lc.Withhold(strings.ToLower(string(info.TokenType)))
	if rep.TokenType == "" {
		rep.TokenType = "bearer"
	}
	driftExpiry(rep, s.clock(), info.ExpiresIn, created, createdOK)
	if lc.Leaks(strings.Join(info.Scope, " ")) {
		rep.Access = append(rep.Access, Check{Name: WithheldNotice, OK: true, Note: "scope"})
	} else {
		for _, s := range info.Scope {
			rep.Access = append(rep.Access, Check{Name: s, OK: true, Note: "scope"})
		}
	}
	if len(rep.Access) == 0 {
		rep.Warnings = append(rep.Warnings, "the token has no scopes: choose them at dev.drift.com → your app → OAuth & Permissions, then install the app again")
	}
	driftRateLimit(rep, r.header, lc)
	return nil
}

// driftExpiry records the token's lifetime: expires_in 0 is an app install
// token, which never expires; a positive one (counted from created_at when
// known, else from now) is a token that expires, with a warning; anything
// else (absent, null, negative, beyond a century) leaves the expiry unknown.
func driftExpiry(rep *Report, now time.Time, expiresIn count, created time.Time, createdOK bool) {
	if n, ok := expiresIn.get(); ok && n == 0 {
		rep.TokenNeverExpires = true
		return
	}
	d, ok := expiresIn.duration(time.Millisecond)
	if !ok {
		return
	}
	start := now
	if createdOK {
		start = created
	}
	if exp := start.Add(d); writable(exp) {
		rep.TokenExpires = exp
	}
	rep.Warnings = append(rep.Warnings, "this token expires (it is not an app install token); install the app from dev.drift.com → your app → OAuth & Permissions to get a non-expiring one")
}

// driftRateLimit reports the rate-limit headers Drift sends. Their names are
// UNCONFIRMED, so every X-RateLimit-* header present is shown (unless it
// quotes a secret); when a limit and a remaining count can be read, a low
// remainder is a warning (the limit, 600 requests a minute by default, is
// shared by every integration of the org).
func driftRateLimit(rep *Report, h http.Header, lc *LeakCheck) {
	var names []string
	for k := range h {
		if strings.HasPrefix(strings.ToLower(k), "x-ratelimit-") {
			names = append(names, k)
		}
	}
	if len(names) == 0 {
		return
	}
	slices.Sort(names)
	var parts []string
	for _, k := range names {
		name, v := strings.TrimPrefix(strings.ToLower(k), "x-ratelimit-"), truncate(h.Get(k), 40)
		if name == "reset" {
			v = driftResetText(v)
		}
		parts = append(parts, name+" "+v)
	}
	rep.Details = append(rep.Details, Detail{Label: "Rate limit", Value: lc.Withhold(strings.Join(parts, ", "))})
	limit, ok1 := parseCount(h.Get("X-RateLimit-Limit")).get()
	remaining, ok2 := parseCount(h.Get("X-RateLimit-Remaining")).get()
	if !ok1 || !ok2 || limit == 0 {
		return
	}
	if remaining*10 < limit {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("only %d of %d requests are left in Drift's current rate-limit window; other integrations may be using the same limit", remaining, limit))
	}
}

// driftResetText gives a rate-limit reset its unit: a small number is
// seconds from now ("in 60 s"), a large one a Unix time ("at 12:01:00
// UTC"); anything else is shown as sent.
func driftResetText(v string) string {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	switch {
	case err != nil || n < 0:
		return v
	case n < 1e9:
		return "in " + strconv.FormatInt(n, 10) + " s"
	}
	return "at " + time.Unix(n, 0).UTC().Format("15:04:05 UTC")
}

// driftError classifies a non-2xx answer from its {"error":{"type",
// "message"}} body. Drift documents authentication_error as 403; 401 and 403
// are treated alike, as rejected credentials.
func driftError(op string, r *response, lc *LeakCheck) *Error {
	var b struct {
		Error struct {
			Type    text `json:"type"`
			Message text `json:"message"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.body, &b) // a body of another shape keeps statusError's snippet
	e := statusError(op, r, lc).refine(string(b.Error.Type), string(b.Error.Message), lc)
	if r.status == http.StatusUnauthorized || r.status == http.StatusForbidden {
		e.Class = ErrRejected
		e.Hint = "the token is mistyped or incomplete, was revoked, or the app was uninstalled: copy the Access Token again (dev.drift.com → your app → OAuth & Permissions; Install the app again if it is gone)"
	}
	return e
}
