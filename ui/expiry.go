package ui

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/store"
)

// expiringSoon is how close a password expiry must be to be flagged.
const expiringSoon = 14 * 24 * time.Hour

// passwordExpiry returns when cred's password expires, counted from its
// secrets_updated_at by the field its connector names (PasswordExpiry): ok
// is false when the connector has no password expiry or the field does not
// apply, and never is true when it is set to 0 (never expires).
func passwordExpiry(c *connectors.Connector, cred store.Credential) (at time.Time, never, ok bool) {
	if c == nil || c.PasswordExpiry == "" {
		return time.Time{}, false, false
	}
	fd, has := c.Field(c.PasswordExpiry)
	if !has || !fd.Applies(connectors.Values(cred.Fields)) || cred.SecretsUpdatedAt.IsZero() {
		return time.Time{}, false, false
	}
	raw := cred.Fields[c.PasswordExpiry]
	if raw == "" {
		raw = fd.Default
	}
	days, err := strconv.Atoi(raw)
	if err != nil || days < 0 {
		return time.Time{}, false, false
	}
	if days == 0 {
		return time.Time{}, true, true
	}
	return cred.SecretsUpdatedAt.AddDate(0, 0, days), false, true
}

// expiryText is the EXPIRES cell of list: the password expiry if there is
// one, else what the last test learnt about the token.
func expiryText(now time.Time, c *connectors.Connector, cred store.Credential) (text string, soon bool) {
	if at, never, ok := passwordExpiry(c, cred); ok {
		switch {
		case never:
			return "password never expires", false
		case !at.After(now):
			return "password expired " + ago(now, at), true
		default:
			d := at.Sub(now)
			days := int(math.Ceil(d.Hours() / 24))
			return "password expires in " + strconv.Itoa(days) + " days", d <= expiringSoon
		}
	}
	if lt := cred.LastTest; lt != nil && lt.TokenNeverExpires {
		return "never (static key)", false // what kind of key it is outlives a change
	}
	if lt := cred.Tested(); lt != nil {
		switch {
		case lt.TokenNeverExpires:
			return "never (static key)", false
		case !lt.TokenExpires.IsZero():
			if lt.TokenExpires.After(now) {
				return "token " + until(now, lt.TokenExpires) + ", auto-renewed", false
			}
			return "token renewed on use", false
		}
	}
	return "", false
}

// parseWithin parses --expiring-within: a Go duration or a number of days
// ("14d").
func parseWithin(s string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 {
			return 0, usagef("--expiring-within %q: use days like 14d, or a duration like 36h", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, usagef("--expiring-within %q: use days like 14d, or a duration like 36h", s)
	}
	return d, nil
}
