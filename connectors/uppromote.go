package connectors

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"golang.org/x/oauth2"
)

// uppromoteURL is the API's base URL, base_url's default.
const uppromoteURL = "https://aff-api.uppromote.com"

// The UpPromote connector: a static API key, sent as "Authorization: Bearer
// <key>" to API v1 (as the UpPromote guide describes) or as the raw key,
// without "Bearer ", to API v2; the test lists one page of affiliates.
func init() {
	Register(&Connector{
		ID:          "uppromote",
		Name:        "UpPromote",
		Order:       30,
		Summary:     "UpPromote affiliate marketing API with a static API token",
		Auth:        "static API key (Bearer token for v1, raw key for v2)",
		DocsURL:     "https://aff-api.uppromote.com/docs/v2/api-overview-1615961m0",
		StaticToken: true,
		ReauthGuide: "In UpPromote, click Integrations, go to the APIs tab, revoke the old token if it was compromised, and generate a new one. Copy it at once: it may not be shown again.",
		Fields: []Field{
			{
				Key:      "token",
				Title:    "Uppromote Bearer Token",
				Help:     "In UpPromote, click Integrations, go to the APIs tab and copy the API token (Generate Token if there is none). It is sent in the Authorization header of every request; a pasted leading \"Bearer \" is removed.",
				Secret:   true,
				Mask:     MaskTail,
				Required: true,
				Bearer:   true,
			},
			{
				Key:      "api_version",
				Title:    "API Version",
				Help:     "v1 sends the token as \"Bearer <token>\", as the UpPromote guide describes; v2, UpPromote's current API, sends the raw key. Choose the version your key was issued for.",
				Default:  "v1",
				Required: true,
				Advanced: true,
				Options:  []string{"v1", "v2"},
			},
			BaseURLField("API Base URL",
				"The UpPromote API base URL. Keep the default unless UpPromote told you otherwise.",
				uppromoteURL, "uppromote.com", true),
		},
		Probe: uppromoteProbe,
		Mint: func(_ context.Context, s *Session) (*oauth2.Token, error) {
			return &oauth2.Token{AccessToken: s.Values["token"], TokenType: uppromoteTokenType(s.Values)}, nil
		},
	})
}

func uppromoteTokenType(v Values) string {
	if v["api_version"] == "v2" {
		return "api key"
	}
	return "bearer"
}

func uppromoteProbe(ctx context.Context, s *Session, rep *Report) error {
	v, lc := s.Values, s.Leak
	version := v["api_version"]
	h := http.Header{}
	h.Set("Accept", "application/json")
	path := "/api/v1/affiliates?page=1"
	if version == "v2" {
		path = "/api/v2/affiliates?page=1&per_page=1"
		h.Set("Authorization", v["token"])
	} else {
		h.Set("Authorization", "Bearer "+v["token"])
	}
	op := "GET " + path
	r, err := s.send(ctx, call{op: op, method: http.MethodGet, url: joinURL(v["base_url"], path), header: h, leak: lc})
	if err != nil {
		return err
	}
	if !r.ok() {
		m := vendorStrings(r.body)
		e := statusError(op, r, lc).refine("", first(m, "message", "error"), lc)
		if r.status == http.StatusUnauthorized {
			other := map[string]string{"v1": "v2", "v2": "v1"}[version]
			e.Hint = "copy the API token again from UpPromote → Integrations → APIs tab; if it was issued for API " + other + ", set api_version to " + other + " (v1 sends \"Bearer <token>\", v2 the raw key)"
		}
		return e
	}
	var page struct {
		Data []json.RawMessage `json:"data"`
		Meta optional[struct {
			Total count `json:"total"`
		}] `json:"meta"`
	}
	if err := decode(op, r, &page, lc); err != nil {
		return err
	}
	if page.Data == nil {
		return noField(op, r, "data")
	}
	rep.Account = "UpPromote store (API " + version + ")"
	rep.TokenType = uppromoteTokenType(v)
	rep.TokenNeverExpires = true
	rep.Details = append(rep.Details, Detail{Label: "API version", Value: version})
	chk := Check{Name: "Affiliates", OK: true, Required: true, Note: "reachable"}
	meta, _ := page.Meta.get()
	if total, ok := meta.Total.get(); ok {
		n := strconv.FormatInt(total, 10)
		chk.Note = "reachable (" + n + " affiliates)"
		rep.Details = append(rep.Details, Detail{Label: "Affiliates", Value: n})
	}
	rep.Access = append(rep.Access, chk)
	if v["base_url"] != uppromoteURL {
		rep.Details = append(rep.Details, Detail{Label: "API Base URL", Value: v["base_url"]})
	}
	return nil
}
