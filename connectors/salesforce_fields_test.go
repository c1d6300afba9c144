package connectors_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
)

func TestSalesforceFields(t *testing.T) {
	c := mustConnector("salesforce")
	var keys, secrets []string
	for _, f := range c.Fields {
		keys = append(keys, f.Key)
		if f.Secret {
			secrets = append(secrets, f.Key)
			if f.Default != "" {
				t.Errorf("secret field %s has a default", f.Key)
			}
			if f.Mask != connectors.MaskAll {
				t.Errorf("secret field %s is a password or secret, not a token: show must mask it completely", f.Key)
			}
		}
		if f.Title == "" || f.Help == "" {
			t.Errorf("field %s lacks a title or help", f.Key)
		}
	}
	wantKeys := []string{"login_url", "flow", "consumer_key", "consumer_secret", "username", "password", "security_token", "password_expires_days"}
	if !slices.Equal(keys, wantKeys) {
		t.Errorf("keys = %q, want %q", keys, wantKeys)
	}
	if want := []string{"consumer_secret", "password", "security_token"}; !slices.Equal(secrets, want) {
		t.Errorf("secret keys = %q, want %q", secrets, want)
	}
	for key, want := range map[string]string{"login_url": "https://login.salesforce.com", "flow": "password", "password_expires_days": "90"} {
		if f, _ := c.Field(key); f.Default != want {
			t.Errorf("%s default = %q, want %q", key, f.Default, want)
		}
	}
	if f, _ := c.Field("password_expires_days"); !f.Advanced {
		t.Error("password_expires_days is not advanced")
	}
	if f, _ := c.Field("security_token"); f.Required {
		t.Error("security_token is required; it is optional (trusted IP ranges)")
	}
	for _, s := range []string{"App Manager", "Manage Consumer Details", "Build → Create → Apps"} {
		if f, _ := c.Field("consumer_secret"); !strings.Contains(f.Help, s) {
			t.Errorf("consumer_secret help lacks %q", s)
		}
	}
	if f, _ := c.Field("security_token"); !strings.Contains(f.Help, "Reset My Security Token") || !strings.Contains(f.Help, "email") {
		t.Errorf("security_token help = %q", f.Help)
	}

	cc := connectors.Values{"flow": "client_credentials"}
	pw := connectors.Values{"flow": "password"}
	for _, f := range c.Fields {
		hidden := slices.Contains([]string{"username", "password", "security_token", "password_expires_days"}, f.Key)
		if f.Applies(cc) == hidden {
			t.Errorf("field %s applies to client_credentials = %v, want %v", f.Key, f.Applies(cc), !hidden)
		}
		if !f.Applies(pw) || !f.Applies(connectors.Values{}) {
			t.Errorf("field %s does not apply to the password flow", f.Key)
		}
	}
}

