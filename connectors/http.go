package connectors

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Limits of every vendor call.
const (
	// MaxBody is the most of an answer credwiz reads; a longer one is a vendor error.
	MaxBody = 1 << 20
	// MaxRetries is how often a 429 answer is retried.
	MaxRetries = 2
	// MaxRetryWait is the longest total wait for Retry-After across retries.
	MaxRetryWait = 10 * time.Second
	// defaultRetryWait is used when a 429 carries no usable Retry-After.
	defaultRetryWait = time.Second
)

// UserAgent is sent with every request.
const UserAgent = "credwiz"

// call is one vendor request.
type call struct {
	op     string // what is being done, for errors: "token exchange"
	method string
	url    string
	header http.Header
	body   []byte     // sent with each attempt; nil for none
	leak   *LeakCheck // checks every vendor text an error quotes
}

// response is a vendor answer whose body has been read (at most MaxBody).
type response struct {
	status int
	header http.Header
	body   []byte
}

// send performs c with s.HTTP, retrying a 429 answer at most MaxRetries times while the
// total Retry-After wait stays within MaxRetryWait. It returns the answer
// for any other HTTP status, leaving its classification to the caller; a
// transport failure, an exhausted 429 or an over-long body is an *Error. A
// cancelled ctx is returned as ctx.Err(), unclassified.
func (s *Session) send(ctx context.Context, c call) (*response, error) {
	hc := noRedirects(s.HTTP)
	var waited time.Duration
	for attempt := 0; ; attempt++ {
		resp, err := sendOnce(ctx, hc, c)
		if err != nil {
			return nil, err
		}
		if resp.status != http.StatusTooManyRequests {
			return resp, nil
		}
		wait, ok := retryAfter(resp.header.Get("Retry-After"), s.clock())
		if !ok {
			wait = defaultRetryWait
		}
		if attempt >= MaxRetries || waited+wait > MaxRetryWait {
			e := statusError(c.op, resp, c.leak)
			e.Class = ErrRateLimited
			e.Hint = rateLimitHint(resp.header, c.leak)
			return nil, e
		}
		if err := s.sleep(ctx, wait); err != nil {
			return nil, err
		}
		waited += wait
	}
}

