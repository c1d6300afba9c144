package connectors

import (
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// Env declares the environment variables a credential gives a program
// (credwiz exec and credwiz env). Every variable is named PREFIX_SUFFIX,
// where PREFIX is EnvPrefix (the connector ID upper-cased) unless the
// operator chose another:
//
//	PREFIX_ACCESS_TOKEN      the access token: an OAuth token, or the key of a static-key connector
//	PREFIX_BASE_URL          the API's base URL (the name and source are declared below)
//	PREFIX_TOKEN_EXPIRES_AT  when the token expires, RFC 3339; absent for a key that does not expire
//	PREFIX_ACCOUNT           the account the last passing test reached; absent when unknown
//	PREFIX_<FIELD KEY>       each secret field, upper-cased, only when asked for (WithSecrets)
//
// The zero Env is the usual declaration: the base URL is the "base_url"
// field, named PREFIX_BASE_URL, and every secret field may be added.
type Env struct {
	// BaseURLName is the base URL variable's name after the prefix; empty
	// means "BASE_URL".
	BaseURLName string
	// BaseURLFromToken, when set, names the member of the token response
	// that holds the base URL (Salesforce: the org's instance_url); empty
	// means the "base_url" field.
	BaseURLFromToken string
	// Secrets lists the keys of the secret fields that WithSecrets adds;
	// nil means every secret field.
	Secrets []string
}

// Env suffixes shared by every connector.
const (
	EnvAccessToken    = "ACCESS_TOKEN"
	EnvBaseURL        = "BASE_URL"
	EnvTokenExpiresAt = "TOKEN_EXPIRES_AT"
	EnvAccount        = "ACCOUNT"
)

// EnvVar is one variable a credential gives a program.
type EnvVar struct {
	// Name is the variable's name, prefix included.
	Name string
	// Value is its value.
	Value string
	// Secret, when not empty, is the key under which the value is hidden
	// in the program's output ("access_token", or a secret field's key):
	// the value is a token or a secret. Empty for values that are not
	// secret (URLs, times, accounts).
	Secret string
}

// Connection is what a credential gives a program: its values, a valid
// access token, and what its last test found.
type Connection struct {
	// Values are the credential's field values: the non-secret ones give
	// the base URL; the secret ones are needed only with WithSecrets.
	Values Values
	// Token is a currently valid access token; for a static-key connector
	// the key itself, with a zero Expiry.
	Token *oauth2.Token
	// Account is the account the last passing test of these values
	// reached; empty when unknown.
	Account string
	// WithSecrets adds the secret fields (see Env.Secrets).
	WithSecrets bool
}

// EnvPrefix returns the default prefix of c's variables: its ID
// upper-cased ("SALESFORCE").
func (c *Connector) EnvPrefix() string { return strings.ToUpper(c.ID) }

// EnvNames returns the name of every variable EnvVars may return with
// prefix, in order, so that two credentials can be checked for a clash
// before any token is fetched.
func (c *Connector) EnvNames(prefix string, withSecrets bool) []string {
	names := []string{
		prefix + "_" + EnvAccessToken,
		prefix + "_" + c.baseURLName(),
		prefix + "_" + EnvTokenExpiresAt,
		prefix + "_" + EnvAccount,
	}
	if withSecrets {
		for _, k := range c.envSecrets() {
			names = append(names, prefix+"_"+strings.ToUpper(k))
		}
	}
	return names
}

// EnvVars returns the variables of conn with prefix, in the order of
// EnvNames; variables without a value are left out.
func (c *Connector) EnvVars(prefix string, conn Connection) []EnvVar {
	var out []EnvVar
	add := func(suffix, value, secret string) {
		if value != "" {
			out = append(out, EnvVar{Name: prefix + "_" + suffix, Value: value, Secret: secret})
		}
	}
	if conn.Token != nil {
		add(EnvAccessToken, conn.Token.AccessToken, "access_token")
	}
	add(c.baseURLName(), c.baseURL(conn), "")
	if conn.Token != nil && !conn.Token.Expiry.IsZero() {
		add(EnvTokenExpiresAt, conn.Token.Expiry.UTC().Format(time.RFC3339), "")
	}
	add(EnvAccount, conn.Account, "")
	if conn.WithSecrets {
		for _, k := range c.envSecrets() {
			add(strings.ToUpper(k), conn.Values[k], k)
		}
	}
	return out
}

// baseURLName is the base URL variable's suffix.
func (c *Connector) baseURLName() string {
	if c.Env.BaseURLName != "" {
		return c.Env.BaseURLName
	}
	return EnvBaseURL
}

// baseURL is the base URL conn gives: from the token response when c says
// so, else the base_url field (its default when the credential has none).
func (c *Connector) baseURL(conn Connection) string {
	if k := c.Env.BaseURLFromToken; k != "" {
		if conn.Token == nil {
			return ""
		}
		s, _ := conn.Token.Extra(k).(string)
		return s
	}
	if v := conn.Values["base_url"]; v != "" {
		return v
	}
	if f, ok := c.Field("base_url"); ok {
		return f.Default
	}
	return ""
}

// envSecrets is the keys of the secret fields WithSecrets adds.
func (c *Connector) envSecrets() []string {
	if c.Env.Secrets != nil {
		return c.Env.Secrets
	}
	return c.SecretKeys()
}
