package connectors_test

import (
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/credwiz/credwiz/connectors"
)

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
	f.Add("https://uapi.demandbase.comhttp://127.0.0.1:37285", "demandbase.com")
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
		if strings.Count(raw, "://") != 1 || strings.HasSuffix(u.Host, ":") {
			t.Fatalf("CheckURL accepted %q: two URLs run together, or a colon without a port", raw)
		}
		if loop && warning != "" {
			t.Fatalf("loopback %q got a warning: %s", raw, warning)
		}
	})
}

// loopbackHost is the product's loopback set, written independently of
// connectors.IsLoopback: 127.0.0.0/8, ::1 (also IPv4-mapped) and localhost.
func loopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(h)
	return err == nil && ip.Zone() == "" && ip.Unmap().IsLoopback()
}

// TestCheckURLTwoURLsRunTogether: a URL typed after a pre-filled one (the
// default kept, the new one appended) is refused when it is entered, with
// the reason, not accepted with a warning about a host such as
// "uapi.demandbase.comhttp".
func TestCheckURLTwoURLsRunTogether(t *testing.T) {
	for _, raw := range []string{
		"https://uapi.demandbase.comhttp://127.0.0.1:37285",
		"https://api.clazar.iohttps://api.clazar.io",
		"https://driftapi.com/https://example.com",
		"https://driftapi.com:",
	} {
		if w, err := connectors.CheckURL(raw, "demandbase.com"); err == nil {
			t.Errorf("CheckURL(%q) accepted it (warning %q)", raw, w)
		} else if raw != "https://driftapi.com:" && !strings.Contains(err.Error(), "two URLs") {
			t.Errorf("CheckURL(%q): %v; want it to say two URLs were run together", raw, err)
		}
	}
}
