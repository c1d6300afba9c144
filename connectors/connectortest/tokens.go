package connectortest

import (
	"encoding/base64"
	"encoding/json"
	"sync"
	"time"
)

// tokenBook is an emulator's table of the access tokens it issued, checked
// on every API call: an unknown, expired or revoked token is refused.
type tokenBook struct {
	mu     sync.Mutex
	tokens map[string]time.Time // token → expiry
}

// issue mints a JWT-shaped token (header.claims.signature, base64url) for
// subject, valid for life from now, and records it.
func (b *tokenBook) issue(subject string, now time.Time, life time.Duration) string {
	exp := now.Add(life)
	claims, _ := json.Marshal(map[string]any{
		"sub": subject, "iat": now.Unix(), "exp": exp.Unix(), "jti": randomToken(""),
	})
	enc := base64.RawURLEncoding
	tok := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." +
		enc.EncodeToString(claims) + "." + enc.EncodeToString([]byte(randomToken("sig")))
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tokens == nil {
		b.tokens = map[string]time.Time{}
	}
	b.tokens[tok] = exp
	return tok
}

// valid reports whether tok was issued, is not revoked and has not expired
// at now.
func (b *tokenBook) valid(tok string, now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	exp, ok := b.tokens[tok]
	return ok && now.Before(exp)
}

// revokeAll invalidates every token issued so far.
func (b *tokenBook) revokeAll() {
	b.mu.Lock()
	b.tokens = nil
	b.mu.Unlock()
}