func TestSalesforceValidate(t *testing.T) {
	base := connectors.Values{
		"consumer_key": "3MVG9abc", "consumer_secret": "S3CR3T-0123",
		"username": "integration@acme.com", "password": "pw-12345", "security_token": "tok-0123456789",
	}
	tests := []struct {
		name    string
		set     connectors.Values
		wantKey string // "" = valid
		reason  string // a part of the *FieldError's reason
		missing []string
	}{
		{name: "defaults", set: nil},
		{name: "sandbox", set: connectors.Values{"login_url": "https://test.salesforce.com"}},
		{name: "my domain", set: connectors.Values{"login_url": "https://acme.my.salesforce.com/"}},
		{name: "http remote", set: connectors.Values{"login_url": "http://login.salesforce.com"}, wantKey: "login_url"},
		{name: "endpoint pasted", set: connectors.Values{"login_url": "https://login.salesforce.com/services/oauth2/token"}, wantKey: "login_url"},
		{name: "lightning address", set: connectors.Values{"login_url": "https://acme.lightning.force.com"}, wantKey: "login_url",
			reason: "https://acme.my.salesforce.com"},
		{name: "sandbox lightning address", set: connectors.Values{"login_url": "https://acme--dev.sandbox.lightning.force.com"}, wantKey: "login_url",
			reason: "https://acme--dev.sandbox.my.salesforce.com"},
		{name: "unknown flow", set: connectors.Values{"flow": "jwt"}, wantKey: "flow"},
		{name: "username not an email", set: connectors.Values{"username": "integration"}, wantKey: "username"},
		{name: "short secret", set: connectors.Values{"consumer_secret": "S3CR3T"}, wantKey: "consumer_secret", reason: "6 characters long; the Consumer Secret has at least 8"},
		{name: "short security token", set: connectors.Values{"security_token": "t"}, wantKey: "security_token", reason: "at least 8"},
		{name: "password of 5", set: connectors.Values{"password": "pw123"}},
		{name: "password of 4", set: connectors.Values{"password": "pw12"}, wantKey: "password", reason: "at least 5"},
		{name: "expiry never", set: connectors.Values{"password_expires_days": "0"}},
		{name: "expiry 365", set: connectors.Values{"password_expires_days": "365"}},
		{name: "expiry negative", set: connectors.Values{"password_expires_days": "-1"}, wantKey: "password_expires_days"},
		{name: "expiry too long", set: connectors.Values{"password_expires_days": "3651"}, wantKey: "password_expires_days"},
		{name: "expiry not a number", set: connectors.Values{"password_expires_days": "90d"}, wantKey: "password_expires_days"},
		{name: "no security token", set: connectors.Values{"security_token": ""}},
		{name: "password flow missing", set: connectors.Values{"username": "", "password": ""}, missing: []string{"username", "password"}},
		{name: "client_credentials needs no user", set: connectors.Values{"flow": "client_credentials", "username": "", "password": "", "login_url": "https://acme.my.salesforce.com"}},
		{name: "client_credentials ignores a bad expiry", set: connectors.Values{"flow": "client_credentials", "password_expires_days": "x", "login_url": "https://acme.my.salesforce.com"}},
	}
	c := mustConnector("salesforce")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := connectors.Values{}
			for k, val := range base {
				v[k] = val
			}
			for k, val := range tc.set {
				v[k] = val
			}
			err := c.Validate(c.Normalize(v))
			var fe *connectors.FieldError
			var me *connectors.MissingError
			switch {
			case tc.missing != nil:
				if !errors.As(err, &me) || !slices.Equal(me.Keys, tc.missing) {
					t.Fatalf("Validate = %v, want missing %q", err, tc.missing)
				}
			case tc.wantKey == "":
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
			default:
				if !errors.As(err, &fe) || fe.Key != tc.wantKey || !strings.Contains(fe.Reason, tc.reason) {
					t.Fatalf("Validate = %v, want a *FieldError for %s saying %q", err, tc.wantKey, tc.reason)
				}
			}
		})
	}
}

func TestSalesforceTestRefusesInvalidValuesOffline(t *testing.T) {
	c := mustConnector("salesforce")
	e := connectortest.NewSalesforce()
	defer e.Close()
	v := e.Values()
	delete(v, "username")
	v["name"] = "prod-sf" // a caller's extra key is ignored, not refused
	_, err := c.RunTest(context.Background(), sfNoRequests(e), v)
	var me *connectors.MissingError
	if !errors.As(err, &me) || !slices.Equal(me.Keys, []string{"username"}) {
		t.Fatalf("Test = %v, want missing username", err)
	}
	if got := e.Requests(); len(got) != 0 {
		t.Errorf("requests = %q, want none", got)
	}
}

