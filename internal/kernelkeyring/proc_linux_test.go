package kernelkeyring

import (
	"testing"
	"time"
)

func TestParseExpiry(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"perm", 0, false}, {"expd", 0, true}, {"59s", 59 * time.Second, true}, {"14m", 14 * time.Minute, true},
		{"2h", 2 * time.Hour, true}, {"3d", 72 * time.Hour, true}, {"1w", 168 * time.Hour, true}, {"x", 0, false}, {"-1s", 0, false},
	} {
		got, ok := parseExpiry(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseExpiry(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
