//go:build linux

package testenv

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/credwiz/credwiz/connectors/connectortest"
)

// EmulatorOptions are the knobs of an emulator started by Emulator.
type EmulatorOptions struct {
	// Latency delays every answer by this much.
	Latency time.Duration
	// Unthrottled lifts the vendor's rate limit: the emulator's clock
	// advances a second at every reading, so that its per-minute windows
	// never fill. Tokens it issues then age as fast: use it for static
	// keys (Drift, UpPromote), not for tests of token expiry.
	Unthrottled bool
}

// Emulator starts the emulator of connector id with o's knobs, closed
// when t ends.
func Emulator(t testing.TB, id string, o EmulatorOptions) connectortest.Emulator {
	t.Helper()
	em := connectortest.New(id)
	if em == nil {
		t.Fatalf("connectortest.New(%q) = nil: no emulator for this connector", id)
	}
	t.Cleanup(em.Close)
	if o.Latency > 0 {
		em.Faults().Delay(o.Latency)
	}
	if o.Unthrottled {
		if c, ok := em.(interface{ SetClock(func() time.Time) }); ok {
			start := time.Now()
			var ticks atomic.Int64
			c.SetClock(func() time.Time { return start.Add(time.Duration(ticks.Add(1)) * time.Second) })
		}
	}
	return em
}

// Demandbase starts a Demandbase emulator (Emulator).
func Demandbase(t testing.TB, o EmulatorOptions) *connectortest.Demandbase {
	t.Helper()
	return Emulator(t, "demandbase", o).(*connectortest.Demandbase)
}

// Drift starts a Drift emulator (Emulator).
func Drift(t testing.TB, o EmulatorOptions) *connectortest.Drift {
	t.Helper()
	return Emulator(t, "drift", o).(*connectortest.Drift)
}

// MarkSep separates a value from a test marker: "VALUE~rev-17" is VALUE
// marked rev-17.
const MarkSep = "~"

// Mark returns value marked with marker.
func Mark(value, marker string) string { return value + MarkSep + marker }

// Marker returns the marker of a marked value ("" when unmarked).
func Marker(v string) string {
	_, m, _ := strings.Cut(v, MarkSep)
	return m
}

// Unmark returns a marked value's value.
func Unmark(v string) string {
	s, _, _ := strings.Cut(v, MarkSep)
	return s
}

// MarkedFront serves the API at upstream (an emulator's URL) from a URL
// of its own that accepts marked values: in every request it replaces
// each "VALUE~MARKER" by VALUE in the Authorization header (Bearer and
// Basic), the query, and JSON or form bodies, then passes the request on.
// So a credential whose secret carries a marker (its revision, say)
// works against an emulator that knows only VALUE, and a test can tell by
// the marker which revision of a secret credwiz holds. A request whose
// values carry different markers is refused with 401, as a vendor
// refuses a client ID with another key's secret: a credential whose
// client ID and secret are not one pair does not work.
func MarkedFront(t testing.TB, upstream string) string {
	t.Helper()
	target, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	// A request the client gave up on (a cancelled test) is no error worth
	// a line in the test log ("http: proxy error: context canceled").
	proxy.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		if !errors.Is(err, context.Canceled) {
			t.Logf("proxy to %s: %v", r.URL.Path, err)
		}
		w.WriteHeader(http.StatusBadGateway)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ms := unmarkRequest(r); len(ms) > 1 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"error":"invalid_client","message":"the client ID and the secret do not belong together"}`)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// unmarker removes markers and collects them.
type unmarker map[string]bool

func (u unmarker) unmark(v string) string {
	if m := Marker(v); m != "" {
		u[m] = true
	}
	return Unmark(v)
}

// unmarkRequest removes markers from r and returns the markers it found.
func unmarkRequest(r *http.Request) unmarker {
	u := unmarker{}
	if a := r.Header.Get("Authorization"); a != "" {
		scheme, cred, _ := strings.Cut(a, " ")
		switch strings.ToLower(scheme) {
		case "bearer":
			r.Header.Set("Authorization", scheme+" "+u.unmark(cred))
		case "basic":
			if raw, err := base64.StdEncoding.DecodeString(cred); err == nil {
				user, pass, _ := strings.Cut(string(raw), ":")
				r.Header.Set("Authorization", scheme+" "+
					base64.StdEncoding.EncodeToString([]byte(u.userinfo(user)+":"+u.userinfo(pass))))
			}
		}
	}
	if r.URL.RawQuery != "" {
		q := r.URL.Query()
		u.form(q)
		r.URL.RawQuery = q.Encode()
	}
	if r.Body == nil {
		return u
	}
	body, err := io.ReadAll(r.Body)
	_ = r.Body.Close()
	if err != nil {
		body = nil
	}
	ct := r.Header.Get("Content-Type")
	switch {
	case strings.Contains(ct, "json"):
		var v any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if dec.Decode(&v) == nil {
			if b, err := json.Marshal(u.json(v)); err == nil {
				body = b
			}
		}
	case strings.Contains(ct, "x-www-form-urlencoded"):
		if q, err := url.ParseQuery(string(body)); err == nil {
			u.form(q)
			body = []byte(q.Encode())
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return u
}

// userinfo unmarks a percent-encoded Basic auth part.
func (u unmarker) userinfo(s string) string {
	if d, err := url.QueryUnescape(s); err == nil && strings.Contains(d, MarkSep) {
		return url.QueryEscape(u.unmark(d))
	}
	return u.unmark(s)
}

func (u unmarker) form(q url.Values) {
	for k, vs := range q {
		for i := range vs {
			vs[i] = u.unmark(vs[i])
		}
		q[k] = vs
	}
}

func (u unmarker) json(v any) any {
	switch x := v.(type) {
	case string:
		return u.unmark(x)
	case map[string]any:
		for k, e := range x {
			x[k] = u.json(e)
		}
	case []any:
		for i, e := range x {
			x[i] = u.json(e)
		}
	}
	return v
}
