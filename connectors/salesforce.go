package connectors

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Salesforce flows: the values of the "flow" field.
const (
	// SalesforceFlowPassword is the OAuth username-password flow: the
	// integration user's password immediately followed by its security token.
	SalesforceFlowPassword = "password"
	// SalesforceFlowClientCredentials is the OAuth client-credentials flow of
	// a connected app with a Run As user; it works only on a My Domain host.
	SalesforceFlowClientCredentials = "client_credentials"
)

// SalesforceDefaultLoginURL is the production login host, login_url's default.
const SalesforceDefaultLoginURL = "https://login.salesforce.com"

// salesforceTokenLifetime is how long credwiz treats a Salesforce access
// token as valid. Salesforce's token answer carries no expires_in: a session
// lives as long as the org's session timeout (Setup → Session Settings),
// which an admin sets anywhere from 15 minutes to 24 hours, and which is
// counted from the last use. The shortest setting is the only lifetime that
// holds in every org, so a cached token is renewed after 15 minutes; a
// renewal is one token request, cheap next to a failed call.
const salesforceTokenLifetime = 15 * time.Minute

// salesforceEarlyExpiry renews a cached token a minute before the
// conservative lifetime above runs out.
const salesforceEarlyExpiry = time.Minute

// The Salesforce connector: the username-password flow (default) or the
// client-credentials flow against {login_url}/services/oauth2/token, then
// the API versions, the identity of the user and read access to the objects
// Demandbase syncs.
//
// RunTest and MintToken return the *FieldError or *MissingError of an
// invalid value before any request. That includes the client-credentials
// flow with the generic login.salesforce.com or test.salesforce.com
// login_url, which Salesforce would answer with "request not supported on
// this domain": a *FieldError for login_url, from the connector's Check (so
// Validate, and the forms, catch it too).
func init() {
	Register(&Connector{
		ID:             "salesforce",
		Name:           "Salesforce",
		Order:          20,
		Summary:        "Salesforce CRM through a connected app (Demandbase ABM) and an API integration user",
		Auth:           "OAuth 2.0 username-password or client credentials",
		DocsURL:        "https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_username_password_flow.htm",
		EarlyExpiry:    salesforceEarlyExpiry,
		TokenExtras:    []string{SalesforceInstanceURL, SalesforceIdentityURL},
		PasswordExpiry: "password_expires_days",
		Fields:         salesforceFields(),
		Check:          salesforceCheckValues,
		Reauth:         []string{"consumer_secret", "username", "password", "security_token"},
		ReauthGuide:    salesforceReauthGuide,
		Probe:          salesforceProbe,
		Mint:           salesforceToken,
		Env:            Env{BaseURLName: "INSTANCE_URL", BaseURLFromToken: SalesforceInstanceURL},
	})
}

// salesforceReauthGuide walks the operator through the periodic
// re-authentication of the integration user (the vendor's procedure).
const salesforceReauthGuide = `Salesforce passwords expire every 90 days by default. Before you continue:
1. Log in to Salesforce as the integration user (a dedicated API user is best).
2. Consumer Secret — Lightning: Setup → Apps → App Manager → Demandbase ABM row → ▾ → View → Manage Consumer Details. Classic: Setup → Build → Create → Apps → Demandbase ABM (the name, not Edit or Manage) → Manage Consumer Details. Copy the Consumer Secret.
3. Security Token — avatar → Settings (Classic: your name → My Settings) → Personal → Reset My Security Token → Reset Security Token. The new token arrives by email; the old one stops working at once.
4. Log out of Salesforce completely, in every window and tab.
Then enter the values below; credwiz logs in and verifies the required and optional object permissions before it replaces anything.`

