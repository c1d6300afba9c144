//go:build unix

package filestoretest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// bin is the credwiz binary under test, built with the test hooks.
var bin string

// bus is the D-Bus address of the Secret Service the tests use ("" when
// none could be had).
var bus string

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "credwiz-filestore-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	bin = filepath.Join(dir, "credwiz")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, "go", "build", "-tags", "credwiz_testhooks", "-o", bin, "../..")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "filestoretest: go build failed: %v\n", err)
		return 1
	}
	if stop := startSecretService(dir); stop != nil {
		defer stop()
	}
	return m.Run()
}

// startSecretService starts a gnome-keyring of this test binary's own on
// a private bus (scripts/secret-service.sh), sets bus, and returns how to
// stop it; nil when it cannot (keychain tests then skip, loudly).
func startSecretService(dir string) func() {
	if runtime.GOOS != "linux" {
		return nil
	}
	for _, p := range []string{"bash", "dbus-daemon", "dbus-send", "gnome-keyring-daemon"} {
		if _, err := exec.LookPath(p); err != nil {
			return nil
		}
	}
	out := filepath.Join(dir, "ss.out")
	logf, err := os.Create(filepath.Join(dir, "ss.log"))
	if err != nil {
		return nil
	}
	defer logf.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c",
		`source ../../scripts/secret-service.sh && start_secret_service && printf '%s\n%s\n%s\n' "$DBUS_SESSION_BUS_ADDRESS" "$DBUS_PID" "$KR_HOME" > "$1"`, "bash", out)
	cmd.Env = append(os.Environ(), "TMPDIR="+dir)
	cmd.Stdout, cmd.Stderr = logf, logf
	runErr := cmd.Run()
	raw, _ := os.ReadFile(out)
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if runErr != nil || len(lines) != 3 {
		fmt.Fprintf(os.Stderr, "filestoretest: WARNING: no Secret Service of its own (%v)\n", runErr)
		return nil
	}
	bus = lines[0]
	return func() {
		if n, err := strconv.Atoi(lines[1]); err == nil && n > 0 {
			_ = syscall.Kill(n, syscall.SIGTERM)
		}
		_ = os.RemoveAll(lines[2])
	}
}

// skipOrFail skips the test loudly, or fails it when
// CREDWIZ_REQUIRE_KEYCHAIN=1 (CI).
func skipOrFail(t *testing.T, what string, err error) {
	t.Helper()
	if os.Getenv("CREDWIZ_REQUIRE_KEYCHAIN") == "1" {
		t.Fatalf("%s needed (CREDWIZ_REQUIRE_KEYCHAIN=1): %v", what, err)
	}
	t.Skipf("%s TESTS SKIPPED: %v", strings.ToUpper(what), err)
}

func requireKeychain(t *testing.T) {
	if bus == "" {
		skipOrFail(t, "keychain", errors.New("no Secret Service could be started (gnome-keyring, dbus-daemon)"))
	}
}

func requireTmux(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		skipOrFail(t, "tmux", err)
	}
}

// requireKeyring skips where the kernel keyring is unusable, saying why.
func requireKeyring(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("KERNEL KEYRING TESTS SKIPPED: not Linux")
	}
	if _, err := os.Stat("/proc/keys"); err != nil {
		skipOrFail(t, "kernel keyring", err)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// sandbox is one config dir and environment for the binary.
type sandbox struct {
	t    *testing.T
	root string
	dir  string // config dir
	env  []string
}

// newSandbox returns a sandbox whose keychain is the test's Secret
// Service (or a dead bus when keychain is false), with no store asked
// for and no passphrase set.
func newSandbox(t *testing.T, keychain bool) *sandbox {
	root := t.TempDir()
	s := &sandbox{t: t, root: root, dir: filepath.Join(root, "config")}
	for _, d := range []string{"home", "tmp"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	b := "unix:path=" + filepath.Join(root, "no-bus")
	if keychain {
		b = bus
	}
	s.env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + filepath.Join(root, "home"), "TMPDIR=" + filepath.Join(root, "tmp"),
		"CREDWIZ_CONFIG_DIR=" + s.dir, "DBUS_SESSION_BUS_ADDRESS=" + b, "NO_COLOR=1", "LANG=C.UTF-8", "TERM=xterm-256color",
		// New stores get a cheap scrypt: these tests run many processes.
		"CREDWIZ_TEST_SCRYPT_WORK_FACTOR=12",
	}
	return s
}

// with returns a copy of s with extra environment variables.
func (s *sandbox) with(env ...string) *sandbox {
	c := *s
	c.env = append(append([]string(nil), s.env...), env...)
	return &c
}

// result is one run of the binary.
type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
}

// run runs the binary with stdin and args, at most a minute.
func (s *sandbox) run(stdin string, args ...string) result {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = s.env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		s.t.Fatalf("run %v: %v", args, err)
	}
	return r
}

// must runs the binary and fails the test unless it exits 0.
func (s *sandbox) must(stdin string, args ...string) result {
	s.t.Helper()
	r := s.run(stdin, args...)
	if r.code != 0 {
		s.t.Fatalf("credwiz %s: %s", strings.Join(args, " "), r)
	}
	return r
}

// killAt runs the binary until it pauses at step (the n-th time), then
// kills it with SIGKILL. reached is false when it ended without pausing
// there.
func (s *sandbox) killAt(step string, n int, stdin string, args ...string) (reached bool, r result) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(append([]string(nil), s.env...), "CREDWIZ_TEST_PAUSE_AT="+step, "CREDWIZ_TEST_PAUSE_N="+strconv.Itoa(n))
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout = &out
	pipe, err := cmd.StderrPipe()
	if err != nil {
		s.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	var errb strings.Builder
	sc := bufio.NewScanner(pipe)
	for sc.Scan() {
		line := sc.Text()
		errb.WriteString(line + "\n")
		if line == "credwiz: paused at "+step {
			reached = true
			_ = cmd.Process.Signal(syscall.SIGKILL)
			break
		}
	}
	_, _ = io.Copy(io.Discard, pipe)
	werr := cmd.Wait()
	r = result{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	if errors.As(werr, &ee) {
		r.code = ee.ExitCode()
	}
	return reached, r
}

// doctorJSON runs doctor --json and decodes it.
func (s *sandbox) doctorJSON() (map[string]any, result) {
	s.t.Helper()
	r := s.run("", "doctor", "--json")
	var m map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
		s.t.Fatalf("doctor --json: %v: %s", err, r)
	}
	return m, r
}

// addDrift adds a Drift credential called name with key (no live test).
func (s *sandbox) addDrift(name, key string) {
	s.t.Helper()
	s.must("api_key="+key+"\n", "add", "drift", "--name", name, "--field", "base_url=http://127.0.0.1:9", "--secrets-stdin", "--no-test")
}

// token returns what credwiz token name prints (a Drift credential's key).
func (s *sandbox) token(name string) string {
	s.t.Helper()
	return strings.TrimSpace(s.must("", "token", name).stdout)
}
