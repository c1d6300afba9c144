//go:build linux

package store

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	dbus "github.com/godbus/dbus/v5"
	ss "github.com/zalando/go-keyring/secret_service"
)

// throwawayKeyringPass is the password scripts/secret-service.sh gives the
// private, throw-away keyring it starts.
const throwawayKeyringPass = "throwaway-keyring-pass"

// privateBusEnv, set in a child process of onPrivateBus, names the test
// whose session bus is the test's own private one.
const privateBusEnv = "CREDWIZ_TEST_PRIVATE_BUS"

// onPrivateBus runs t again in a child process of the test binary whose
// session bus is a Secret Service of t's own (privateSecretService; the
// session bus connection is per process), and reports false once it has
// checked that t passed there. In that child it reports true: t goes on.
// What t does to its Secret Service (what: "locking a keyring") is done
// only under scripts/test.sh (CREDWIZ_KEYCHAIN_TESTS=1), never near a
// developer's own keyring: t skips otherwise.
func onPrivateBus(t *testing.T, what string) bool {
	t.Helper()
	requireKeychain(t)
	if os.Getenv("CREDWIZ_KEYCHAIN_TESTS") != "1" {
		t.Skip(what + " is tested only on a throw-away Secret Service, under scripts/test.sh (CREDWIZ_KEYCHAIN_TESTS=1)")
	}
	if os.Getenv(privateBusEnv) == t.Name() {
		return true
	}
	bus := privateSecretService(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "-test.run=^"+t.Name()+"$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS="+bus, privateBusEnv+"="+t.Name())
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Fatalf("on a private keyring (%s): %v\n%s", bus, err, out)
	}
	t.Logf("on a private keyring (%s):\n%s", bus, out)
	return false
}

// TestKeychainLocked locks the login collection of a throw-away keyring
// and checks that reads and writes fail with ErrUnavailable within the
// timeout and change nothing. The keyring is a private one started for
// this test alone (scripts/secret-service.sh on a bus of its own), in a
// child process of the test binary, since the session bus connection is
// per process: locking the keyring the other packages' tests share would
// fail them. It runs only under CREDWIZ_KEYCHAIN_TESTS=1 (scripts/test.sh),
// never against a developer's own keyring.
func TestKeychainLocked(t *testing.T) {
	if !onPrivateBus(t, "locking a keyring") {
		return
	}
	svc := testService(t)
	k := testKeychain(svc, 2*time.Second)
	mustSet(t, k, "before-lock", map[string]string{"k": "v"})

	conn, err := dbus.SessionBus()
	if err != nil {
		t.Fatal(err)
	}
	const collection = dbus.ObjectPath("/org/freedesktop/secrets/collection/login")
	service := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets")
	if err := service.Call("org.freedesktop.Secret.Service.Lock", 0, []dbus.ObjectPath{collection}).Err; err != nil {
		t.Fatalf("lock the collection: %v", err)
	}
	t.Cleanup(func() { unlockThrowaway(t, conn, collection) })

	for name, call := range map[string]func() error{
		"Get":    func() error { _, err := k.Get("before-lock"); return err },
		"Set":    func() error { return k.Set("while-locked", Item{Values: map[string]string{"k": "v"}}) },
		"Delete": func() error { return k.Delete("before-lock") },
		"Names":  func() error { _, err := k.List(); return err },
	} {
		start := time.Now()
		err := call()
		if !errors.Is(err, ErrUnavailable) {
			t.Errorf("%s on a locked keychain: err = %v, want ErrUnavailable", name, err)
		}
		// Two timeouts in a row would mean a second call after the first
		// timed out.
		if d := time.Since(start); d > 4*time.Second {
			t.Errorf("%s took %s with a 2s timeout", name, d)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error is not one line: %q", name, err)
		}
		t.Logf("%s: %v", name, err)
	}

	unlockThrowaway(t, conn, collection)
	assertSecret(t, k, "before-lock", map[string]string{"k": "v"})
	if _, err := k.Get("while-locked"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a Set on the locked keychain left an item: %v", err)
	}
}

// unlockThrowaway unlocks the collection with the throw-away password
// through gnome-keyring's own interface (no prompt).
func unlockThrowaway(t *testing.T, conn *dbus.Conn, collection dbus.ObjectPath) {
	t.Helper()
	service := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets")
	var out dbus.Variant
	var session dbus.ObjectPath
	if err := service.Call("org.freedesktop.Secret.Service.OpenSession", 0, "plain", dbus.MakeVariant("")).Store(&out, &session); err != nil {
		t.Fatalf("open a session: %v", err)
	}
	secret := ss.NewSecret(session, throwawayKeyringPass)
	err := service.Call("org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface.UnlockWithMasterPassword", 0, collection, secret).Err
	if err != nil {
		t.Fatalf("unlock the throw-away collection: %v", err)
	}
}

// privateSecretService starts a Secret Service of its own for t (with
// scripts/secret-service.sh, on a bus of its own, in a throw-away HOME),
// stopped when t ends, and returns its bus address.
func privateSecretService(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	script, err := filepath.Abs(filepath.Join("..", "scripts", "secret-service.sh"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, "bash", "-c", `source "$1" && start_secret_service >&2 && printf '%s\n%s\n' "$DBUS_SESSION_BUS_ADDRESS" "$DBUS_PID"`, "bash", script)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "TMPDIR=" + dir}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if err != nil || len(lines) != 2 {
		t.Fatalf("start a private Secret Service: %v: %s", err, stderr.String())
	}
	if pid, err := strconv.Atoi(lines[1]); err == nil {
		// gnome-keyring exits with its bus.
		t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGTERM) })
	}
	return lines[0]
}
