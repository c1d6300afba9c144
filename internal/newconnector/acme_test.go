package newconnector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/credwiz/credwiz/connectors"
)

// Acme is a made-up vendor, declared as a connector outside the
// connectors package would be: a static API key sent as a Bearer token to
// GET /v1/me, which names the workspace. Registering it is all a new
// connector needs: the commands, forms, completion and help find it from
// here on.
func init() {
	connectors.Register(&connectors.Connector{
		ID:          "acme",
		Name:        "Acme",
		Order:       60,
		Summary:     "Acme workspace API with a static API key",
		Auth:        "static bearer token",
		DocsURL:     "https://docs.acme.example/api/keys",
		StaticToken: true,
		ReauthGuide: "In Acme, open Settings → API keys, create a new key and copy it.",
		Fields: []connectors.Field{
			{Key: "api_key", Title: "API Key", Help: "Acme → Settings → API keys → Create key.",
				Secret: true, Mask: connectors.MaskTail, Required: true, Bearer: true},
			{Key: "base_url", Title: "Base URL", Help: "The Acme API base URL.", Default: "https://api.acme.example",
				Required: true, Domain: "acme.example", Validate: connectors.ValidateURL("acme.example")},
			{Key: "region", Title: "Region", Help: "The region of the workspace.", Default: "eu",
				Required: true, Advanced: true, Options: []string{"eu", "us"}},
		},
		Probe: acmeProbe,
		Mint: func(_ context.Context, s *connectors.Session) (*oauth2.Token, error) {
			return &oauth2.Token{AccessToken: s.Values["api_key"], TokenType: "bearer"}, nil
		},
	})
}

const acmeOp = "GET /v1/me"

// acmeProbe reads the workspace the key belongs to, retrying a 429 as
// credwiz's own connectors do.
func acmeProbe(ctx context.Context, s *connectors.Session, rep *connectors.Report) error {
	for attempt := 0; ; attempt++ {
		status, body, wait, err := acmeGet(ctx, s)
		switch {
		case err != nil:
			return err
		case status == http.StatusTooManyRequests && attempt < connectors.MaxRetries:
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(wait):
			}
			continue
		case status == http.StatusTooManyRequests:
			return &connectors.Error{Class: connectors.ErrRateLimited, Op: acmeOp, Status: status, Hint: "try again later"}
		case status == http.StatusUnauthorized || status == http.StatusForbidden:
			return &connectors.Error{Class: connectors.ErrRejected, Op: acmeOp, Status: status, Hint: "create a new key"}
		case status != http.StatusOK:
			return &connectors.Error{Class: connectors.ErrVendor, Op: acmeOp, Status: status}
		}
		var me struct {
			Workspace string `json:"workspace"`
		}
		if json.Unmarshal(body, &me) != nil || me.Workspace == "" {
			return &connectors.Error{Class: connectors.ErrVendor, Op: acmeOp, Status: status, Message: "the answer names no workspace"}
		}
		rep.Account = "Acme workspace " + s.Leak.Withhold(connectors.Printable(me.Workspace))
		rep.TokenType, rep.TokenNeverExpires = "bearer", true
		rep.Details = append(rep.Details, connectors.Detail{Label: "Region", Value: s.Values["region"]})
		return nil
	}
}

// acmeGet sends one GET /v1/me and returns the status, the body and the
// Retry-After wait.
func acmeGet(ctx context.Context, s *connectors.Session) (int, []byte, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(s.Values["base_url"], "/")+"/v1/me", nil)
	if err != nil {
		return 0, nil, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+s.Values["api_key"])
	resp, err := s.HTTP.Do(req)
	if err != nil {
		if errors.Is(ctx.Err(), context.Canceled) {
			return 0, nil, 0, ctx.Err()
		}
		return 0, nil, 0, &connectors.Error{Class: connectors.ErrUnreachable, Op: acmeOp, Message: fmt.Sprintf("no answer from %s", req.URL.Host)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, connectors.MaxBody))
	if err != nil {
		return 0, nil, 0, &connectors.Error{Class: connectors.ErrUnreachable, Op: acmeOp, Message: "the answer broke off"}
	}
	secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
	return resp.StatusCode, body, time.Duration(secs) * time.Second, nil
}
