package ui

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/oauth2"
)

// tokenJSON is the --json form of token.
type tokenJSON struct {
	AccessToken string     `json:"access_token"`
	TokenType   string     `json:"token_type"`
	Expiry      *time.Time `json:"expiry"`
	InstanceURL string     `json:"instance_url,omitempty"`
	Cached      bool       `json:"cached"`
}

func newTokenCmd(f *Factory) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "token NAME",
		Short: "Print a currently valid access token for scripts",
		Long: `Print a currently valid access token on stdout. For an OAuth connector
(Demandbase, Clazar, Salesforce) the cached token is reused while it is valid
and renewed otherwise (Demandbase: within 15 minutes of expiry); for a
static-key connector (UpPromote, Drift) the key itself is printed.

  curl -H "Authorization: Bearer $(credwiz token prod-drift)" https://driftapi.com/users/list

The token is printed only to stdout; keep it out of logs.`,
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
			// A valid cached token answers with one read of the cache and
			// no read of the secrets; a static key is read from the secrets.
			var cached *oauth2.Token
			if !c.StaticToken {
				if cached, err = readCachedToken(st, cred); err != nil {
					return err
				}
			}
			tok := cached
			if cached == nil || !cached.Valid() || time.Until(cached.Expiry) < c.EarlyExpiry {
				v, err := loadValues(f, cred)
				if err != nil {
					return err
				}
				v = c.Normalize(v)
				tok, err = c.TokenSource(cmd.Context(), f.HTTPClient(), v, cached).Token()
				if err != nil {
					return fmt.Errorf("get a token for %q: %s", name, failure(c, name, err))
				}
				if err := cacheToken(cmd.Context(), st, cred, tok); err != nil {
					fmt.Fprintf(f.IO.ErrOut, "warning: could not cache the token: %s\n", Explain(err))
				}
			}
			if asJSON {
				j := tokenJSON{AccessToken: tok.AccessToken, TokenType: tok.Type(), Cached: tok == cached}
				if !tok.Expiry.IsZero() {
					e := tok.Expiry.UTC()
					j.Expiry = &e
				}
				if s, ok := tok.Extra("instance_url").(string); ok {
					j.InstanceURL = s
				}
				return writeJSON(f.IO.Out, j)
			}
			_, err = fmt.Fprintln(f.IO.Out, tok.AccessToken)
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the token with its type and expiry as JSON")
	return cmd
}
