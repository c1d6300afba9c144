package vaultkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/hashicorp/vault/api"
)

// maxBody caps every answer read from Vault (a KV value is at most a few
// MB; Vault's own request limit is 32 MiB).
const maxBody = 32 << 20

// errTooLarge is returned when an answer exceeds maxBody.
var errTooLarge = fmt.Errorf("Vault's answer is larger than %d MiB", maxBody>>20)

// cappedTransport limits the size of every response body, so that a
// hostile or broken server cannot make the client read without end (the
// api package buffers error bodies whole).
type cappedTransport struct{ base http.RoundTripper }

// RoundTrip sends r with the base transport and caps the answer's body.
func (t cappedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if resp != nil && resp.Body != nil {
		resp.Body = &cappedBody{rc: resp.Body, left: maxBody}
	}
	return resp, err
}

// cappedBody fails with errTooLarge once more than left bytes are read.
type cappedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more tells a body of exactly the limit from a longer one.
		var one [1]byte
		if n, err := b.rc.Read(one[:]); n == 0 && err != nil {
			return 0, err
		}
		return 0, errTooLarge
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *cappedBody) Close() error { return b.rc.Close() }

// retryPolicy returns the api client's retry policy (connection resets,
// 412 and 5xx answers, at most VAULT_MAX_RETRIES times) except that it
// never retries once the request's context is done, nor when the wait
// before the next attempt (at most maxWait) would not leave it time, nor
// what another attempt cannot fix soon: a refused connection, a host name
// that does not resolve, a sealed or unavailable server (503), a rate
// limit (429, whose Retry-After may be an hour). So a failure is reported
// at once, with Vault's own answer rather than a timeout, and no retry
// outlives the timeout.
func retryPolicy(maxWait time.Duration) func(context.Context, *http.Response, error) (bool, error) {
	return func(ctx context.Context, resp *http.Response, err error) (bool, error) {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		var dnsErr *net.DNSError
		if err != nil && (errors.Is(err, syscall.ECONNREFUSED) || errors.As(err, &dnsErr)) {
			return false, nil
		}
		if resp != nil && (resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusTooManyRequests) {
			return false, nil
		}
		retry, rerr := api.DefaultRetryPolicy(ctx, resp, err)
		if retry {
			// Room for the wait and for an attempt as long as the wait.
			if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < 2*maxWait {
				return false, rerr
			}
		}
		return retry, rerr
	}
}
