package connectors

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"golang.org/x/oauth2"
)

const (
	clazarURL     = "https://api.clazar.io"
	clazarTokenOp = "token exchange (POST /authenticate/)"
	clazarListOp  = "GET /listings"
)

// The Clazar connector: OAuth2 client credentials exchanged at POST
// /authenticate/ (JSON, as Clazar documents it) for a bearer token whose
// lifetime is always read from the answer, then one cheap read of the
// listings.
func init() {
	Register(&Connector{
		ID:      "clazar",
		Name:    "Clazar",
		Order:   40,
		Summary: "Clazar cloud-marketplace API (listings, offers, contracts) with an API key",
		Auth:    "OAuth2 client credentials (two-legged, server-to-server)",
		DocsURL: "https://developers.clazar.io",
		// Clazar gives no renewal guidance; five minutes leaves room for a
		// slow call without renewing hours early (tokens last about 6 h).
		EarlyExpiry: 5 * time.Minute,
		ReauthGuide: "Sign in at app.clazar.io, go to Settings → API Keys and create a new API key. Copy its Client ID and Client Secret at once: the secret is shown only once. Delete the old key once credwiz works with the new one.",
		Fields: []Field{
			{
				Key:      "client_id",
				Title:    "Client ID",
				Help:     "The public identifier of your Clazar API key: sign in at app.clazar.io → Settings → API Keys, and create a key (administrators only) if you have none.",
				Required: true,
			},
			{
				Key:      "client_secret",
				Title:    "Client Secret",
				Help:     "Shown with the Client ID when you create the key at app.clazar.io → Settings → API Keys; the secret is shown only once. If it is lost, generate a new API key.",
				Secret:   true,
				Mask:     MaskAll,
				Required: true,
			},
			BaseURLField("API Base URL",
				"The Clazar API base URL. Keep the default unless Clazar told you otherwise.",
				clazarURL, "clazar.io", true),
		},
		Probe: clazarProbe,
		Mint: func(ctx context.Context, s *Session) (*oauth2.Token, error) {
			tok, _, err := clazarToken(ctx, s)
			return tok, err
		},
	})
}

// clazarToken performs the token exchange. The path keeps its trailing
// slash: without it the API answers 404 rather than redirecting a POST.
// When the answer says nothing of the lifetime (neither expires_in nor a JWT
// exp), known is false and the token is given an expiry of now: usable for
// this call, but never reused from a cache, since credwiz will not guess.
func clazarToken(ctx context.Context, s *Session) (tok *oauth2.Token, known bool, err error) {
	v, lc := s.Values, s.Leak
	body := struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}{v["client_id"], v["client_secret"]}
	url := joinURL(v["base_url"], "/authenticate/")
	r, err := s.send(ctx, jsonCall(clazarTokenOp, http.MethodPost, url, body, lc))
	if err != nil {
		return nil, false, err
	}
	if !r.ok() {
		// UNCONFIRMED: Clazar does not document the status of bad client
		// credentials.
		return nil, false, rejectedOn4xx(clazarError(clazarTokenOp, r, lc), r.status,
			"check the Client ID and Client Secret (app.clazar.io → Settings → API Keys); the secret is shown only once, so generate a new API key if it is lost")
	}
	var tr struct {
		AccessToken string `json:"access_token"`
		TokenType   text   `json:"token_type"`
		ExpiresIn   count  `json:"expires_in"`
	}
	if err := decode(clazarTokenOp, r, &tr, lc); err != nil {
		return nil, false, err
	}
	if tr.AccessToken == "" {
		return nil, false, noField(clazarTokenOp, r, "access_token")
	}
	now := s.clock()
	exp := tokenExpiry(now, tr.ExpiresIn, tr.AccessToken)
	known = !exp.IsZero()
	if !known {
		exp = now
	}
	if tr.TokenType == "" {
		tr.TokenType = "bearer"
	}
	return &oauth2.Token{AccessToken: tr.AccessToken, TokenType: string(tr.TokenType), Expiry: exp}, known, nil
}

func clazarProbe(ctx context.Context, s *Session, rep *Report) error {
	tok, known, err := clazarToken(ctx, s)
	if err != nil {
		return err
	}
	v, lc := s.Values, s.Leak.With(tok.AccessToken)
	rep.Account = "Clazar API client " + v["client_id"]
	tokenInto(rep, tok, lc)
	if !known {
		rep.TokenExpires = time.Time{}
		rep.Warnings = append(rep.Warnings, "Clazar did not say when the access token expires; credwiz will not reuse it and mints a new one for each use")
	}
	if v["base_url"] != clazarURL {
		rep.Details = append(rep.Details, Detail{Label: "API Base URL", Value: v["base_url"]})
	}
	url := joinURL(v["base_url"], "/listings?response_format=common&page=1&page_size=1")
	r, err := s.send(ctx, bearerCall(clazarListOp, url, tok.AccessToken, lc))
	if err != nil {
		return err
	}
	if !r.ok() {
		e := clazarError(clazarListOp, r, lc)
		switch r.status {
		case http.StatusUnauthorized:
			e.Hint = "Clazar refused the token it had just issued: the API key may have been revoked meanwhile; check app.clazar.io → Settings → API Keys"
		case http.StatusForbidden:
			rep.Access = append(rep.Access, Check{Name: "Listings", Required: true, Note: "not permitted to this API key"})
			e.Hint = "the API key is valid but may not read listings; check its permissions at app.clazar.io → Settings → API Keys"
		}
		return e
	}
	var page struct {
		Count   count             `json:"count"`
		Results []json.RawMessage `json:"results"`
	}
	if err := decode(clazarListOp, r, &page, lc); err != nil {
		return err
	}
	if page.Results == nil {
		return noField(clazarListOp, r, "results")
	}
	chk := Check{Name: "Listings", OK: true, Required: true, Note: "reachable"}
	if total, ok := page.Count.get(); ok {
		n := strconv.FormatInt(total, 10)
		chk.Note = "reachable (" + n + " listings)"
		rep.Details = append(rep.Details, Detail{Label: "Listings", Value: n})
	}
	rep.Access = append(rep.Access, chk)
	return nil
}

// clazarError classifies a non-2xx answer. Clazar's error bodies are
// UNCONFIRMED: the message is taken from whichever of the usual fields is
// present (Django REST "detail", OAuth "error"/"error_description",
// "message").
func clazarError(op string, r *response, lc *LeakCheck) *Error {
	m := vendorStrings(r.body)
	code := m["error"]
	msg := first(m, "error_description", "detail", "message")
	if msg == "" {
		msg, code = code, ""
	}
	return statusError(op, r, lc).refine(code, msg, lc)
}
