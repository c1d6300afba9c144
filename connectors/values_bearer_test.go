package connectors

import "testing"

func TestStripBearer(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"prefixed", "Bearer abc", "abc"},
		{"lower case, two spaces", "bearer  abc", "abc"},
		{"tab", "BEARER\tabc", "abc"},
		{"scheme alone", "Bearer", ""},
		{"scheme alone lower", "bearer", ""},
		{"no prefix", "abc", "abc"},
		{"token starting with the letters", "Bearerless123", "Bearerless123"},
		{"short", "Bea", "Bea"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := StripBearer(tt.in); got != tt.want {
				t.Errorf("StripBearer(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeBearerOnlyIsMissing(t *testing.T) {
	c, _ := Lookup("drift")
	v := c.Normalize(Values{"api_key": "Bearer ", "base_url": "https://driftapi.com"})
	var missing *MissingError
	if err := c.Validate(v); err == nil || !asMissing(err, &missing) || missing.Keys[0] != "api_key" {
		t.Fatalf("a pasted %q alone: Validate = %v, want api_key missing", "Bearer ", err)
	}
}

func asMissing(err error, target **MissingError) bool {
	m, ok := err.(*MissingError)
	if ok {
		*target = m
	}
	return ok
}
