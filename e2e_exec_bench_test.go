package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/credwiz/credwiz/connectors/connectortest"
)

// execChildBin is testdata/execchild, built by TestMain: the program the
// exec tests and BenchmarkExecOutput run.
var execChildBin string

// buildExecChild builds testdata/execchild into dir; not on Windows,
// where the exec tests do not run (the program uses Unix signals).
func buildExecChild(ctx context.Context, dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	execChildBin = filepath.Join(dir, "execchild")
	build := exec.CommandContext(ctx, "go", "build", "-o", execChildBin, "./testdata/execchild")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	return build.Run()
}

// benchMiB is the output of one run of the program in BenchmarkExecOutput.
const benchMiB = 256

// BenchmarkExecOutput measures a program's output through credwiz exec
// side by side with the same program writing to a pipe by itself: 256 MiB
// of coloured log lines, one in a hundred holding the token, read by this
// benchmark through a pipe. plain runs the program directly; no-masking
// runs it through credwiz exec --no-masking (credwiz execs it in its
// place); masked through credwiz exec, which reads it through pipes and
// the masker. MB/s counts the program's output; each run includes
// starting the processes (and, through credwiz, one keychain read). Run
// with: go test -run '^$' -bench ExecOutput -count 5 .
func BenchmarkExecOutput(b *testing.B) {
	if err := keychainErr(); err != nil {
		b.Skipf("needs the Secret Service: %v", err)
	}
	if execChildBin == "" {
		b.Skip("testdata/execchild is not built here")
	}
	root := b.TempDir()
	env := append(baseEnv(),
		"HOME="+root, "TMPDIR="+root, "CREDWIZ_CONFIG_DIR="+filepath.Join(root, "config"),
		"CREDWIZ_STORE=keychain", "NO_COLOR=1", "DBUS_SESSION_BUS_ADDRESS="+os.Getenv("DBUS_SESSION_BUS_ADDRESS"))
	em := connectortest.New("drift")
	defer em.Close()
	v := em.Values()
	name := "e2e-bench-exec-" + randomHex(3)
	defer exec.Command("secret-tool", "clear", "service", "credwiz", "username", name).Run()
	add := exec.Command(credwizBin, "add", "drift", "--name", name, "--field", "base_url="+v["base_url"], "--secrets-stdin")
	add.Env, add.Stdin = env, strings.NewReader("api_key="+v["api_key"]+"\n")
	if out, err := add.CombinedOutput(); err != nil {
		b.Fatalf("add: %v: %s", err, out)
	}
	spew := []string{execChildBin, "spew", fmt.Sprint(benchMiB), "DRIFT"}
	runs := []struct {
		name string
		argv []string
	}{
		{"plain", spew},
		{"no-masking", append([]string{credwizBin, "exec", name, "--no-masking", "--"}, spew...)},
		{"masked", append([]string{credwizBin, "exec", name, "--"}, spew...)},
	}
	size := benchRun(b, spew, append(env, "DRIFT_ACCESS_TOKEN="+v["api_key"]))
	for _, r := range runs {
		b.Run(r.name, func(b *testing.B) {
			for b.Loop() {
				benchRun(b, r.argv, append(env, "DRIFT_ACCESS_TOKEN="+v["api_key"]))
			}
			b.SetBytes(size)
		})
	}
}

// benchRun runs argv and returns how many bytes it wrote on stdout, read
// through a pipe.
func benchRun(b *testing.B, argv, env []string) int64 {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	n, err := io.Copy(io.Discard, out)
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		b.Fatalf("%s: %v", strings.Join(argv, " "), err)
	}
	return n
}
