//go:build credwiz_testhooks

package ui

import (
	"fmt"
	"time"

	"github.com/credwiz/credwiz/store"
)

// pauseEnv names a write step of the store (store.Steps) at which a
// binary built with the credwiz_testhooks tag stops and waits forever,
// after printing "credwiz: paused at STEP" on stderr, so that the fault
// tests can SIGKILL a real process between two writes. CREDWIZ_TEST_PAUSE_N
// (default 1) pauses at the Nth time the step is reached.
const pauseEnv = "CREDWIZ_TEST_PAUSE_AT"

// testHook returns the store hook that implements pauseEnv, or nil.
func testHook(f *Factory) func(store.Step) {
	at := f.Getenv(pauseEnv)
	if at == "" {
		return nil
	}
	n := 1
	fmt.Sscan(f.Getenv("CREDWIZ_TEST_PAUSE_N"), &n)
	seen := 0
	return func(s store.Step) {
		if string(s) != at {
			return
		}
		if seen++; seen < n {
			return
		}
		fmt.Fprintf(f.IO.ErrOut, "credwiz: paused at %s\n", s)
		for {
			time.Sleep(time.Hour)
		}
	}
}
