package ui

import (
	"context"
	"errors"
	"time"

	"golang.org/x/oauth2"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/store"
)

// readCachedToken returns the cached access token of cred, a credential of
// c, with the extras c keeps, or nil when there is none, it was minted for
// another revision of the credential, or it cannot be parsed (the cache is
// only an optimisation). A secret store that does not answer is an error:
// reading the secrets next would only wait for the same timeout again.
func readCachedToken(st *store.Store, c *connectors.Connector, cred store.Credential) (*oauth2.Token, error) {
	m, err := st.CachedToken(cred)
	if errors.Is(err, store.ErrUnavailable) {
		return nil, err
	}
	if err != nil || m["access_token"] == "" {
		return nil, nil
	}
	t := &oauth2.Token{AccessToken: m["access_token"], TokenType: m["token_type"]}
	if e := m["expiry"]; e != "" {
		exp, err := time.Parse(time.RFC3339Nano, e)
		if err != nil {
			return nil, nil
		}
		t.Expiry = exp
	}
	extra := map[string]any{}
	for _, k := range c.TokenExtras {
		if v := m[k]; v != "" {
			extra[k] = v
		}
	}
	return t.WithExtra(extra), nil
}

// tokenFields returns the fields of t, a token of c, to cache, or nil for
// a token without an expiry (a static key: the secret store already holds
// it).
func tokenFields(c *connectors.Connector, t *oauth2.Token) map[string]string {
	if t == nil || t.Expiry.IsZero() {
		return nil
	}
	m := map[string]string{
		"access_token": t.AccessToken,
		"token_type":   t.TokenType,
		"expiry":       t.Expiry.UTC().Format(time.RFC3339Nano),
	}
	for _, k := range c.TokenExtras {
		if v, ok := t.Extra(k).(string); ok && v != "" {
			m[k] = v
		}
	}
	return m
}

// cacheTokens saves toks[i] as creds[i]'s (a credential of cs[i]) cached access token, in one
// write of the index, each only if its credential still has the revision
// the token was minted for. A token too large for the keychain is not
// cached (each command then mints one).
func cacheTokens(ctx context.Context, st *store.Store, cs []*connectors.Connector, creds []store.Credential, toks []*oauth2.Token) error {
	var recs []store.Record
	for i, t := range toks {
		if m := tokenFields(cs[i], t); m != nil {
			recs = append(recs, store.Record{Name: creds[i].Name, Revision: creds[i].Revision, Token: m})
		}
	}
	if len(recs) == 0 {
		return nil
	}
	errs, err := st.Record(ctx, recs)
	if err != nil {
		return err
	}
	for _, err := range errs {
		if err != nil && !errors.Is(err, store.ErrTooBig) && !errors.Is(err, store.ErrConflict) {
			return err
		}
	}
	return nil
}
