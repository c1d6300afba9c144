package connectors_test

import (
	"testing"

	"github.com/credwiz/credwiz/connectors"
)

// TestIsLoopbackBrackets: brackets count only as the pair around an IPv6
// literal; a lone one is part of a host name that is no loopback address.
func TestIsLoopbackBrackets(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1":   true,
		"[::1]":       true,
		"::1":         true,
		"localhost":   true,
		"127.0.0.0]":  false,
		"[127.0.0.1":  false,
		"[localhost]": true,
		"x.localhost": false,
	} {
		if got := connectors.IsLoopback(host); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", host, got, want)
		}
	}
}