func TestSalesforceToken(t *testing.T) {
	c := mustConnector("salesforce")
	e := connectortest.NewSalesforce()
	defer e.Close()
	hc := &http.Client{Timeout: 5 * time.Second}
	before := time.Now()
	tok, err := c.MintToken(context.Background(), hc, e.Values())
	if err != nil {
		t.Fatal(err)
	}
	if !tok.Valid() || tok.Type() != "Bearer" || !strings.HasPrefix(tok.AccessToken, e.OrgID()[:15]+"!") {
		t.Errorf("token = %+v", tok)
	}
	if tok.Expiry.Before(before.Add(15*time.Minute)) || tok.Expiry.After(time.Now().Add(15*time.Minute)) {
		t.Errorf("expiry %s, want 15 minutes from the request", tok.Expiry)
	}
	if tok.Extra(connectors.SalesforceInstanceURL) != e.URL() {
		t.Errorf("instance_url = %v", tok.Extra(connectors.SalesforceInstanceURL))
	}
	if want := []string{"POST /services/oauth2/token"}; !slices.Equal(e.Requests(), want) {
		t.Errorf("requests = %q, want %q", e.Requests(), want)
	}

	// The cache: a second TokenSource call reuses the token.
	ts := c.TokenSource(context.Background(), hc, e.Values(), tok)
	again, err := ts.Token()
	if err != nil || again.AccessToken != tok.AccessToken || e.TokensIssued() != 1 {
		t.Errorf("TokenSource minted a new token (%v, %d issued)", err, e.TokensIssued())
	}

	v := e.ClientCredentialsValues()
	v["login_url"] = "https://login.salesforce.com"
	_, err = c.MintToken(context.Background(), sfNoRequests(e), v)
	var fe *connectors.FieldError
	if !errors.As(err, &fe) || fe.Key != "login_url" {
		t.Errorf("Token with client_credentials on login.salesforce.com = %v, want a login_url *FieldError", err)
	}
}

// TestSalesforcePasswordChanged is the 90-day cycle: the password changes
// on the server (which also issues a new security token), the saved values
// stop working, and the new password and token work.
func TestSalesforcePasswordChanged(t *testing.T) {
	c := mustConnector("salesforce")
	e := connectortest.NewSalesforce()
	defer e.Close()
	hc := &http.Client{Timeout: 5 * time.Second}
	old := e.Values()
	if _, err := c.RunTest(context.Background(), hc, old); err != nil {
		t.Fatalf("before the change: %v", err)
	}
	e.SetPassword(e.Username(), "Summer-Time-2026!", "Nw5Tk8Lm2Qp7Rs4Vx9Yz3Ab6")
	_, err := c.RunTest(context.Background(), hc, old)
	sfWantError(t, err, connectors.ErrRejected, "invalid_grant", "Login History")
	sfNoSecrets(t, err, c.Secrets(old))

	newPasswordOldToken := sfWith(e, "security_token", old["security_token"])
	_, err = c.RunTest(context.Background(), hc, newPasswordOldToken)
	sfWantError(t, err, connectors.ErrRejected, "invalid_grant", "")

	rep, err := c.RunTest(context.Background(), hc, e.Values())
	if err != nil {
		t.Fatalf("with the new password and token: %v", err)
	}
	if rep.Account != e.Username()+" @ org "+e.OrgID() {
		t.Errorf("Account = %q", rep.Account)
	}

	// Reset My Security Token: the old token stops working at once.
	current := e.Values()
	e.ResetSecurityToken(e.Username(), "Rt1Yu2Io3Pa4Sd5Fg6Hj7Kl8")
	_, err = c.RunTest(context.Background(), hc, current)
	sfWantError(t, err, connectors.ErrRejected, "invalid_grant", "")
	if _, err := c.RunTest(context.Background(), hc, e.Values()); err != nil {
		t.Fatalf("with the reset token: %v", err)
	}
}

// TestSalesforceEverySecretWrong mirrors the conformance suite: every
// secret value altered is a rejected credential, and no secret shows.
func TestSalesforceEverySecretWrong(t *testing.T) {
	c := mustConnector("salesforce")
	e := connectortest.NewSalesforce()
	defer e.Close()
	v := e.Values()
	for _, k := range c.SecretKeys() {
		v[k] = "wrong-" + v[k]
	}
	_, err := c.RunTest(context.Background(), &http.Client{Timeout: 5 * time.Second}, v)
	sfWantError(t, err, connectors.ErrRejected, "", "")
	sfNoSecrets(t, err, c.Secrets(v))
	sfNoSecrets(t, err, c.Secrets(e.Values()))
}
