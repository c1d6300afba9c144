package connectortest

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// bearerToken returns the token of an "Authorization: Bearer <token>"
// header (the scheme is case-insensitive, as RFC 6750 says).
func bearerToken(r *http.Request) (string, bool) {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return "", false
	}
	return tok, true
}

// mediaType returns the media type of r's Content-Type, without parameters.
func mediaType(r *http.Request) string {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt
}

// isJSON reports whether r declares a JSON body.
func isJSON(r *http.Request) bool { return mediaType(r) == "application/json" }

// decodeBody reads r's JSON body into v, refusing unknown fields, trailing
// data and bodies over 64 KiB.
func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errTrailing
	}
	return nil
}

var errTrailing = errors.New("trailing data after the JSON body")

// jsonString quotes s as a JSON string, for building error bodies.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// intParam reads query parameter key as an integer from lo to hi; def when
// absent, ok false when present but invalid.
func intParam(q url.Values, key string, def, lo, hi int) (n int, ok bool) {
	if !q.Has(key) {
		return def, true
	}
	n, err := strconv.Atoi(q.Get(key))
	return n, err == nil && n >= lo && n <= hi
}
