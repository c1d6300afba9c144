package connectors

import (
	"context"
	"net/http"
	"time"

	"golang.org/x/oauth2"
)

// Values holds a credential's field values by field key, secret and
// non-secret alike. A nil Values is an empty one.
type Values map[string]string

// Field declares one setting of a connector. The UI renders a Secret field
// as a masked input, a field with Options as a select, and an Advanced field
// behind an "Edit advanced settings?" confirm.
type Field struct {
	// Key is the snake_case name used in --field, stdin and JSON.
	Key string
	// Title is the label the vendor's documents use ("Client Secret").
	Title string
	// Help says what the value is and where in the vendor's UI to find it.
	Help string
	// Default pre-fills the field; secrets never have one.
	Default string
	// Secret fields are kept in the secret store and masked everywhere.
	Secret bool
	// Mask says how much of a secret field's value show may reveal: by
	// default (MaskAll) nothing.
	Mask Mask
	// Required fields must be non-empty when they apply.
	Required bool
	// Advanced fields are asked only when the operator opts in.
	Advanced bool
	// Bearer marks a token field: a pasted leading "Bearer " is stripped.
	Bearer bool
	// Options, when set, are the only values allowed (rendered as a select).
	Options []string
	// Domain, for a URL field, is the vendor's own domain; any other remote
	// host gets a warning that the secret will be sent there.
	Domain string
	// Validate is an offline check of a non-empty value; nil accepts any.
	Validate func(string) error
	// MinLen is the fewest characters a secret field's value may have;
	// 0 means MinSecretLen. Non-secret fields have no minimum.
	MinLen int
	// AppliesTo reports whether the field applies given the other values
	// (Salesforce's client-credentials flow has no username); nil means it
	// always applies.
	AppliesTo func(Values) bool
}

// Mask says how much of a secret value a display of the credential may
// reveal.
type Mask int

const (
	// MaskAll, the zero value, reveals nothing: passwords, security tokens
	// and client secrets, of which any part helps a guess.
	MaskAll Mask = iota
	// MaskTail may reveal the last 4 characters of a long key or token,
	// so that the operator can tell two of them apart.
	MaskTail
)

// Applies reports whether f applies to a credential with values v.
func (f Field) Applies(v Values) bool { return f.AppliesTo == nil || f.AppliesTo(v) }

// Connector declares one SaaS system: its fields, how to test and
// authenticate a credential for it, and what credwiz's commands need to
// know of it. Register makes it known.
type Connector struct {
	// ID is the stable identifier used on the command line ("demandbase").
	ID string
	// Name is the display name ("Demandbase").
	Name string
	// Order places the connector in lists (the picker, credwiz
	// connectors): lower first, equal ones by ID.
	Order int
	// Summary is a one-line description for the connector picker.
	Summary string
	// Auth names the authentication scheme in a few words.
	Auth string
	// DocsURL points at the vendor's documentation for obtaining the values.
	DocsURL string
	// Fields are the connector's settings in form order.
	Fields []Field
	// Check is an offline check across fields (Salesforce: the
	// client-credentials flow needs a My Domain login URL), run by Validate
	// after the per-field checks pass; nil means none.
	Check func(Values) error
	// Probe is the live test behind RunTest: the token exchange, if any,
	// plus one cheap read. It fills rep as far as it got, even when it
	// returns an error.
	Probe func(ctx context.Context, s *Session, rep *Report) error
	// Mint mints an access token, behind MintToken. Static-key connectors
	// return the key itself with a zero Expiry, meaning it does not expire.
	Mint func(ctx context.Context, s *Session) (*oauth2.Token, error)
	// EarlyExpiry is how long before its expiry a cached token is renewed.
	EarlyExpiry time.Duration
	// StaticToken is set when the token is the stored key itself (UpPromote,
	// Drift): there is no exchange and nothing to cache. The zero value
	// means an OAuth exchange whose tokens are worth caching.
	StaticToken bool
	// TokenExtras are the keys of the token answer's extra fields
	// (oauth2.Token.Extra) that are kept with a cached token and printed
	// with it by credwiz token --json (Salesforce: the instance and
	// identity URLs); nil means none.
	TokenExtras []string
	// TokenExample, when set, is a shell command that calls the vendor's
	// API with the token of a credential named prod-ID, for credwiz
	// token's help.
	TokenExample string
	// PasswordExpiry, when set, is the key of the field holding after how
	// many days the password expires (0: never); credwiz counts from the
	// last time the secrets were set and warns before the day comes.
	PasswordExpiry string
	// Reauth lists, in form order, the keys of the fields a re-authentication
	// asks for; nil means the secret fields plus the required fields without
	// a default that identify the key (a new key set has a new client ID).
	Reauth []string
	// ReauthGuide, when set, is shown before the re-authentication form: the
	// steps in the vendor's UI that produce the new values.
	ReauthGuide string
	// Env declares the variables a credential gives a program (credwiz
	// exec, env); the zero value is the usual set (see Env).
	Env Env
}

// Field returns the field with the given key.
func (c *Connector) Field(key string) (Field, bool) {
	for _, f := range c.Fields {
		if f.Key == key {
			return f, true
		}
	}
	return Field{}, false
}

// SecretKeys returns the keys of the connector's secret fields, in order.
func (c *Connector) SecretKeys() []string {
	var keys []string
	for _, f := range c.Fields {
		if f.Secret {
			keys = append(keys, f.Key)
		}
	}
	return keys
}

// RunTest performs the live test of the credential v with hc (nil: a
// client with a 15 s timeout): v is normalized and validated first, and a
// *FieldError or *MissingError returned before any request. The Report is
// filled as far as the test got, even when the error is not nil.
func (c *Connector) RunTest(ctx context.Context, hc *http.Client, v Values) (Report, error) {
	rep := Report{Connector: c.ID}
	s, err := c.session(hc, v)
	if err != nil {
		return rep, err
	}
	return rep, c.Probe(ctx, s, &rep)
}

// MintToken mints a new access token for v, prepared as for RunTest.
func (c *Connector) MintToken(ctx context.Context, hc *http.Client, v Values) (*oauth2.Token, error) {
	s, err := c.session(hc, v)
	if err != nil {
		return nil, err
	}
	return c.Mint(ctx, s)
}

// TokenSource returns a source of access tokens for v that reuses cached
// while it is valid and more than c.EarlyExpiry from its expiry (cached may
// be nil). Compare the returned token with cached to know whether a new one
// was minted and should be cached.
func (c *Connector) TokenSource(ctx context.Context, hc *http.Client, v Values, cached *oauth2.Token) oauth2.TokenSource {
	mint := tokenSourceFunc(func() (*oauth2.Token, error) { return c.MintToken(ctx, hc, v) })
	return oauth2.ReuseTokenSourceWithExpiry(cached, mint, c.EarlyExpiry)
}

type tokenSourceFunc func() (*oauth2.Token, error)

func (f tokenSourceFunc) Token() (*oauth2.Token, error) { return f() }
