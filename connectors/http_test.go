package connectors

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name  string
		value string
		want  time.Duration
		ok    bool
	}{
		{name: "seconds", value: "3", want: 3 * time.Second, ok: true},
		{name: "zero", value: "0", want: 0, ok: true},
		{name: "padded", value: " 2 ", want: 2 * time.Second, ok: true},
		{name: "huge is clamped, not overflowed", value: "99999999999999999999999", want: 24 * time.Hour, ok: true},
		{name: "negative", value: "-1", ok: false},
		{name: "fraction", value: "1.5", ok: false},
		{name: "empty", value: "", ok: false},
		{name: "garbage", value: "soon", ok: false},
		{name: "HTTP date", value: now.Add(4 * time.Second).Format(http.TimeFormat), want: 4 * time.Second, ok: true},
		{name: "HTTP date in the past", value: now.Add(-time.Hour).Format(http.TimeFormat), want: 0, ok: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := retryAfter(tt.value, now)
			if got != tt.want || ok != tt.ok {
				t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tt.value, got, ok, tt.want, tt.ok)
			}
		})
	}
}

// TestSendRetries records the waits between retries through the
// session's wait, instead of waiting.
func TestSendRetries(t *testing.T) {
	// A fixed clock: the dates are read against it, however loaded the machine.
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	date := func(d time.Duration) string { return now.Add(d).Format(http.TimeFormat) }
	tests := []struct {
		name         string
		retryAfter   []string // one 429 per entry, then 200
		wantErr      error
		wantAttempts int
		wantSlept    []time.Duration // ±1 s for HTTP dates
	}{
		{name: "one 429 then success", retryAfter: []string{"1"}, wantAttempts: 2, wantSlept: []time.Duration{time.Second}},
		{name: "two 429s then success", retryAfter: []string{"2", "3"}, wantAttempts: 3, wantSlept: []time.Duration{2 * time.Second, 3 * time.Second}},
		{name: "at most two retries", retryAfter: []string{"1", "1", "1"}, wantErr: ErrRateLimited, wantAttempts: 3, wantSlept: []time.Duration{time.Second, time.Second}},
		{name: "no Retry-After waits a second", retryAfter: []string{""}, wantAttempts: 2, wantSlept: []time.Duration{time.Second}},
		{name: "HTTP date", retryAfter: []string{date(5 * time.Second)}, wantAttempts: 2, wantSlept: []time.Duration{5 * time.Second}},
		{name: "one wait over 10 s gives up at once", retryAfter: []string{"11"}, wantErr: ErrRateLimited, wantAttempts: 1},
		{name: "total over 10 s gives up", retryAfter: []string{"6", "6"}, wantErr: ErrRateLimited, wantAttempts: 2, wantSlept: []time.Duration{6 * time.Second}},
		{name: "exactly 10 s is allowed", retryAfter: []string{"4", "6"}, wantAttempts: 3, wantSlept: []time.Duration{4 * time.Second, 6 * time.Second}},
		{name: "huge value gives up", retryAfter: []string{"99999999999999999999"}, wantErr: ErrRateLimited, wantAttempts: 1},
	}
	var mu sync.Mutex
	var slept []time.Duration
	wait := func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		slept = append(slept, d)
		mu.Unlock()
		return ctx.Err()
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			slept = nil
			var count atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := int(count.Add(1))
				if n <= len(tt.retryAfter) {
					if ra := tt.retryAfter[n-1]; ra != "" {
						w.Header().Set("Retry-After", ra)
					}
					w.WriteHeader(http.StatusTooManyRequests)
					return
				}
				w.Write([]byte(`{}`))
			}))
			defer srv.Close()
			s := &Session{HTTP: srv.Client(), wait: wait, now: func() time.Time { return now }}
			_, err := s.send(context.Background(), call{op: "GET /x", method: "GET", url: srv.URL})
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err = %v; want %v", err, tt.wantErr)
			}
			if attempts := int(count.Load()); attempts != tt.wantAttempts {
				t.Errorf("attempts = %d; want %d", attempts, tt.wantAttempts)
			}
			if len(slept) != len(tt.wantSlept) {
				t.Fatalf("slept %v; want %v", slept, tt.wantSlept)
			}
			for i := range slept {
				if d := slept[i] - tt.wantSlept[i]; d < -time.Second || d > time.Second {
					t.Errorf("slept %v; want %v", slept, tt.wantSlept)
				}
			}
			if tt.wantErr == ErrRateLimited && HintOf(err) == "" {
				t.Error("a rate-limit error needs a hint")
			}
		})
	}
}

