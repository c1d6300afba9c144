package ui

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// cancelGrace is how long a command has to end after SIGINT or SIGTERM
// before the process exits anyway (every write is crash-safe).
const cancelGrace = time.Second

// signalRouter decides where SIGINT and SIGTERM go: to cancelling the
// running command, or, while credwiz exec runs a program, to exec, which
// passes them on.
type signalRouter struct {
	mu        sync.Mutex
	handled   bool             // HandleSignals was called
	to        chan<- os.Signal // exec's, while it runs a program
	cancelled bool             // a signal cancelled the command
}

// HandleSignals makes SIGINT and SIGTERM cancel the running command (the
// process exits 130 at most a second later), except while credwiz exec
// runs a program: then they go to the program. main calls it once, before
// Main. A signal the process was started with ignored (nohup, a
// background job of a script) stays ignored.
func (f *Factory) HandleSignals(cancel context.CancelFunc) {
	var watch []os.Signal
	for _, s := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		if !signal.Ignored(s) {
			watch = append(watch, s)
		}
	}
	f.sig.mu.Lock()
	f.sig.handled = true
	f.sig.mu.Unlock()
	if len(watch) == 0 {
		return
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, watch...)
	go func() {
		for s := range sigs {
			if f.sig.cancelOrRoute(s, cancel) {
				time.AfterFunc(cancelGrace, func() {
					f.releaseTerminal()
					fmt.Fprintln(os.Stderr, "Cancelled.")
					os.Exit(130)
				})
				return
			}
		}
	}()
}

// cancelOrRoute passes s to exec's program if one runs, else cancels the
// command and reports true.
func (r *signalRouter) cancelOrRoute(s os.Signal, cancel context.CancelFunc) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.to != nil {
		select {
		case r.to <- s:
		default: // a full queue: the program has not taken the last ones yet
		}
		return false
	}
	r.cancelled = true
	cancel()
	return true
}

// route sends SIGINT and SIGTERM to ch from now on, until unroute. It
// reports false when a signal has already cancelled the command, and
// whether HandleSignals watches them at all (else the caller must).
func (r *signalRouter) route(ch chan<- os.Signal) (ok, handled bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cancelled {
		return false, r.handled
	}
	r.to = ch
	return true, r.handled
}

// unroute ends route.
func (r *signalRouter) unroute() {
	r.mu.Lock()
	r.to = nil
	r.mu.Unlock()
}
