package testenv

import (
	"fmt"
	"os"
	"sync"
	"testing"
)

// cleanups are the process-wide things to undo when the tests end: the
// binaries built, the shared Secret Service.
var (
	cleanupMu sync.Mutex
	cleanups  []func()
)

// atExit registers f to run when Main returns, last registered first.
func atExit(f func()) {
	cleanupMu.Lock()
	defer cleanupMu.Unlock()
	cleanups = append(cleanups, f)
}

// Main runs m and then removes what the harness made for the whole test
// process (binaries, the shared Secret Service). It returns m's exit code.
func Main(m *testing.M) int {
	code := m.Run()
	cleanupMu.Lock()
	fs := cleanups
	cleanups = nil
	cleanupMu.Unlock()
	for i := len(fs) - 1; i >= 0; i-- {
		fs[i]()
	}
	return code
}

// RequireEnv is the variable that turns the harness's loud skips into
// failures: CI sets it, where every facility must be there.
const RequireEnv = "CREDWIZ_REQUIRE_KEYCHAIN"

// loudOnce remembers which facilities were already reported missing.
var loudOnce sync.Map

// Require skips t with a loud message (printed once per facility, seen
// without -v) because what is missing, or fails it when
// CREDWIZ_REQUIRE_KEYCHAIN=1. fix says how to get it.
func Require(t testing.TB, what string, err error, fix string) {
	t.Helper()
	if os.Getenv(RequireEnv) == "1" {
		t.Fatalf("%s=1 but %s is not available: %v; %s", RequireEnv, what, err, fix)
	}
	msg := fmt.Sprintf("!!! %s TESTS SKIPPED: %v; %s", what, err, fix)
	if _, done := loudOnce.LoadOrStore(what, true); !done {
		fmt.Fprintln(os.Stderr, msg)
	}
	t.Skip(msg)
}
