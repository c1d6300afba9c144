package connectors

import (
	"context"
	"net/http"
	"time"
)

// defaultTimeout bounds each request when the caller gives no client.
const defaultTimeout = 15 * time.Second

// Session is one use of a credential by a connector's Probe or Mint: its
// values, prepared once, the leak check of its secrets, and the client
// every request goes through.
type Session struct {
	// Values are the credential's values, normalized and validated: only
	// the keys the connector declares, defaults filled in.
	Values Values
	// Leak holds the credential's secrets: every vendor text passes it
	// before it reaches an Error or a Report.
	Leak *LeakCheck
	// HTTP carries the requests; never nil.
	HTTP *http.Client
	// wait sleeps between the retries of a rate-limited request; nil
	// waits on a timer.
	wait func(ctx context.Context, d time.Duration) error
	// now is the clock Retry-After dates are read against; nil is
	// time.Now.
	now func() time.Time
}

// clock returns the session's time.
func (s *Session) clock() time.Time {
	if s.now != nil {
		return s.now()
	}
	return time.Now()
}

// session normalizes v and validates the fields c declares (keys it does
// not declare are dropped, not reported), so that no Probe or Mint sends a
// secret to a URL the policy refuses or with a value that Validate would
// refuse.
func (c *Connector) session(hc *http.Client, v Values) (*Session, error) {
	n := c.Normalize(v)
	own := make(Values, len(c.Fields))
	for _, f := range c.Fields {
		if val, ok := n[f.Key]; ok {
			own[f.Key] = val
		}
	}
	if err := c.Validate(own); err != nil {
		return nil, err
	}
	if hc == nil {
		hc = &http.Client{Timeout: defaultTimeout}
	}
	return &Session{Values: own, Leak: NewLeakCheck(c.Secrets(own)...), HTTP: hc}, nil
}

// sleep waits d or until ctx is done.
func (s *Session) sleep(ctx context.Context, d time.Duration) error {
	if s.wait != nil {
		return s.wait(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
