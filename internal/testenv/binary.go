package testenv

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// HookTag is the build tag of a binary with the store's pause hook
// (CREDWIZ_TEST_PAUSE_AT); the shipped binary has none.
const HookTag = "credwiz_testhooks"

// BinaryEnv names a credwiz binary to test instead of building one (for
// example a build of an older commit, to check that a test fails there).
const BinaryEnv = "CREDWIZ_TEST_BINARY"

// builds holds one build per tag set (and one per helper command);
// buildDir is where they go.
var (
	builds   memo[string, string]
	buildMu  sync.Mutex
	buildDir string
)

// ModuleRoot returns the directory of credwiz's go.mod.
func ModuleRoot() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		panic("testenv: no caller information")
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// Binary returns the path of a credwiz binary built with the given tags,
// building it on the first call for this tag set (later calls wait for it
// and share it). CREDWIZ_TEST_BINARY overrides every tag set.
func Binary(t testing.TB, tags ...string) string {
	t.Helper()
	p, err := BuildBinary(tags...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// BuildBinary is Binary for a TestMain, before any test runs: it returns
// the error instead of failing a test.
func BuildBinary(tags ...string) (string, error) {
	if p := os.Getenv(BinaryEnv); p != "" {
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", fmt.Errorf("%s: %v", BinaryEnv, err)
		}
		return abs, nil
	}
	tags = slices.Clone(tags)
	slices.Sort(tags)
	key := strings.Join(tags, ",")
	return builds.get(key, func() (string, error) { return buildPackage("github.com/credwiz/credwiz", tags) })
}

// helper returns the path of one of the harness's own commands
// (internal/testenv/NAME), built once per test process.
func helper(t testing.TB, name string) string {
	t.Helper()
	pkg := "github.com/credwiz/credwiz/internal/testenv/" + name
	path, err := builds.get(pkg, func() (string, error) { return buildPackage(pkg, nil) })
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// buildPackage runs go build for pkg with tags into the process's build
// dir (never with the race detector, whatever the tests run under).
func buildPackage(pkg string, tags []string) (string, error) {
	buildMu.Lock()
	if buildDir == "" {
		d, err := os.MkdirTemp("", "credwiz-testenv-bin-")
		if err != nil {
			buildMu.Unlock()
			return "", err
		}
		buildDir = d
		atExit(func() { _ = os.RemoveAll(d) })
	}
	dir := buildDir
	buildMu.Unlock()
	name := filepath.Base(pkg)
	if len(tags) > 0 {
		name += "-" + strings.Join(tags, "-")
	}
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	out := filepath.Join(dir, name)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	args := []string{"build", "-o", out}
	if len(tags) > 0 {
		args = append(args, "-tags", strings.Join(tags, ","))
	}
	cmd := exec.CommandContext(ctx, "go", append(args, pkg)...)
	cmd.Dir = ModuleRoot()
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go %s %s: %v\n%s", strings.Join(args, " "), pkg, err, b)
	}
	return out, nil
}
