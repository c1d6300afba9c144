package connectors_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/credwiz/credwiz/connectors"
)

var envName = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`)

// envValues returns values for every field of c: each secret a distinct
// marked value, the others their default or a placeholder.
func envValues(c *connectors.Connector) connectors.Values {
	v := connectors.Values{}
	for _, f := range c.Fields {
		switch {
		case f.Secret:
			v[f.Key] = "secret-" + f.Key + "-0123456789"
		case f.Default != "":
			v[f.Key] = f.Default
		default:
			v[f.Key] = "value-" + f.Key
		}
	}
	return v
}

// TestEnvDeclarations: every connector's variables are valid, unique
// environment names under its upper-cased ID, in the documented order;
// EnvVars gives only names EnvNames declares; without WithSecrets no
// long-lived secret is given (the key of a static-key connector is its
// access token), and with it every secret field is, under its own key.
func TestEnvDeclarations(t *testing.T) {
	for _, c := range connectors.All() {
		t.Run(c.ID, func(t *testing.T) {
			prefix := c.EnvPrefix()
			if prefix != strings.ToUpper(c.ID) {
				t.Errorf("EnvPrefix = %q; want the ID upper-cased", prefix)
			}
			for _, with := range []bool{false, true} {
				names := c.EnvNames(prefix, with)
				seen := map[string]bool{}
				for _, n := range names {
					if !envName.MatchString(n) || !strings.HasPrefix(n, prefix+"_") {
						t.Errorf("variable name %q is not PREFIX_UPPER_CASE", n)
					}
					if seen[n] {
						t.Errorf("variable %s declared twice", n)
					}
					seen[n] = true
				}
				if names[0] != prefix+"_ACCESS_TOKEN" || names[2] != prefix+"_TOKEN_EXPIRES_AT" || names[3] != prefix+"_ACCOUNT" {
					t.Errorf("names = %v; want ACCESS_TOKEN, the base URL, TOKEN_EXPIRES_AT, ACCOUNT first", names)
				}
				v := envValues(c)
				tok := &oauth2.Token{AccessToken: "tok-0123456789", Expiry: time.Date(2031, 2, 3, 4, 5, 6, 0, time.FixedZone("x", 3600))}
				if c.StaticToken {
					tok = &oauth2.Token{AccessToken: v[c.SecretKeys()[0]]}
				}
				tok = tok.WithExtra(map[string]any{"instance_url": "https://org.my.salesforce.com"})
				vars := c.EnvVars(prefix, connectors.Connection{Values: v, Token: tok, Account: "acme", WithSecrets: with})
				var got []string
				for _, ev := range vars {
					got = append(got, ev.Name)
					if !slices.Contains(names, ev.Name) {
						t.Errorf("EnvVars gives %s, which EnvNames does not declare", ev.Name)
					}
				}
				if !slices.IsSortedFunc(got, func(a, b string) int { return slices.Index(names, a) - slices.Index(names, b) }) {
					t.Errorf("EnvVars order %v differs from EnvNames %v", got, names)
				}
				byName := map[string]connectors.EnvVar{}
				for _, ev := range vars {
					byName[ev.Name] = ev
				}
				if ev := byName[prefix+"_ACCESS_TOKEN"]; ev.Value != tok.AccessToken || ev.Secret != "access_token" {
					t.Errorf("ACCESS_TOKEN = %+v; want the token, hidden as access_token", ev)
				}
				if ev := byName[names[1]]; ev.Value == "" || ev.Secret != "" {
					t.Errorf("the base URL %s = %+v; want a value that is not secret", names[1], ev)
				}
				if ev := byName[prefix+"_ACCOUNT"]; ev.Value != "acme" || ev.Secret != "" {
					t.Errorf("ACCOUNT = %+v", ev)
				}
				exp, hasExp := byName[prefix+"_TOKEN_EXPIRES_AT"]
				switch {
				case c.StaticToken && hasExp:
					t.Errorf("a key that does not expire has TOKEN_EXPIRES_AT %q", exp.Value)
				case !c.StaticToken && exp.Value != "2031-02-03T03:05:06Z":
					t.Errorf("TOKEN_EXPIRES_AT = %q; want RFC 3339 in UTC", exp.Value)
				}
				for _, k := range c.SecretKeys() {
					if c.StaticToken && v[k] == tok.AccessToken {
						continue
					}
					for _, ev := range vars {
						if ev.Value == v[k] && !with {
							t.Errorf("without WithSecrets, %s holds the secret %s", ev.Name, k)
						}
					}
					ev, ok := byName[prefix+"_"+strings.ToUpper(k)]
					if with && (!ok || ev.Value != v[k] || ev.Secret != k) {
						t.Errorf("with WithSecrets, %s_%s = %+v; want the secret, hidden as %s", prefix, strings.ToUpper(k), ev, k)
					}
				}
				for _, ev := range vars {
					if ev.Secret == "" && strings.Contains(ev.Value, "secret-") {
						t.Errorf("%s holds a secret but is not marked one", ev.Name)
					}
				}
			}
		})
	}
}

// TestEnvBaseURL: the base URL is the base_url field (its default when the
// credential has none), except Salesforce's, which is the token's
// instance_url under SALESFORCE_INSTANCE_URL.
func TestEnvBaseURL(t *testing.T) {
	tok := (&oauth2.Token{AccessToken: "t"}).WithExtra(map[string]any{"instance_url": "https://acme.my.salesforce.com"})
	tests := []struct {
		name   string
		c      *connectors.Connector
		values connectors.Values
		want   string // NAME=value
	}{
		{"demandbase field", mustConnector("demandbase"), connectors.Values{"base_url": "http://127.0.0.1:9/x"}, "DEMANDBASE_BASE_URL=http://127.0.0.1:9/x"},
		{"demandbase default", mustConnector("demandbase"), connectors.Values{}, "DEMANDBASE_BASE_URL=https://uapi.demandbase.com"},
		{"clazar default", mustConnector("clazar"), nil, "CLAZAR_BASE_URL=https://api.clazar.io"},
		{"drift", mustConnector("drift"), connectors.Values{"base_url": "https://driftapi.com"}, "DRIFT_BASE_URL=https://driftapi.com"},
		{"uppromote default", mustConnector("uppromote"), nil, "UPPROMOTE_BASE_URL=https://aff-api.uppromote.com"},
		{"salesforce", mustConnector("salesforce"), connectors.Values{"login_url": "https://login.salesforce.com"}, "SALESFORCE_INSTANCE_URL=https://acme.my.salesforce.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vars := tt.c.EnvVars(tt.c.EnvPrefix(), connectors.Connection{Values: tt.values, Token: tok})
			var got []string
			for _, ev := range vars {
				if strings.HasSuffix(ev.Name, "_URL") {
					got = append(got, ev.Name+"="+ev.Value)
				}
			}
			if len(got) != 1 || got[0] != tt.want {
				t.Errorf("URL variables = %v; want [%s]", got, tt.want)
			}
		})
	}
	// No token response, no instance URL: the variable is absent, not empty.
	c := mustConnector("salesforce")
	for _, ev := range c.EnvVars("SF", connectors.Connection{}) {
		t.Errorf("Salesforce without a token gives %s", ev.Name)
	}
}

// TestEnvPrefix: another prefix replaces the ID in every name.
func TestEnvPrefix(t *testing.T) {
	c := mustConnector("salesforce")
	got := c.EnvNames("PROD_SF", true)
	want := []string{"PROD_SF_ACCESS_TOKEN", "PROD_SF_INSTANCE_URL", "PROD_SF_TOKEN_EXPIRES_AT", "PROD_SF_ACCOUNT",
		"PROD_SF_CONSUMER_SECRET", "PROD_SF_PASSWORD", "PROD_SF_SECURITY_TOKEN"}
	if !slices.Equal(got, want) {
		t.Errorf("EnvNames = %v; want %v", got, want)
	}
}
