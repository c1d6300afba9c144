//go:build linux

package testenv

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// keyringPrograms are what scripts/secret-service.sh needs.
var keyringPrograms = []string{"bash", "dbus-daemon", "dbus-send", "gnome-keyring-daemon", "secret-tool"}

// StartKeyring starts a private Secret Service for t, stopped when t
// ends. Where none can be started it skips t loudly (Require).
func StartKeyring(t testing.TB) *Keyring {
	t.Helper()
	k, err := NewKeyring()
	if err != nil {
		Require(t, "KEYCHAIN", err, keyringFix)
	}
	t.Cleanup(func() {
		if t.Failed() {
			if b, _ := os.ReadFile(k.log); len(bytes.TrimSpace(b)) > 0 {
				t.Logf("the Secret Service's log (%s):\n%s", k.Addr, Clip(string(b)))
			}
		}
		k.Stop()
	})
	return k
}

var (
	sharedOnce sync.Once
	shared     *Keyring
	sharedErr  error
)

// SharedKeyring returns the test process's shared private Secret
// Service, started on the first call and stopped by Main. Tests that
// share it must use names of their own, and must not run doctor --fix
// --include-unknown.
func SharedKeyring(t testing.TB) *Keyring {
	t.Helper()
	sharedOnce.Do(func() {
		shared, sharedErr = NewKeyring()
		if sharedErr == nil {
			atExit(shared.Stop)
		}
	})
	if sharedErr != nil {
		Require(t, "KEYCHAIN", sharedErr, keyringFix)
	}
	return shared
}

// NewKeyring starts a private Secret Service that the caller stops (for
// a TestMain, or a test that manages it itself): it runs
// scripts/secret-service.sh's start_secret_service with its keyring files
// on a RAM file system when there is one (a keychain write then costs no
// disk sync).
func NewKeyring() (*Keyring, error) {
	for _, p := range keyringPrograms {
		if _, err := exec.LookPath(p); err != nil {
			return nil, fmt.Errorf("%s is not installed", p)
		}
	}
	base := ""
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		base = "/dev/shm"
	}
	tmp, err := os.MkdirTemp(base, "credwiz-keyring-")
	if err != nil {
		return nil, err
	}
	k := &Keyring{home: tmp, log: filepath.Join(tmp, "log")}
	out := filepath.Join(tmp, "out")
	logFile, err := os.Create(k.log)
	if err != nil {
		_ = os.RemoveAll(tmp)
		return nil, err
	}
	defer logFile.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c",
		`source "$1" && start_secret_service && printf '%s\n%s\n' "$DBUS_SESSION_BUS_ADDRESS" "$DBUS_PID" > "$2"`,
		"bash", filepath.Join(ModuleRoot(), "scripts", "secret-service.sh"), out)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + tmp, "TMPDIR=" + tmp}
	// A file, not a pipe: the daemons inherit it and outlive bash.
	cmd.Stdout, cmd.Stderr = logFile, logFile
	runErr := cmd.Run()
	raw, _ := os.ReadFile(out)
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if runErr != nil || len(lines) != 2 {
		msg, _ := os.ReadFile(k.log)
		_ = os.RemoveAll(tmp)
		return nil, fmt.Errorf("scripts/secret-service.sh failed (%v): %s", runErr, strings.TrimSpace(string(msg)))
	}
	k.Addr = lines[0]
	k.pid, _ = strconv.Atoi(lines[1])
	return k, nil
}

// Stop ends the Secret Service if the harness started it (gnome-keyring
// exits with its bus) and removes its files; it closes the connection in
// any case.
func (k *Keyring) Stop() {
	k.closeConn()
	if k.pid > 0 {
		_ = syscall.Kill(k.pid, syscall.SIGTERM)
		for i := 0; i < 100 && syscall.Kill(k.pid, 0) == nil; i++ {
			time.Sleep(10 * time.Millisecond)
		}
		k.pid = 0
	}
	if k.home != "" {
		_ = os.RemoveAll(k.home)
	}
}

// Lookup returns what `secret-tool lookup service SERVICE username
// ACCOUNT` prints on this keyring, as a person checking credwiz's items
// would run it, and whether it found an item. A failing secret-tool is
// an error of t.
func (k *Keyring) Lookup(t testing.TB, service, account string) (string, bool) {
	t.Helper()
	v, ok, err := LookupItem(k.Addr, service, account)
	if err != nil {
		t.Error(err)
	}
	return v, ok
}
