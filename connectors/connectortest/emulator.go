package connectortest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"

	"github.com/credwiz/credwiz/connectors"
)

// Emulator is a running fake of one vendor's API.
type Emulator interface {
	// URL is the base URL to put in the connector's URL field.
	URL() string
	// Values returns field values that the emulator accepts.
	Values() connectors.Values
	// SetSecrets makes the emulator accept exactly the given secret values
	// (every secret field of the connector, by key) from now on, as a
	// rotation at the vendor would.
	SetSecrets(s map[string]string)
	// Faults returns the fault injector shared by all of its endpoints.
	Faults() *Faults
	// Requests returns "METHOD /path" of every request received, in order.
	Requests() []string
	// TokensIssued counts successful token exchanges.
	TokensIssued() int
	// SetVariant makes every successful answer from now on vary as v
	// describes (VariantNone, the default, sends answers as documented).
	SetVariant(v Variant)
	// Rewrite installs f, which may change every answer (status, headers,
	// body) before it is sent, after any variant; nil removes it.
	Rewrite(f func(r *http.Request, a *Answer))
	// Close shuts the emulator down, releasing hung requests.
	Close()
}

// Faults injects failures into every request of an emulator. The zero
// value injects none. Methods are safe for concurrent use.
type Faults struct {
	mu         sync.Mutex
	hang       bool
	delay      time.Duration
	rateLimit  int    // answer this many next requests with 429
	retryAfter string // Retry-After value sent with 429s ("" = none)
	serverErr  int    // answer this many next requests with 500
	done       chan struct{}
}

// Hang makes every request wait, unanswered, until the emulator closes.
func (f *Faults) Hang(on bool) { f.mu.Lock(); f.hang = on; f.mu.Unlock() }

// Delay makes every request wait d before it is answered.
func (f *Faults) Delay(d time.Duration) { f.mu.Lock(); f.delay = d; f.mu.Unlock() }

// RateLimit answers the next n requests with 429 and the given Retry-After
// value ("" sends none).
func (f *Faults) RateLimit(n int, retryAfter string) {
	f.mu.Lock()
	f.rateLimit, f.retryAfter = n, retryAfter
	f.mu.Unlock()
}

// ServerError answers the next n requests with 500.
func (f *Faults) ServerError(n int) { f.mu.Lock(); f.serverErr = n; f.mu.Unlock() }

// apply runs the injected faults for one request. It returns the status to
// answer with instead of the normal one (0 for none), and the Retry-After.
func (f *Faults) apply(r *http.Request) (status int, retryAfter string) {
	f.mu.Lock()
	hang, delay, done := f.hang, f.delay, f.done
	switch {
	case f.rateLimit > 0:
		f.rateLimit--
		status, retryAfter = http.StatusTooManyRequests, f.retryAfter
	case f.serverErr > 0:
		f.serverErr--
		status = http.StatusInternalServerError
	}
	f.mu.Unlock()
	if hang {
		select {
		case <-r.Context().Done():
		case <-done:
		}
		return -1, ""
	}
	if delay > 0 {
		select {
		case <-r.Context().Done():
			return -1, ""
		case <-time.After(delay):
		}
	}
	return status, retryAfter
}

// Base is the common part of every emulator: the server, request log,
// fault injection, token counter and a clock. Vendor emulators embed it and
// supply the handler.
type Base struct {
	srv    *httptest.Server
	faults *Faults

	mu       sync.Mutex
	requests []string
	issued   int
	now      func() time.Time
	shapes   []answerShape // which fields of which answers variants may change
	variant  Variant
	rewrite  func(r *http.Request, a *Answer)
}

// Start serves h behind the request log and fault injection. A fault's
// status is written with the body that vendorError writes for it. An
// emulator calls it once, from its constructor.
func (b *Base) Start(h http.Handler, vendorError func(w http.ResponseWriter, status int)) {
	b.faults = &Faults{done: make(chan struct{})}
	if b.now == nil {
		b.now = time.Now
	}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		b.requests = append(b.requests, r.Method+" "+r.URL.Path)
		b.mu.Unlock()
		status, ra := b.faults.apply(r)
		switch {
		case status < 0:
			return
		case status > 0:
			if ra != "" {
				w.Header().Set("Retry-After", ra)
			}
			vendorError(w, status)
			return
		}
		b.mu.Lock()
		variant, rewrite, shapes := b.variant, b.rewrite, b.shapes
		b.mu.Unlock()
		if variant == VariantNone && rewrite == nil {
			h.ServeHTTP(w, r)
			return
		}
		a := record(h, r)
		if variant != VariantNone && a.Status >= 200 && a.Status < 300 {
			a.Body = vary(variant, shapeFor(shapes, r.URL.Path), a.Body)
		}
		if rewrite != nil {
			rewrite(r, a)
		}
		a.send(w)
	}))
}

// SetVariant makes every successful answer vary as v describes.
func (b *Base) SetVariant(v Variant) { b.mu.Lock(); b.variant = v; b.mu.Unlock() }

// Rewrite installs f, which may change every answer before it is sent.
func (b *Base) Rewrite(f func(r *http.Request, a *Answer)) { b.mu.Lock(); b.rewrite = f; b.mu.Unlock() }

// URL returns the server's base URL.
func (b *Base) URL() string { return b.srv.URL }

// Faults returns the fault injector.
func (b *Base) Faults() *Faults { return b.faults }

// Requests returns the request log.
func (b *Base) Requests() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.requests...)
}

// TokensIssued counts successful token exchanges.
func (b *Base) TokensIssued() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.issued
}

// SetClock replaces the emulator's clock, for token-expiry tests.
func (b *Base) SetClock(now func() time.Time) { b.mu.Lock(); b.now = now; b.mu.Unlock() }

// Now returns the emulator's current time.
func (b *Base) Now() time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.now()
}

// CountToken records one successful token exchange.
func (b *Base) CountToken() { b.mu.Lock(); b.issued++; b.mu.Unlock() }

// Close shuts the server down, releasing hung requests first.
func (b *Base) Close() {
	b.faults.mu.Lock()
	select {
	case <-b.faults.done:
	default:
		close(b.faults.done)
	}
	b.faults.mu.Unlock()
	b.srv.CloseClientConnections()
	b.srv.Close()
}

// randomToken returns a fresh opaque token with the given prefix.
func randomToken(prefix string) string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return prefix + hex.EncodeToString(b[:])
}

// writeJSON writes status and a JSON body.
func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	fmt.Fprint(w, body)
}

// vendorText returns the vendor's own text for an HTTP status, from texts,
// or else Go's standard one.
func vendorText(status int, texts map[int]string) string {
	if t, ok := texts[status]; ok {
		return t
	}
	return http.StatusText(status)
}