func sendOnce(ctx context.Context, hc *http.Client, c call) (*response, error) {
	var body io.Reader
	if c.body != nil {
		body = bytes.NewReader(c.body)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, c.url, body)
	if err != nil {
		// The URL may come from a vendor's answer (Salesforce's instance URL).
		return nil, &Error{Class: ErrUnreachable, Op: c.op, Message: c.leak.Withhold(err.Error())}
	}
	for k, vs := range c.header {
		req.Header[k] = vs
	}
	req.Header.Set("User-Agent", UserAgent)
	resp, err := hc.Do(req)
	if err != nil {
		if ctx.Err() == context.Canceled {
			return nil, ctx.Err()
		}
		return nil, transportError(c.op, req.URL.Host, hc.Timeout, err, c.leak)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return nil, redirectError(c, resp)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		if ctx.Err() == context.Canceled {
			return nil, ctx.Err()
		}
		return nil, transportError(c.op, req.URL.Host, hc.Timeout, err, c.leak)
	}
	if len(b) > MaxBody {
		return nil, &Error{Class: ErrVendor, Op: c.op, Status: resp.StatusCode,
			Message: fmt.Sprintf("the answer is larger than %d KiB, which no %s answer should be", MaxBody>>10, c.op)}
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// transportError classifies a failure to get any answer as ErrUnreachable.
// The host (a vendor's answer may have named it) and Go's own description
// of the failure (which may quote the bytes a server sent) pass lc before
// they join credwiz's sentence.
func transportError(op, host string, timeout time.Duration, err error, lc *LeakCheck) *Error {
	e := &Error{Class: ErrUnreachable, Op: op}
	host = lc.Withhold(host)
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalidCert x509.CertificateInvalidError
	var recordErr tls.RecordHeaderError
	var netErr net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		if timeout > 0 {
			e.Message = fmt.Sprintf("no answer from %s within %s", host, timeout)
		} else {
			e.Message = fmt.Sprintf("no answer from %s in time", host)
		}
		e.Hint = "check the URL and your network, or raise --timeout"
	case errors.As(err, &dnsErr):
		e.Message = fmt.Sprintf("cannot resolve host %s", lc.Withhold(dnsErr.Name))
		e.Hint = "check the URL for typos and that this machine can resolve the vendor's host"
	case errors.Is(err, syscall.ECONNREFUSED):
		e.Message = fmt.Sprintf("connection refused by %s", host)
		e.Hint = "check the URL and port; nothing is listening there"
	case errors.As(err, &certErr), errors.As(err, &unknownCA), errors.As(err, &hostErr),
		errors.As(err, &invalidCert), errors.As(err, &recordErr), errors.Is(err, http.ErrSchemeMismatch):
		e.Message = fmt.Sprintf("TLS verification of %s failed: %s", host, lc.Withhold(tlsReason(err)))
		e.Hint = "credwiz always verifies TLS; check the URL, or the proxy or certificate in between"
	default:
		e.Message = fmt.Sprintf("cannot reach %s: %s", host, lc.Withhold(unwrapURLError(err)))
		e.Hint = "check the URL and your network"
	}
	return e
}

func tlsReason(err error) string {
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalidCert x509.CertificateInvalidError
	var recordErr tls.RecordHeaderError
	switch {
	case errors.As(err, &unknownCA):
		return "certificate signed by an unknown authority"
	case errors.As(err, &hostErr):
		return "certificate is not valid for this host"
	case errors.As(err, &invalidCert):
		return "certificate is invalid or expired"
	case errors.As(err, &recordErr), errors.Is(err, http.ErrSchemeMismatch):
		return "the server did not answer with TLS (is it http:// only?)"
	}
	return unwrapURLError(err)
}

// unwrapURLError drops the "Post \"https://…\":" prefix of a *url.Error.
func unwrapURLError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// retryAfter parses a Retry-After value: delay-seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if strings.Trim(v, "0123456789") == "" {
		// delay-seconds. Clamp before converting, so that a huge value
		// cannot overflow into a negative (immediate) wait; a day is as good
		// as forever against MaxRetryWait.
		const maxSeconds = 24 * 60 * 60
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil || n > maxSeconds {
			n = maxSeconds
		}
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

func rateLimitHint(h http.Header, lc *LeakCheck) string {
	if ra := h.Get("Retry-After"); ra != "" {
		return "the vendor asks to wait (Retry-After: " + truncate(lc.Withhold(ra), 80) + "); try again later"
	}
	return "wait a minute and try again; other integrations may be using the same limit"
}

// statusError builds an *Error for a non-2xx answer with the default class
// for its status (401 rejected, 403 forbidden, 429 rate limited, anything
// else vendor) and an excerpt of the body as the message, withheld if the
// body quotes a secret. Connectors refine Class, Code, Message and Hint
// from the vendor's body.
func statusError(op string, r *response, lc *LeakCheck) *Error {
	e := &Error{Op: op, Status: r.status, Message: vendorSnippet(r.body, lc)}
	switch {
	case r.status == http.StatusUnauthorized:
		e.Class = ErrRejected
	case r.status == http.StatusForbidden:
		e.Class = ErrForbidden
	case r.status == http.StatusTooManyRequests:
		e.Class = ErrRateLimited
	default:
		e.Class = ErrVendor
	}
	return e
}

// snippet returns a short one-line excerpt of a body for an error message.
// It does not check for secrets: use vendorSnippet for anything a vendor sent.
func snippet(b []byte) string {
	return truncate(strings.Join(strings.Fields(strings.ToValidUTF8(string(b), "\uFFFD")), " "), 200)
}

// vendorSnippet returns the excerpt of a vendor's text b, or WithheldNotice
// when b quotes a secret. The whole text is checked before it is shortened
// (a cut could leave a piece of a secret too short to recognise) and the
// excerpt again after (collapsing white space could join one).
func vendorSnippet(b []byte, lc *LeakCheck) string {
	if lc.Leaks(string(b)) {
		return WithheldNotice
	}
	return lc.Withhold(snippet(b))
}

// decode parses r's JSON body into v, or returns an ErrVendor *Error
// naming the field whose type is not the one expected, or quoting the body
// (unless it quotes a secret).
func decode(op string, r *response, v any, lc *LeakCheck) error {
	err := json.Unmarshal(r.body, v)
	if err == nil {
		return nil
	}
	e := &Error{Class: ErrVendor, Op: op, Status: r.status}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" && len(te.Field) <= 80 && strings.Trim(te.Field, fieldPathChars) == "" {
		kind, _, _ := strings.Cut(te.Value, " ") // "number 1e999": the kind, never the value
		e.Message = fmt.Sprintf("unexpected answer: %s is a JSON %s, not the %s expected", te.Field, kind, jsonKind(te.Type))
		return e
	}
	e.Message = "unexpected answer (not the JSON expected): " + vendorSnippet(r.body, lc)
	return e
}

// fieldPathChars are the characters of the JSON field paths credwiz's own
// answer types declare; a path with others came from the vendor's keys.
const fieldPathChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_."

// jsonKind names the JSON type that decodes into t.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Struct, reflect.Map:
		return "object"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "number"
}

// ok reports whether r has a 2xx status.
func (r *response) ok() bool { return r.status >= 200 && r.status < 300 }

// joinURL appends path to base, keeping base's own path prefix.
func joinURL(base, path string) string {
	return strings.TrimRight(base, "/") + path
}

// noRedirects returns a copy of hc that never follows a redirect: Go's
// client would resend a POST body (a client secret, a password) on a 307
// or 308 to any host, past the base-URL policy.
func noRedirects(hc *http.Client) *http.Client {
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// redirectError is the ErrVendor of a 3xx answer, naming only where it
// points (scheme and host).
func redirectError(c call, resp *http.Response) *Error {
	where := "another address"
	if u, err := resp.Location(); err == nil && u.Host != "" {
		where = u.Scheme + "://" + u.Host
	}
	return &Error{Class: ErrVendor, Op: c.op, Status: resp.StatusCode,
		Message: "the server redirects to " + c.leak.Withhold(where) + ", and credwiz does not follow redirects with credentials",
		Hint:    "if you trust that address, set the URL to it"}
}
