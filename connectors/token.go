package connectors

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// number is a JSON count (seconds, milliseconds, records) that also accepts
// a numeric string and reads anything else (null, garbage, a negative or
// absurd value) as 0, "not said": vendors are loose about such fields and a
// bad one must not fail an otherwise good answer.
type number int64

// maxNumber bounds a number to what a float64 holds exactly.
const maxNumber = 1 << 53

// maxDuration bounds durations read from vendors (a century), so that
// converting a number to a time.Duration cannot overflow.
const maxDuration = 100 * 365 * 24 * time.Hour

// UnmarshalJSON implements json.Unmarshaler.
func (n *number) UnmarshalJSON(b []byte) error {
	*n = 0
	f, err := strconv.ParseFloat(strings.Trim(string(b), `"`), 64)
	if err != nil || math.IsNaN(f) || f <= 0 {
		return nil
	}
	*n = number(min(f, maxNumber))
	return nil
}

// duration returns n units as a time.Duration, at most maxDuration.
func (n number) duration(unit time.Duration) time.Duration {
	if int64(n) > int64(maxDuration/unit) {
		return maxDuration
	}
	return time.Duration(n) * unit
}

// tokenExpiry returns when an access token received at now expires: after
// expiresIn seconds when the vendor said so, else at the token's JWT "exp"
// claim when it is a JWT, else the zero time (unknown).
func tokenExpiry(now time.Time, expiresIn number, accessToken string) time.Time {
	if expiresIn > 0 {
		return now.Add(expiresIn.duration(time.Second))
	}
	if exp, ok := jwtExpiry(accessToken); ok {
		return exp
	}
	return time.Time{}
}

// jwtExpiry reads the "exp" claim of a JWT without verifying its signature:
// it is only used to know when to renew the token, never to trust it.
func jwtExpiry(tok string) (time.Time, bool) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}, false
	}
	var claims struct {
		Exp number `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.Exp == 0 {
		return time.Time{}, false
	}
	if claims.Exp > number(time.Now().Add(maxDuration).Unix()) {
		return time.Time{}, false
	}
	return time.Unix(int64(claims.Exp), 0), true
}

// jsonCall returns a call that sends body as JSON and asks for JSON back.
func jsonCall(op, method, url string, body any, secrets []string) call {
	b, err := json.Marshal(body)
	if err != nil {
		panic("connectors: unencodable request body: " + err.Error()) // only fixed struct types are passed
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Accept", "application/json")
	return call{op: op, method: method, url: url, header: h, body: b, secrets: secrets}
}

// bearerCall returns a GET call authorised with an access token.
func bearerCall(op, url, accessToken string, secrets []string) call {
	h := http.Header{}
	h.Set("Authorization", "Bearer "+accessToken)
	h.Set("Accept", "application/json")
	return call{op: op, method: http.MethodGet, url: url, header: h, secrets: secrets}
}

// tokenInto copies t's type, expiry and the token itself into r.
func tokenInto(r *Report, t *oauth2.Token) {
	r.TokenType = strings.ToLower(t.TokenType)
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
