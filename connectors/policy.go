package connectors

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"unicode/utf8"
)

// CheckURL applies credwiz's base-URL policy to raw: it must be an absolute
// https:// URL with a host and no credentials, query or fragment; http:// is
// allowed only for loopback hosts (127.0.0.0/8, ::1, localhost), for local
// staging. When the host is remote and outside domain (the vendor's own
// domain, e.g. "demandbase.com"; empty means no check), CheckURL returns a
// warning that the secret will be sent there; loopback hosts get none.
func CheckURL(raw, domain string) (warning string, err error) {
	if raw == "" {
		return "", fmt.Errorf("must not be empty")
	}
	if strings.TrimSpace(raw) != raw {
		return "", fmt.Errorf("must not have leading or trailing spaces")
	}
	if strings.Count(raw, "://") > 1 {
		// A URL typed after one already in the field.
		return "", fmt.Errorf("holds two URLs run together (\"://\" appears twice): give only one")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("is not a valid URL: use the form https://host (http://127.0.0.1:PORT for a local test server)")
	}
	if strings.HasSuffix(u.Host, ":") {
		return "", fmt.Errorf("has a colon after the host but no port: use https://host or https://host:port")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return "", fmt.Errorf("must start with https:// (got %q)", truncate(raw, 40))
	}
	host := u.Hostname()
	if host == "" || u.Opaque != "" {
		return "", fmt.Errorf("has no host: use the form https://host (http://127.0.0.1:PORT for a local test server)")
	}
	if u.User != nil {
		return "", fmt.Errorf("must not contain a user name or password")
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return "", fmt.Errorf("must not contain a query (?) or fragment (#)")
	}
	loop := IsLoopback(host)
	if u.Scheme == "http" && !loop {
		return "", fmt.Errorf("must use https:// (http:// is allowed only for loopback hosts such as 127.0.0.1 or localhost)")
	}
	if !loop && domain != "" && !inDomain(host, domain) {
		return fmt.Sprintf("%s is not a %s host: the secret will be sent to %s", host, domain, host), nil
	}
	return "", nil
}

// IsLoopback reports whether host (without port) is a loopback host: an IP
// literal in 127.0.0.0/8 or ::1, or the name localhost. Other names, even
// "x.localhost" or "127.0.0.1." with a trailing dot, are not: Go resolves
// them through the system resolver or DNS, which may answer any address.
func IsLoopback(host string) bool {
	h := host
	if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		h = h[1 : len(h)-1] // an IPv6 literal as written in a URL
	}
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func inDomain(host, domain string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	d := strings.ToLower(domain)
	return h == d || strings.HasSuffix(h, "."+d)
}

// truncate shortens s to at most n bytes plus an ellipsis, never cutting a
// UTF-8 sequence in two.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
