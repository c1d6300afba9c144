package connectors

import (
	"time"

	"golang.org/x/oauth2"
)

// Report is what a live test found out about a credential. Its JSON form is
// part of credwiz's --json output: fields are only ever added.
type Report struct {
	// Connector is the connector ID.
	Connector string `json:"connector"`
	// Account names the account, org or user the credential reached.
	Account string `json:"account,omitempty"`
	// Details are further facts, in display order (instance URL, API version).
	Details []Detail `json:"details,omitempty"`
	// TokenType is the kind of token the credential yields ("bearer").
	TokenType string `json:"token_type,omitempty"`
	// TokenExpires is when the access token expires; zero when it does not
	// expire or the vendor does not say (see TokenNeverExpires).
	TokenExpires time.Time `json:"token_expires,omitzero"`
	// TokenNeverExpires is set for static keys that do not expire.
	TokenNeverExpires bool `json:"token_never_expires,omitempty"`
	// Access lists what the credential may access.
	Access []Check `json:"access,omitempty"`
	// Warnings are problems that do not fail the test.
	Warnings []string `json:"warnings,omitempty"`
	// Token is the access token the test obtained, for the token cache;
	// nil for static keys. Never printed.
	Token *oauth2.Token `json:"-"`
}

// Detail is one labelled fact of a Report.
type Detail struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// Check is one access check: an API, scope or object and whether the
// credential may use it.
type Check struct {
	// Name is what was checked ("B2B API", "Lead").
	Name string `json:"name"`
	// OK reports whether access was granted.
	OK bool `json:"ok"`
	// Required checks that fail make the test fail; others are warnings.
	Required bool `json:"required"`
	// Note explains the result ("403: API not granted to this key set").
	Note string `json:"note,omitempty"`
}