func TestSendClassifiesTransportFailures(t *testing.T) {
	t.Parallel()
	tlsSrv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is the point
	tlsSrv.StartTLS()
	t.Cleanup(tlsSrv.Close)
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(plain.Close)
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); slow.Close() })
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + l.Addr().String()
	l.Close()
	// No network: the resolver's DNS "server" fails at once, as a lookup
	// with no answer does, so that the name reaches no real resolver.
	noDNS := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DialContext: (&net.Dialer{
		Resolver: &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
			return nil, errors.New("no DNS server in tests")
		}},
	}).DialContext}}

	tests := []struct {
		name    string
		client  *http.Client
		url     string
		ctx     func() (context.Context, context.CancelFunc)
		wantMsg string
	}{
		{name: "refused connection", url: refused, wantMsg: "connection refused"},
		{name: "DNS failure", client: noDNS, url: "https://credwiz-test.invalid/x", wantMsg: "cannot resolve host credwiz-test.invalid"},
		{name: "TLS unknown authority with the default client", url: tlsSrv.URL, wantMsg: "certificate signed by an unknown authority"},
		{name: "TLS to a plain HTTP server", url: strings.Replace(plain.URL, "http://", "https://", 1), wantMsg: "did not answer with TLS"},
		{name: "client timeout", client: &http.Client{Timeout: 100 * time.Millisecond}, url: slow.URL, wantMsg: "no answer from 127.0.0.1"},
		{name: "context deadline", url: slow.URL, wantMsg: "no answer from 127.0.0.1",
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 100*time.Millisecond)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hc := tt.client
			if hc == nil {
				hc = &http.Client{Timeout: 5 * time.Second}
			}
			ctx, cancel := context.Background(), context.CancelFunc(func() {})
			if tt.ctx != nil {
				ctx, cancel = tt.ctx()
			}
			defer cancel()
			_, err := (&Session{HTTP: hc}).send(ctx, call{op: "GET /x", method: "GET", url: tt.url, leak: NewLeakCheck("s3cret")})
			if !errors.Is(err, ErrUnreachable) {
				t.Fatalf("err = %v; want ErrUnreachable", err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("err = %q; want it to say %q", err, tt.wantMsg)
			}
			if HintOf(err) == "" {
				t.Error("an unreachable error needs a hint")
			}
		})
	}
}

func TestSendBodies(t *testing.T) {
	t.Parallel()
	const secret = "S3cr3t-Value-0123456789abcdef"
	tests := []struct {
		name      string
		status    int
		body      string
		decode    bool
		wantClass error
		wantMsg   string
		forbidden []string // substrings the message must not hold
	}{
		{name: "body at MaxBody is read", status: 200, body: strings.Repeat("a", MaxBody)},
		{name: "body over MaxBody is a vendor error", status: 200, body: strings.Repeat("a", MaxBody+1), wantClass: ErrVendor, wantMsg: "larger than 1024 KiB"},
		{name: "malformed JSON", status: 200, body: `{"accessToken": "abc"`, decode: true, wantClass: ErrVendor, wantMsg: "not the JSON expected"},
		{name: "HTML instead of JSON", status: 200, body: `<html><body>Login</body></html>`, decode: true, wantClass: ErrVendor, wantMsg: "<html>"},
		{name: "malformed JSON echoing the secret", status: 200, body: `{"echo": "` + secret, decode: true, wantClass: ErrVendor, wantMsg: WithheldNotice, forbidden: []string{secret, `{"echo"`}},
		{name: "wrong type of a field", status: 200, body: `{"n": "12"}`, decode: true, wantClass: ErrVendor, wantMsg: "n is a JSON string, not the number expected"},
		{name: "401 is rejected", status: 401, body: `{"message":"Unauthorized"}`, wantClass: ErrRejected, wantMsg: "Unauthorized"},
		{name: "403 is forbidden", status: 403, body: `nope`, wantClass: ErrForbidden},
		{name: "404 is a vendor error", status: 404, body: `missing`, wantClass: ErrVendor},
		{name: "502 is a vendor error", status: 502, body: `bad gateway`, wantClass: ErrVendor},
		// Shortening before redacting would keep the secret's first bytes.
		{name: "secret across the snippet's cut", status: 400, body: strings.Repeat("x ", 97) + secret, wantClass: ErrVendor, forbidden: []string{secret[:6]}},
		// Collapsing white space before redacting would change the secret.
		{name: "secret with inner white space", status: 400, body: "was: ab  cd" + secret, wantClass: ErrVendor, forbidden: []string{"cd" + secret[:4], "ab cd"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			lc := NewLeakCheck(secret, "ab  cd"+secret)
			r, err := (&Session{HTTP: srv.Client()}).send(context.Background(), call{op: "GET /x", method: "GET", url: srv.URL, leak: lc})
			if err == nil && !r.ok() {
				err = statusError("GET /x", r, lc)
			}
			if err == nil && tt.decode {
				var v struct {
					N int `json:"n"`
				}
				err = decode("GET /x", r, &v, lc)
			}
			if tt.wantClass == nil {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if !errors.Is(err, tt.wantClass) {
				t.Fatalf("err = %v; want %v", err, tt.wantClass)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("err = %q; want it to hold %q", err, tt.wantMsg)
			}
			for _, f := range tt.forbidden {
				if strings.Contains(err.Error(), f) {
					t.Errorf("err = %q holds %q", err, f)
				}
			}
		})
	}
}

func TestSendSendsBodyOnEveryAttempt(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		first := len(bodies) == 1
		mu.Unlock()
		if first {
			w.WriteHeader(http.StatusTooManyRequests)
		}
		if ua := r.Header.Get("User-Agent"); ua != UserAgent {
			t.Errorf("User-Agent = %q", ua)
		}
	}))
	defer srv.Close()
	c := jsonCall("POST /x", "POST", srv.URL, map[string]string{"a": "b"}, nil)
	s := &Session{HTTP: srv.Client(), wait: func(context.Context, time.Duration) error { return nil }}
	if _, err := s.send(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) != 2 || bodies[0] != `{"a":"b"}` || bodies[1] != bodies[0] {
		t.Errorf("bodies = %q; want the JSON body twice", bodies)
	}
}
