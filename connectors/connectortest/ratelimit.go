package connectortest

import (
	"strconv"
	"sync"
	"time"
)

// rateWindow is a fixed-window rate limiter, as UpPromote (120 a minute, failed
// calls included) and Drift (600 a minute) describe theirs.
type rateWindow struct {
	mu    sync.Mutex
	limit int
	per   time.Duration
	start time.Time
	used  int
}

// take counts one request at now. It reports whether the request is within
// the limit, how many remain in the window and when the window resets.
func (w *rateWindow) take(now time.Time) (ok bool, remaining int, reset time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.roll(now)
	w.used++
	reset = w.start.Add(w.per).Sub(now)
	return w.used <= w.limit, max(w.limit-w.used, 0), reset
}

// use consumes n requests of the current window, as other integrations
// sharing the limit would.
func (w *rateWindow) use(now time.Time, n int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.roll(now)
	w.used += n
}

func (w *rateWindow) roll(now time.Time) {
	if w.start.IsZero() || !now.Before(w.start.Add(w.per)) {
		w.start, w.used = now, 0
	}
}

// retryAfterSeconds formats d as whole seconds, rounded up, for Retry-After.
func retryAfterSeconds(d time.Duration) string {
	return strconv.Itoa(int((d + time.Second - 1) / time.Second))
}
