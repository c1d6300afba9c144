package ui

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/oauth2"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/internal/mask"
	"github.com/credwiz/credwiz/internal/termsafe"
	"github.com/credwiz/credwiz/store"
)

// connRequest is one credential whose connection exec or env hands over,
// and the prefix of its variables.
type connRequest struct {
	cred   store.Credential
	c      *connectors.Connector
	prefix string
}

// connVars is what the credentials of an exec or env give: the variables
// in order, and the secret values among them with their mask labels.
type connVars struct {
	vars    []connectors.EnvVar
	secrets []mask.Secret
}

// prefixPattern is what --prefix accepts: an environment variable name.
var prefixPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// connRequests checks the credential names and --prefix NAME=P values of
// exec or env against the index, before any secret is read: every name
// saved and given once, every prefix for one of them, and no variable
// given by two credentials.
func connRequests(f *Factory, names, prefixes []string, withSecrets bool) ([]connRequest, error) {
	if len(names) == 0 {
		return nil, usagef("name at least one credential (credwiz list shows them)")
	}
	chosen := map[string]string{}
	for _, p := range prefixes {
		name, prefix, ok := strings.Cut(p, "=")
		switch {
		case !ok || name == "":
			return nil, usagef("--prefix %q is not NAME=PREFIX, e.g. --prefix prod-sf=PROD_SF", p)
		case !prefixPattern.MatchString(prefix):
			return nil, usagef("--prefix %s=%q: a prefix is letters, digits and _, not starting with a digit, e.g. PROD_SF", name, prefix)
		case !slices.Contains(names, name):
			return nil, usagef("--prefix %s=%s names a credential that is not among %s", name, prefix, strings.Join(names, ", "))
		case chosen[name] != "":
			return nil, usagef("--prefix is given twice for %s", name)
		}
		chosen[name] = prefix
	}
	var reqs []connRequest
	owner := map[string]string{} // variable name → the credential giving it
	for i, name := range names {
		if slices.Contains(names[:i], name) {
			return nil, usagef("credential %s is named twice", name)
		}
		cred, c, err := loadMeta(f, name)
		if err != nil {
			return nil, err
		}
		prefix := chosen[name]
		if prefix == "" {
			prefix = c.EnvPrefix()
		}
		for _, v := range c.EnvNames(prefix, withSecrets) {
			if other, ok := owner[v]; ok {
				return nil, usagef("%s and %s would both set %s; give one of them another prefix, e.g. --prefix %s=%s",
					other, name, v, name, suggestPrefix(name))
			}
			owner[v] = name
		}
		reqs = append(reqs, connRequest{cred: cred, c: c, prefix: prefix})
	}
	return reqs, nil
}

// suggestPrefix turns a credential name into a prefix: prod-sf → PROD_SF.
func suggestPrefix(name string) string {
	p := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		}
		return '_'
	}, name)
	if p[0] >= '0' && p[0] <= '9' {
		p = "_" + p
	}
	return p
}

// connect gets a currently valid access token for every request (the
// cached one or a new one; new ones are cached in one write) and returns
// the variables they give. It fails, before anything is handed over, when
// any token cannot be had, with the message test would give.
func connect(ctx context.Context, f *Factory, reqs []connRequest, withSecrets bool) (connVars, error) {
	st, err := f.Store()
	if err != nil {
		return connVars{}, err
	}
	var out connVars
	var newCreds []store.Credential
	var newConns []*connectors.Connector
	var newToks []*oauth2.Token
	for _, r := range reqs {
		tok, cached, v, err := currentToken(ctx, f, st, r.cred, r.c, withSecrets)
		if err != nil {
			return connVars{}, err
		}
		if tok != cached {
			newCreds, newConns, newToks = append(newCreds, r.cred), append(newConns, r.c), append(newToks, tok)
		}
		if v == nil {
			v = r.c.Normalize(r.cred.Fields)
		}
		conn := connectors.Connection{Values: v, Token: tok, WithSecrets: withSecrets}
		if lt := r.cred.Tested(); lt != nil && lt.OK {
			conn.Account = lt.Account
		}
		for _, ev := range r.c.EnvVars(r.prefix, conn) {
			if strings.IndexByte(ev.Value, 0) >= 0 {
				return connVars{}, fmt.Errorf("%s of %q holds a NUL byte, which no environment variable can hold; run credwiz test %s", ev.Name, r.cred.Name, r.cred.Name)
			}
			out.vars = append(out.vars, ev)
			if ev.Secret != "" {
				out.secrets = append(out.secrets, mask.Secret{Value: ev.Value, Label: mask.Label(r.cred.Name, ev.Secret)})
			}
		}
	}
	if err := cacheTokens(ctx, st, newConns, newCreds, newToks); err != nil {
		fmt.Fprintf(f.IO.ErrOut, "warning: could not cache the new token(s): %s\n", termsafe.Text(Explain(err)))
	}
	return out, nil
}