func salesforceFields() []Field {
	passwordFlow := func(v Values) bool { return salesforceFlow(v) != SalesforceFlowClientCredentials }
	return []Field{
		{
			Key:     "login_url",
			Title:   "Login URL",
			Default: SalesforceDefaultLoginURL,
			Help: "https://login.salesforce.com for production, https://test.salesforce.com for a sandbox, " +
				"or the org's My Domain (https://NAME.my.salesforce.com; Setup → My Domain), which the client_credentials flow requires.",
			Required: true,
			Domain:   "salesforce.com",
			Validate: salesforceValidateLoginURL,
		},
		{
			Key:     "flow",
			Title:   "Connect Using",
			Default: SalesforceFlowPassword,
			Help: "password: the integration user's username, password and security token (the password expires, 90 days by default). " +
				"client_credentials: the connected app's Run As user, no password to expire; needs the My Domain login URL.",
			Required: true,
			Options:  []string{SalesforceFlowPassword, SalesforceFlowClientCredentials},
		},
		{
			Key:   "consumer_key",
			Title: "Consumer Key",
			Help: "The Demandbase ABM connected app's Consumer Key. Lightning: Setup → Apps → App Manager → Demandbase ABM row → ▾ → View → Manage Consumer Details. " +
				"Classic: Setup → Build → Create → Apps → click Demandbase ABM (not Edit or Manage) → Manage Consumer Details.",
			Required: true,
			Validate: salesforceValidateNoSpace,
		},
		{
			Key:   "consumer_secret",
			Title: "Consumer Secret",
			Help: "Shown next to the Consumer Key: Setup → App Manager → Demandbase ABM → View → Manage Consumer Details (Lightning), " +
				"or Setup → Build → Create → Apps → Demandbase ABM (Classic). Salesforce may email you a verification code first.",
			Secret:   true,
			Mask:     MaskAll,
			Required: true,
			Validate: salesforceValidateNoSpace,
		},
		{
			Key:   "username",
			Title: "Username",
			Help: "The Salesforce username of the integration user, in email form (integration@acme.com). " +
				"A dedicated API integration user is recommended, so the credential survives people leaving or changing roles.",
			Required:  true,
			Validate:  salesforceValidateUsername,
			AppliesTo: passwordFlow,
		},
		{
			Key:   "password",
			Title: "Password",
			Help: "The integration user's Salesforce password. It expires every 90 days by default; after changing it, " +
				"reset the security token too (a new one is emailed) and re-authenticate. Log out of Salesforce in every tab first.",
			Secret:    true,
			Mask:      MaskAll,
			Required:  true,
			AppliesTo: passwordFlow,
			// An org's password policy may allow passwords as short as this.
			MinLen: 5,
		},
		{
			Key:   "security_token",
			Title: "Security Token",
			Help: "Salesforce avatar → Settings (Classic: My Settings) → Personal → Reset My Security Token → Reset Security Token. " +
				"The new token arrives by email and the old one stops working. Not needed from the org's trusted IP ranges.",
			Secret:    true,
			Mask:      MaskAll,
			Validate:  salesforceValidateNoSpace,
			AppliesTo: passwordFlow,
		},
		{
			Key:     "password_expires_days",
			Title:   "Password Expires After (days)",
			Default: "90",
			Help: "How often the org expires the integration user's password (Setup → Password Policies → User passwords expire in; 90 by default), " +
				"so credwiz can warn before it happens. 0 = never expires.",
			Advanced:  true,
			Validate:  salesforceValidateExpiryDays,
			AppliesTo: passwordFlow,
		},
	}
}

// salesforceFlow returns the flow of v, the password flow when unset.
func salesforceFlow(v Values) string {
	if f := v["flow"]; f != "" {
		return f
	}
	return SalesforceFlowPassword
}

// salesforceValidateLoginURL applies the URL policy and catches the usual
// wrong pastes: a full endpoint URL instead of the host, or the Lightning
// UI address instead of the My Domain login host.
func salesforceValidateLoginURL(s string) error {
	if _, err := CheckURL(s, "salesforce.com"); err != nil {
		return err
	}
	u, err := url.Parse(s)
	if err != nil {
		return errors.New("is not a valid URL: use the form https://host")
	}
	if p := strings.TrimRight(u.Path, "/"); p != "" {
		return errors.New("must be the login host only, without a path (e.g. https://login.salesforce.com or https://NAME.my.salesforce.com)")
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	for _, ui := range []string{".lightning.force.com", ".my.salesforce-setup.com"} {
		// acme.lightning.force.com → acme.my.salesforce.com;
		// acme--dev.sandbox.lightning.force.com → acme--dev.sandbox.my.salesforce.com.
		if name, ok := strings.CutSuffix(host, ui); ok && name != "" {
			return errors.New("is a Salesforce UI address, not a login host: use https://" + name + ".my.salesforce.com (Setup → My Domain)")
		}
	}
	return nil
}

// salesforceGenericLoginHost reports whether raw is login.salesforce.com or
// test.salesforce.com, which do not accept the client-credentials flow.
func salesforceGenericLoginHost(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	switch strings.ToLower(strings.TrimSuffix(u.Hostname(), ".")) {
	case "login.salesforce.com", "test.salesforce.com":
		return true
	}
	return false
}

// salesforceCheckValues is the connector's Check: the client-credentials
// flow needs a My Domain login URL.
func salesforceCheckValues(v Values) error {
	if salesforceFlow(v) == SalesforceFlowClientCredentials && salesforceGenericLoginHost(v["login_url"]) {
		return &FieldError{Key: "login_url", Reason: "the client_credentials flow works only with the org's My Domain login URL " +
			"(https://NAME.my.salesforce.com, or NAME--SANDBOX.sandbox.my.salesforce.com for a sandbox; Setup → My Domain), " +
			"not login.salesforce.com or test.salesforce.com"}
	}
	return nil
}

func salesforceValidateNoSpace(s string) error {
	if strings.ContainsAny(s, " \t") {
		return errors.New("must not contain spaces; copy the value again")
	}
	return nil
}

func salesforceValidateUsername(s string) error {
	at := strings.LastIndex(s, "@")
	if at <= 0 || at == len(s)-1 || strings.ContainsAny(s, " \t") {
		return errors.New("must be a Salesforce username, which has the form of an email address (integration@acme.com)")
	}
	return nil
}

func salesforceValidateExpiryDays(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 3650 || strings.ContainsAny(s, "+-") {
		return errors.New("must be a whole number of days from 0 to 3650 (0 = the password never expires)")
	}
	return nil
}
