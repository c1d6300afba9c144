package ui

import (
	"context"
	"fmt"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/spf13/cobra"
	"golang.org/x/oauth2"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/internal/termsafe"
	"github.com/credwiz/credwiz/store"
)

// tokenJSON is the --json form of token: the token, then the extras its
// connector keeps with it (Connector.TokenExtras), in their order.
type tokenJSON struct {
	AccessToken string     `json:"access_token"`
	TokenType   string     `json:"token_type"`
	Expiry      *time.Time `json:"expiry"`
	Cached      bool       `json:"cached"`

	extras [][2]string
}

// MarshalJSON writes the token's members, then the extras.
func (j tokenJSON) MarshalJSON() ([]byte, error) {
	type members tokenJSON
	b, err := json.Marshal(members(j))
	if err != nil {
		return nil, err
	}
	b = b[:len(b)-1] // the closing brace
	for _, kv := range j.extras {
		k, _ := json.Marshal(kv[0])
		v, _ := json.Marshal(kv[1])
		b = append(append(append(append(b, ','), k...), ':'), v...)
	}
	return append(b, '}'), nil
}

func newTokenCmd(f *Factory) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:               "token NAME",
		Short:             "Print a currently valid access token for scripts",
		Long:              tokenHelp(f.Connectors()),
		Args:              nameArg(f),
		ValidArgsFunction: completeNames(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, err := nameOrPick(f, args, "token")
			if err != nil {
				return err
			}
			cred, c, err := loadMeta(f, name)
			if err != nil {
				return err
			}
			st, err := f.Store()
			if err != nil {
				return err
			}
			tok, cached, _, err := currentToken(cmd.Context(), f, st, cred, c, false)
			if err != nil {
				return err
			}
			if tok != cached {
				if err := cacheTokens(cmd.Context(), st, []*connectors.Connector{c}, []store.Credential{cred}, []*oauth2.Token{tok}); err != nil {
					fmt.Fprintf(f.IO.ErrOut, "warning: could not cache the token: %s\n", termsafe.Text(Explain(err)))
				}
			}
			if asJSON {
				j := tokenJSON{AccessToken: tok.AccessToken, TokenType: tok.Type(), Cached: tok == cached}
				if !tok.Expiry.IsZero() {
					e := tok.Expiry.UTC()
					j.Expiry = &e
				}
				for _, k := range c.TokenExtras {
					if s, ok := tok.Extra(k).(string); ok && s != "" {
						j.extras = append(j.extras, [2]string{k, s})
					}
				}
				return writeJSON(f.IO.Out, j)
			}
			if f.IO.OutTTY {
				// The vendor chose these characters: a terminal would act on
				// a control or bidi character, and a changed token is no
				// token, so it is refused there rather than shown altered.
				if err := termsafe.Check(tok.AccessToken); err != nil {
					return fmt.Errorf("the access token %s issued for %q %s and is not printed on a terminal; redirect stdout (credwiz token %s | …) or use --json for the exact value", c.Name, cred.Name, err, cred.Name)
				}
			}
			_, err = fmt.Fprintln(f.IO.Out, tok.AccessToken)
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the token with its type and expiry as JSON")
	return cmd
}

// currentToken returns a valid access token of cred: the cached one while
// it is valid and more than the connector's EarlyExpiry from its expiry,
// else a new one. A valid cached token costs one read of the cache and no
// read of the secrets; a static key is read from the secrets. cached is
// the token read from the cache (nil if none): tok != cached means tok is
// new and worth caching (cacheTokens). v holds cred's values when they
// were read (always when withValues), else nil. A failed exchange is
// explained as test explains it.
func currentToken(ctx context.Context, f *Factory, st *store.Store, cred store.Credential, c *connectors.Connector, withValues bool) (tok, cached *oauth2.Token, v connectors.Values, err error) {
	if !c.StaticToken {
		if cached, err = readCachedToken(st, c, cred); err != nil {
			return nil, nil, nil, err
		}
	}
	tok = cached
	fresh := cached != nil && cached.AccessToken != "" && cached.Expiry.Sub(f.Now()) >= c.EarlyExpiry
	if fresh && !withValues {
		return tok, cached, nil, nil
	}
	if v, err = loadValues(f, cred); err != nil {
		return nil, nil, nil, err
	}
	v = c.Normalize(v)
	if !fresh {
		tok, err = c.TokenSource(ctx, f.HTTPClient(), v, cached).Token()
		if err != nil {
			return nil, nil, nil, fmt.Errorf("get a token for %q: %s", cred.Name, failure(c, cred.Name, err))
		}
	}
	return tok, cached, v, nil
}
