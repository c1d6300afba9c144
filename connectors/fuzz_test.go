package connectors_test

import (
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/credwiz/credwiz/connectors"
)

// FuzzRedact: whatever the text and the secrets, the result holds none of
// the non-empty secrets; with no secrets, the text is unchanged. Seeds are
// in testdata/fuzz/FuzzRedact.
func FuzzRedact(f *testing.F) {
	f.Add(`{"error":"bad secret s3cr3t"}`, "s3cr3t", "")
	f.Add("a+b%20c a b c", "a b c", "a")
	f.Add("[redacted]", "d]", "[")
	f.Add(`\u003cx\u003e <x>`, "<x>", "e")
	f.Fuzz(func(t *testing.T, s, a, b string) {
		out := connectors.Redact(s, a, b)
		for _, sec := range []string{a, b} {
			if sec != "" && strings.Contains(out, sec) {
				t.Fatalf("Redact(%q, %q, %q) = %q still holds %q", s, a, b, out, sec)
			}
		}
		if a == "" && b == "" && out != s {
			t.Fatalf("Redact(%q) with no secrets = %q", s, out)
		}
	})
}

// FuzzCheckURL: CheckURL never panics, and a URL it accepts is https, or
// http with a loopback host (checked here independently of IsLoopback); a
// loopback host never gets a warning. Seeds are in
// testdata/fuzz/FuzzCheckURL.
func FuzzCheckURL(f *testing.F) {
	f.Add("https://uapi.demandbase.com", "demandbase.com")
	f.Add("http://127.0.0.1:8080/base", "demandbase.com")
	f.Add("http://[::1]:1/", "")
	f.Add("http://localhost.:80", "x.com")
	f.Add("http://evil.localhost", "x.com")
	f.Add("HTTP://127.0.0.1", "")
	f.Add("https://user:pw@host.example", "")
	f.Add("https://api.clazar.io.evil.example", "clazar.io")
	f.Fuzz(func(t *testing.T, raw, domain string) {
		warning, err := connectors.CheckURL(raw, domain)
		if err != nil {
			if warning != "" {
				t.Fatalf("CheckURL(%q) gave both a warning and an error", raw)
			}
			return
		}
		u, perr := url.Parse(raw)
		if perr != nil {
			t.Fatalf("CheckURL accepted %q, which does not parse: %v", raw, perr)
		}
		host := u.Hostname()
		loop := loopbackHost(host)
		switch {
		case u.Scheme == "https":
		case u.Scheme == "http" && loop:
		default:
			t.Fatalf("CheckURL accepted %q: scheme %q, host %q", raw, u.Scheme, host)
		}
		if host == "" || u.User != nil {
			t.Fatalf("CheckURL accepted %q without a host or with a user", raw)
		}
		if loop && warning != "" {
			t.Fatalf("loopback %q got a warning: %s", raw, warning)
		}
	})
}

// loopbackHost is the SPEC's loopback set, written independently of
// connectors.IsLoopback: 127.0.0.0/8, ::1 (also IPv4-mapped) and localhost.
func loopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(h)
	return err == nil && ip.Zone() == "" && ip.Unmap().IsLoopback()
}
