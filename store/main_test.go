package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
)

// helperEnv, when set in a child process of the test binary, names the
// helper action the child runs instead of the tests (the TestHelperProcess
// pattern, in TestMain).
const helperEnv = "CREDWIZ_STORE_TEST_HELPER"

func TestMain(m *testing.M) {
	if action := os.Getenv(helperEnv); action != "" {
		os.Exit(runHelper(action))
	}
	os.Exit(m.Run())
}

// helperCmd returns a command that re-runs this test binary as the helper
// action with the extra environment env (KEY=VALUE). It is killed if it
// outlives the test's deadline or 60 s.
func helperCmd(t testing.TB, action string, env ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+action)
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

var keychainCheck = sync.OnceValue(func() error {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" && runtime.GOOS == "linux" {
		return fmt.Errorf("DBUS_SESSION_BUS_ADDRESS is not set")
	}
	_, err := Probe(NewKeychain("credwiz-test-probe-"+randomHex(4), 5*time.Second))
	return err
})

// requireKeychain skips (loudly) or fails the test when no keychain
// answers: CREDWIZ_REQUIRE_KEYCHAIN=1 makes it a failure.
func requireKeychain(t testing.TB) {
	t.Helper()
	err := keychainCheck()
	if err == nil {
		return
	}
	if os.Getenv("CREDWIZ_REQUIRE_KEYCHAIN") == "1" {
		t.Fatalf("CREDWIZ_REQUIRE_KEYCHAIN=1 but no Secret Service answers on the session bus (%v): run bash scripts/test.sh, or: source scripts/secret-service.sh && start_secret_service", err)
	}
	t.Skipf("KEYCHAIN TESTS SKIPPED: no Secret Service on the session bus (%v); run bash scripts/test.sh", err)
}

// testService returns a keychain service name unique to this run, so that
// a developer's real items are never touched, and removes its items when
// the test ends.
func testService(t testing.TB) string {
	t.Helper()
	svc := "credwiz-test-" + randomHex(6)
	t.Cleanup(func() { wipeKeychainService(t, svc) })
	return svc
}

// written records the names the tests write in each keychain service, so
// that cleanup works where the keychain cannot list its items.
var written sync.Map // service → *sync.Map of names

// trackingBackend records the names written through it in written.
type trackingBackend struct{ keyringBackend }

func (b trackingBackend) Set(ctx context.Context, service, user, pass string, o Owner) error {
	names, _ := written.LoadOrStore(service, new(sync.Map))
	names.(*sync.Map).Store(user, true)
	return b.keyringBackend.Set(ctx, service, user, pass, o)
}

// testKeychain returns a Keychain of the real keychain whose writes the
// cleanup of testService removes.
func testKeychain(service string, timeout time.Duration) *Keychain {
	k := NewKeychain(service, timeout)
	k.backend = trackingBackend{k.backend}
	return k
}

// wipeKeychainService deletes every item of svc: those it lists (on
// Linux) and those the tests wrote.
func wipeKeychainService(t testing.TB, svc string) {
	k := NewKeychain(svc, 10*time.Second)
	items, err := k.List()
	if err != nil && !errors.Is(err, ErrListUnsupported) {
		t.Logf("clean up keychain service %s: %v", svc, err)
	}
	var names []string
	for _, it := range items {
		names = append(names, it.Account)
	}
	if rec, ok := written.Load(svc); ok {
		rec.(*sync.Map).Range(func(name, _ any) bool {
			names = append(names, name.(string))
			return true
		})
	}
	slices.Sort(names)
	for _, n := range slices.Compact(names) {
		if err := k.Delete(n); err != nil && !errors.Is(err, ErrNotFound) {
			t.Logf("clean up keychain item %s/%s: %v", svc, n, err)
		}
	}
}

// envRequiresKeychain reports CREDWIZ_REQUIRE_KEYCHAIN=1.
func envRequiresKeychain() bool { return os.Getenv("CREDWIZ_REQUIRE_KEYCHAIN") == "1" }
