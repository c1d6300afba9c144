package vaultkv

import (
	"encoding/json"
	"time"
)

// stringify renders a JSON value from Vault as text: strings as they are,
// numbers and booleans as JSON, null as "", anything else as JSON.
func stringify(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// stringMap renders a JSON object's values with stringify; nil stays nil.
func stringMap(m map[string]any) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = stringify(v)
	}
	return out
}

// parseTime parses an RFC 3339 time from Vault; anything else is zero.
func parseTime(v any) time.Time {
	s, _ := v.(string)
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}
