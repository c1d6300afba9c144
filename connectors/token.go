package connectors

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// tokenExpiry returns when an access token received at now expires: after
// expiresIn seconds when the vendor said so (and in range), else at the
// token's JWT "exp" claim when it is a JWT, else the zero time (unknown).
func tokenExpiry(now time.Time, expiresIn count, accessToken string) time.Time {
	if d, ok := expiresIn.duration(time.Second); ok && d > 0 {
		return now.Add(d)
	}
	if exp, ok := jwtExpiry(now, accessToken); ok {
		return exp
	}
	return time.Time{}
}

// jwtExpiry reads the "exp" claim of a JWT without verifying its signature:
// it is only used to know when to renew the token, never to trust it.
func jwtExpiry(now time.Time, tok string) (time.Time, bool) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}, false
	}
	var claims struct {
		Exp count `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return time.Time{}, false
	}
	exp, ok := claims.Exp.get()
	if !ok || exp == 0 || exp > now.Add(maxDuration).Unix() {
		return time.Time{}, false
	}
	return time.Unix(exp, 0), true
}

// rejectedOn4xx classifies e, an error of a token endpoint, as rejected
// credentials with hint when the vendor answered 400, 401 or 403: the
// vendors that exchange client credentials as JSON do not document which of
// the three wrong credentials get, so all three mean "rejected".
func rejectedOn4xx(e *Error, status int, hint string) *Error {
	switch status {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden:
		e.Class = ErrRejected
		e.Hint = hint
	}
	return e
}

// jsonCall returns a call that sends body as JSON and asks for JSON back.
func jsonCall(op, method, url string, body any, lc *LeakCheck) call {
	b, err := json.Marshal(body)
	if err != nil {
		panic("connectors: unencodable request body: " + err.Error()) // only fixed struct types are passed
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Accept", "application/json")
	return call{op: op, method: method, url: url, header: h, body: b, leak: lc}
}

// bearerCall returns a GET call authorised with an access token.
func bearerCall(op, url, accessToken string, lc *LeakCheck) call {
	h := http.Header{}
	h.Set("Authorization", "Bearer "+accessToken)
	h.Set("Accept", "application/json")
	return call{op: op, method: http.MethodGet, url: url, header: h, leak: lc}
}

// tokenInto copies t's type (the vendor's word, checked by lc), expiry and
// the token itself into r.
func tokenInto(r *Report, t *oauth2.Token, lc *LeakCheck) {
	r.TokenType = lc.Withhold(strings.ToLower(t.TokenType))
	r.TokenExpires = t.Expiry
	r.Token = t
}

// noField is the ErrVendor error for a successful answer that lacks a field.
func noField(op string, r *response, field string) *Error {
	return &Error{Class: ErrVendor, Op: op, Status: r.status,
		Message: "the answer has no " + field + "; the API may have changed or the base URL points elsewhere"}
}

// vendorStrings returns the top-level string fields of a JSON object body,
// for picking the vendor's error message whatever its shape; nil when the
// body is not a JSON object.
func vendorStrings(body []byte) map[string]string {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

// first returns the first non-empty value of m among keys.
func first(m map[string]string, keys ...string) string {
	for _, k := range keys {
		if m[k] != "" {
			return m[k]
		}
	}
	return ""
}
