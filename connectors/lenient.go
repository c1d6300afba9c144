package connectors

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
)

// Vendor answers are decoded strictly only where a check depends on a
// field (a token, an org ID, the objects a user can read): those are plain
// Go types, and a wrong JSON type is a vendor error. Fields that are only
// shown, or that only refine a default (an expiry), use the types below,
// which never fail: any JSON type, null or absence is accepted, and what
// cannot be read is "not said".

// text is a display-only string: a JSON string as is, a number or boolean
// as written ("credential_id": 1234 reads "1234"), and null, an object or
// an array as "" (not said).
type text string

// UnmarshalJSON implements json.Unmarshaler.
func (t *text) UnmarshalJSON(b []byte) error {
	*t = ""
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
	case b[0] == '"':
		var s string
		if json.Unmarshal(b, &s) == nil {
			*t = text(s)
		}
	case string(b) == "true" || string(b) == "false":
		*t = text(b)
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		*t = text(b)
	}
	return nil
}

// words is a display-only list of words: a space-separated JSON string (as
// Drift sends scopes) or an array of such strings; anything else is none.
type words []string

// UnmarshalJSON implements json.Unmarshaler.
func (w *words) UnmarshalJSON(b []byte) error {
	*w = nil
	var one text
	if json.Unmarshal(b, &one) == nil && one != "" {
		*w = strings.Fields(string(one))
		return nil
	}
	var many []text
	if json.Unmarshal(b, &many) == nil {
		for _, s := range many {
			*w = append(*w, strings.Fields(string(s))...)
		}
	}
	return nil
}

// count is a whole number of a vendor answer (seconds, milliseconds,
// records) that is shown or refines a default: a JSON number or numeric
// string from 0 to 2^53, a fraction rounded down. Anything else (null,
// absence, a negative, NaN, 1e308, a word) is unknown, never an error.
type count struct {
	n     int64
	known bool
}

// maxCount is the largest count: what a float64 holds exactly.
const maxCount = 1 << 53

// maxDuration bounds durations read from vendors (a century), so that no
// expiry computed from them overflows or falls outside the years a
// timestamp can be written in.
const maxDuration = 100 * 365 * 24 * time.Hour

// UnmarshalJSON implements json.Unmarshaler.
func (c *count) UnmarshalJSON(b []byte) error {
	*c = count{}
	var t text
	_ = t.UnmarshalJSON(b)
	f, err := strconv.ParseFloat(strings.TrimSpace(string(t)), 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > maxCount {
		return nil
	}
	*c = count{n: int64(f), known: true}
	return nil
}

// parseCount reads a count from a header value or other text.
func parseCount(s string) count {
	var c count
	_ = c.UnmarshalJSON([]byte(strconv.Quote(s)))
	return c
}

// get returns the count and whether it is known.
func (c count) get() (int64, bool) { return c.n, c.known }

// duration returns the count in units of unit, and false when it is
// unknown or longer than maxDuration (out of range: unknown too).
func (c count) duration(unit time.Duration) (time.Duration, bool) {
	if !c.known || c.n > int64(maxDuration/unit) {
		return 0, false
	}
	return time.Duration(c.n) * unit, true
}

// unixMilli returns the count read as milliseconds since 1970, and false
// when it is unknown, zero, or not a time that can be written as RFC 3339.
func (c count) unixMilli() (time.Time, bool) {
	if !c.known || c.n <= 0 {
		return time.Time{}, false
	}
	t := time.UnixMilli(c.n).UTC()
	return t, writable(t)
}

// writable reports whether t can be written as an RFC 3339 timestamp
// (JSON, the index): years 0 to 9999.
func writable(t time.Time) bool { return t.Year() >= 0 && t.Year() <= 9999 }

// optional is a part of a vendor answer that is only shown: when the
// answer holds something that does not decode as a T (a string where an
// object was expected, null), it reads as absent instead of failing.
type optional[T any] struct {
	v  T
	ok bool
}

// UnmarshalJSON implements json.Unmarshaler.
func (o *optional[T]) UnmarshalJSON(b []byte) error {
	var v T
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) || json.Unmarshal(b, &v) != nil {
		*o = optional[T]{}
		return nil
	}
	*o = optional[T]{v: v, ok: true}
	return nil
}

// get returns the value and whether it was there.
func (o optional[T]) get() (T, bool) { return o.v, o.ok }
