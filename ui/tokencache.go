package ui

import (
	"errors"
	"time"

	"golang.org/x/oauth2"

	"github.com/credwiz/credwiz/store"
)

// tokenExtras are the token response fields kept in the cache with the
// token (Salesforce's instance URL and identity URL).
var tokenExtras = []string{"instance_url", "id"}

// readCachedToken returns the cached access token of name, or nil when
// there is none or it cannot be parsed (the cache is only an
// optimisation). A secret store that does not answer is an error: reading
// the secrets next would only wait for the same timeout again.
func readCachedToken(st *store.Store, name string) (*oauth2.Token, error) {
	m, err := st.Tokens.Get(name)
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
	for _, k := range tokenExtras {
		if v := m[k]; v != "" {
			extra[k] = v
		}
	}
	return t.WithExtra(extra), nil
}

// cacheToken saves t as name's cached access token. Tokens without an
// expiry (static keys) are not cached: the secret store already holds them.
func cacheToken(st *store.Store, name string, t *oauth2.Token) error {
	if t == nil || t.Expiry.IsZero() {
		return nil
	}
	m := map[string]string{
		"access_token": t.AccessToken,
		"token_type":   t.TokenType,
		"expiry":       t.Expiry.UTC().Format(time.RFC3339Nano),
	}
	for _, k := range tokenExtras {
		if v, ok := t.Extra(k).(string); ok && v != "" {
			m[k] = v
		}
	}
	return st.Tokens.Set(name, m)
}

// dropCachedToken forgets name's cached token; an absent one is fine.
func dropCachedToken(st *store.Store, name string) error {
	if err := st.Tokens.Delete(name); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return nil
}
