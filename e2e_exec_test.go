//go:build unix

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/joho/godotenv"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
)

// End-to-end tests of credwiz exec and env through the binary: the program
// is testdata/execchild (built by TestMain), curl or python3, reaching the
// emulators with the variables credwiz gave it.

// requireUnix skips the exec tests where there are no Unix signals and
// /proc.
func requireUnix(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the exec end-to-end tests need Linux (signals, /proc)")
	}
}

// lockedBuffer is a bytes.Buffer safe to read while a process writes it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// running is the binary running in the background, in a session of its own
// (no controlling terminal), so that the test can signal it and read its
// output meanwhile.
type running struct {
	t           *testing.T
	args        []string
	cmd         *exec.Cmd
	stdin       io.WriteCloser
	out, errOut *lockedBuffer
	done        chan struct{}
	code        int
}

// start runs the binary in the background. It is not counted as a
// credwiz process for TestLeak's watcher: exec's programs are its children
// by design.
func (s *sandbox) start(args ...string) *running {
	s.t.Helper()
	r := &running{t: s.t, args: args, out: &lockedBuffer{}, errOut: &lockedBuffer{}, done: make(chan struct{})}
	r.cmd = exec.Command(credwizBin, args...)
	r.cmd.Env = s.env
	r.cmd.Dir = s.root
	r.cmd.Stdout, r.cmd.Stderr = r.out, r.errOut
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	var err error
	if r.stdin, err = r.cmd.StdinPipe(); err != nil {
		s.t.Fatal(err)
	}
	if err := r.cmd.Start(); err != nil {
		s.t.Fatalf("start credwiz: %v", err)
	}
	go func() {
		err := r.cmd.Wait()
		var ee *exec.ExitError
		switch {
		case err == nil:
		case errors.As(err, &ee):
			r.code = ee.ExitCode()
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				r.code = -int(ws.Signal()) // credwiz itself was killed
			}
		default:
			r.code = -1000
		}
		close(r.done)
	}()
	s.t.Cleanup(func() {
		select {
		case <-r.done:
		default:
			_ = r.cmd.Process.Kill()
			<-r.done
		}
	})
	return r
}

// waitOut waits until stdout contains text.
func (r *running) waitOut(text string) {
	r.t.Helper()
	deadline := time.Now().Add(runTimeout)
	for !strings.Contains(r.out.String(), text) {
		select {
		case <-r.done:
			if strings.Contains(r.out.String(), text) {
				return
			}
			r.t.Fatalf("credwiz exited before printing %q:\n%s", text, r.result())
		default:
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("%q not printed within %s:\n%s", text, runTimeout, r.result())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// signal sends sig to credwiz.
func (r *running) signal(sig syscall.Signal) {
	r.t.Helper()
	if err := r.cmd.Process.Signal(sig); err != nil {
		r.t.Fatalf("signal %v: %v", sig, err)
	}
}

// wait waits for credwiz to exit and returns what it did.
func (r *running) wait() result {
	r.t.Helper()
	select {
	case <-r.done:
	case <-time.After(runTimeout):
		r.t.Fatalf("credwiz did not exit within %s:\n%s", runTimeout, r.result())
	}
	return r.result()
}

func (r *running) result() result {
	return result{args: r.args, stdout: r.out.String(), stderr: r.errOut.String(), code: r.code}
}

// runExec runs the binary like sandbox.run, with stdin at its end, but as
// start does: exec's programs are its children by design, which TestLeak's
// watcher, running alongside, must not count against credwiz.
func (s *sandbox) runExec(args ...string) result {
	s.t.Helper()
	r := s.start(args...)
	r.stdin.Close()
	return r.wait()
}

// addFor adds a credential of connector id against a new emulator of it
// (live-tested, so its account is recorded) and returns the emulator.
func addFor(t *testing.T, sb *sandbox, id, name string) connectortest.Emulator {
	t.Helper()
	c, _ := connectors.Lookup(id)
	em := startEmulator(t, id)
	fields, secrets := split(c, em.Values())
	sb.must(stdinLines(secrets), addArgs(id, name, fields, "--secrets-stdin")...)
	return em
}

// TestE2EExecReachesAPI: for every connector, a program reaches the
// vendor's API (the emulator) with nothing but the variables credwiz gave
// it; Drift's answer echoes the token, which reaches the output masked.
func TestE2EExecReachesAPI(t *testing.T) {
	requireUnix(t)
	t.Parallel()
	for _, c := range connectors.All() {
		t.Run(c.ID, func(t *testing.T) {
			t.Parallel()
			sb := newSandbox(t, fileStore)
			name := credName(t, "exec-"+c.ID)
			em := addFor(t, sb, c.ID, name)
			tok := strings.TrimSpace(sb.must("", "token", name).stdout)
			r := sb.runExec("exec", name, "--", execChildBin, "call", c.ID, c.EnvPrefix())
			if r.code != 0 || !strings.HasPrefix(r.stdout, "status 200\n") {
				t.Fatalf("the program did not reach the API:\n%s", r)
			}
			_, secrets := split(c, em.Values())
			if strings.Contains(r.stdout+r.stderr, tok) || findLeak(r.stdout+r.stderr, secrets) != "" {
				t.Errorf("a token or secret reached the output unmasked:\n%s", r)
			}
			if c.ID == "drift" && !strings.Contains(r.stdout, `"access_token":"<credwiz:`+name+`:access_token>"`) {
				t.Errorf("Drift's echo of the token is not masked as its label:\n%s", r)
			}
		})
	}
}

// TestE2EExecCurlAndPython: the README's examples: curl against the
// Drift emulator, the Python one-liner against the Salesforce one.
func TestE2EExecCurlAndPython(t *testing.T) {
	requireUnix(t)
	t.Parallel()
	sb := newSandbox(t, fileStore)
	drift, sf := credName(t, "exec-curl"), credName(t, "exec-py")
	addFor(t, sb, "drift", drift)
	addFor(t, sb, "salesforce", sf)
	tests := []struct {
		prog string
		argv []string
		want string
	}{
		{"curl", []string{drift, "--", "sh", "-c", `curl -fsS -H "Authorization: Bearer $DRIFT_ACCESS_TOKEN" "$DRIFT_BASE_URL/users/list"`},
			`"email":`},
		{"python3", []string{sf, "--", "python3", "-c", `import os, urllib.request as u
r = u.Request(os.environ["SALESFORCE_INSTANCE_URL"] + "/services/data/v64.0/sobjects/",
    headers={"Authorization": "Bearer " + os.environ["SALESFORCE_ACCESS_TOKEN"]})
print(u.urlopen(r).status)`}, "200\n"},
	}
	for _, tt := range tests {
		t.Run(tt.prog, func(t *testing.T) {
			if _, err := exec.LookPath(tt.prog); err != nil {
				t.Skipf("%s is not installed", tt.prog)
			}
			r := sb.runExec(append([]string{"exec"}, tt.argv...)...)
			if r.code != 0 || !strings.Contains(r.stdout, tt.want) {
				t.Errorf("%s did not reach the API:\n%s", tt.prog, r)
			}
		})
	}
	// curl -f makes an HTTP error the command's failure, not a quiet exit 0.
	if _, err := exec.LookPath("curl"); err == nil {
		r := sb.runExec("exec", drift, "--", "sh", "-c", `curl -fsS -H "Authorization: Bearer $DRIFT_ACCESS_TOKEN" "$DRIFT_BASE_URL/no/such/route"`)
		if r.code == 0 || !strings.Contains(r.stderr, "404") {
			t.Errorf("curl -fsS against a missing route:\n%s", r)
		}
	}
}

// TestE2EExecEnviron: the program's environment, read from
// /proc/PID/environ while it runs, holds the token but no long-lived
// secret and no CREDWIZ_PASSPHRASE; --with-secrets adds the secrets. No
// argv holds any of them.
func TestE2EExecEnviron(t *testing.T) {
	requireUnix(t)
	t.Parallel()
	sb := newSandbox(t, fileStore)
	name := credName(t, "exec-env")
	em := addFor(t, sb, "demandbase", name)
	secret := em.Values()["client_secret"]
	pass := envOf(sb.env, "CREDWIZ_PASSPHRASE")
	for _, with := range []bool{false, true} {
		t.Run(fmt.Sprintf("with-secrets=%v", with), func(t *testing.T) {
			args := []string{"exec", name, "--", execChildBin, "wait"}
			if with {
				args = []string{"exec", name, "--with-secrets", "--", execChildBin, "wait"}
			}
			r := sb.start(args...)
			r.waitOut("\n")
			pid, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(r.out.String(), "pid ")))
			if err != nil {
				t.Fatalf("no pid: %q", r.out.String())
			}
			raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
			if err != nil {
				t.Fatal(err)
			}
			env := map[string]string{}
			for _, kv := range strings.Split(string(raw), "\x00") {
				if k, v, ok := strings.Cut(kv, "="); ok {
					env[k] = v
				}
			}
			for _, pidArgv := range []int{pid, r.cmd.Process.Pid} {
				argv, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pidArgv))
				if containsPiece(string(argv), secret, leakWindow) || containsPiece(string(argv), env["DEMANDBASE_ACCESS_TOKEN"], leakWindow) {
					t.Errorf("the argv of pid %d holds a secret or the token", pidArgv)
				}
			}
			r.stdin.Close()
			if res := r.wait(); res.code != 0 {
				t.Fatalf("exec: %s", res)
			}
			if env["DEMANDBASE_ACCESS_TOKEN"] == "" || env["DEMANDBASE_BASE_URL"] != em.URL() || env["DEMANDBASE_TOKEN_EXPIRES_AT"] == "" {
				t.Errorf("the program's environment lacks the connection: %v", keysOf(env))
			}
			if _, ok := env["CREDWIZ_PASSPHRASE"]; ok || strings.Contains(string(raw), pass) {
				t.Errorf("the program's environment holds CREDWIZ_PASSPHRASE")
			}
			hasSecret := strings.Contains(string(raw), secret)
			if hasSecret != with || with && env["DEMANDBASE_CLIENT_SECRET"] != secret {
				t.Errorf("client secret in the program's environment: %v; want %v (--with-secrets)", hasSecret, with)
			}
		})
	}
}

func envOf(env []string, k string) string {
	for _, kv := range env {
		if name, v, ok := strings.Cut(kv, "="); ok && name == k {
			return v
		}
	}
	return ""
}

func keysOf(m map[string]string) []string { return sortedKeys(m) }

// TestE2EExecMasking: the token, split across writes, printed mid-line
// and inside colour sequences, on stdout and stderr, reaches credwiz's
// output as its label, and nothing else changes: the partial line, the
// colours, and a run of the token one byte short of it pass as written.
func TestE2EExecMasking(t *testing.T) {
	requireUnix(t)
	t.Parallel()
	sb := newSandbox(t, fileStore)
	name := credName(t, "exec-mask")
	addFor(t, sb, "clazar", name)
	tok := strings.TrimSpace(sb.must("", "token", name).stdout)
	label := "<credwiz:" + name + ":access_token>"
	want := "a " + label + " b\n" +
		"mid-line " + label + " no newline yet\n" +
		"\x1b[1;31m" + label + "\x1b[0m\n" +
		"prefix only " + tok[:len(tok)-1] + "\n"
	r := sb.runExec("exec", name, "--", execChildBin, "split", "CLAZAR")
	if r.code != 0 {
		t.Fatalf("exec: %s", r)
	}
	if r.stdout != want {
		t.Errorf("stdout:\n got %q\nwant %q", r.stdout, want)
	}
	if r.stderr != want {
		t.Errorf("stderr:\n got %q\nwant %q", r.stderr, want)
	}
	// Unmasked, the same program's output is the token itself.
	r = sb.runExec("exec", name, "--no-masking", "--", execChildBin, "split", "CLAZAR")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "a "+tok+" b\n") {
		t.Errorf("--no-masking: %s", r)
	}
}

// TestE2EExecExitCodes: the program's exit code is credwiz's.
func TestE2EExecExitCodes(t *testing.T) {
	requireUnix(t)
	t.Parallel()
	sb := newSandbox(t, fileStore)
	name := credName(t, "exec-exit")
	addFor(t, sb, "drift", name)
	for _, code := range []int{0, 1, 42, 130} {
		r := sb.runExec("exec", name, "--", "sh", "-c", "exit "+strconv.Itoa(code))
		if r.code != code || r.stderr != "" {
			t.Errorf("program exit %d: credwiz %s", code, r)
		}
	}
	r := sb.runExec("exec", name, "--", "no-such-program-x")
	if r.code != 127 || !strings.Contains(r.stderr, "command not found") {
		t.Errorf("a missing program: %s", r)
	}
}

// TestE2EExecSignals: the signals credwiz gets reach the program, and the
// program's exit is credwiz's: its own code when it handles the signal,
// 128+N when the signal kills it.
func TestE2EExecSignals(t *testing.T) {
	requireUnix(t)
	t.Parallel()
	sb := newSandbox(t, fileStore)
	name := credName(t, "exec-sig")
	addFor(t, sb, "drift", name)
	tests := []struct {
		name   string
		sig    syscall.Signal
		prog   []string
		code   int
		out    string // in stdout
		stderr string // in stderr
	}{
		{"SIGTERM handled", syscall.SIGTERM, []string{"trap", "3"}, 3, "got TERM\n", ""},
		{"SIGTERM kills", syscall.SIGTERM, []string{"wait"}, 143, "", "killed by signal 15"},
		{"SIGINT handled", syscall.SIGINT, []string{"trap", "5"}, 5, "got INT 1\nINT received 1 time(s)\n", ""},
		{"SIGINT kills", syscall.SIGINT, []string{"wait"}, 130, "", ""},
		{"SIGHUP handled", syscall.SIGHUP, []string{"trap", "6"}, 6, "got HUP\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := sb.start(append([]string{"exec", name, "--", execChildBin}, tt.prog...)...)
			if tt.prog[0] == "trap" {
				r.waitOut("ready\n")
			} else {
				r.waitOut("pid ")
			}
			r.signal(tt.sig)
			res := r.wait()
			if res.code != tt.code || !strings.Contains(res.stdout, tt.out) || !strings.Contains(res.stderr, tt.stderr) {
				t.Errorf("want exit %d, %q in stdout, %q in stderr:\n%s", tt.code, tt.out, tt.stderr, res)
			}
			if tt.stderr == "" && res.stderr != "" {
				t.Errorf("stderr should be empty:\n%s", res)
			}
		})
	}
	// A resize signal sent to credwiz (which has no terminal here) goes on
	// to the program, which keeps running.
	t.Run("SIGWINCH", func(t *testing.T) {
		r := sb.start("exec", name, "--", execChildBin, "trap", "7")
		r.waitOut("ready\n")
		r.signal(syscall.SIGWINCH)
		r.waitOut("got WINCH\n")
		r.signal(syscall.SIGTERM)
		if res := r.wait(); res.code != 7 {
			t.Errorf("want exit 7:\n%s", res)
		}
	})
}

// TestE2EExecNoMaskingReplaces: --no-masking runs the program in
// credwiz's place: the same process, with credwiz's own streams.
func TestE2EExecNoMaskingReplaces(t *testing.T) {
	requireUnix(t)
	t.Parallel()
	sb := newSandbox(t, fileStore)
	name := credName(t, "exec-nomask")
	addFor(t, sb, "drift", name)
	r := sb.start("exec", name, "--no-masking", "--", execChildBin, "wait")
	r.waitOut("\n")
	if want := fmt.Sprintf("pid %d\n", r.cmd.Process.Pid); r.out.String() != want {
		t.Errorf("the program says %q; want %q (credwiz's own PID)", r.out.String(), want)
	}
	r.stdin.Close()
	if res := r.wait(); res.code != 0 {
		t.Errorf("exec: %s", res)
	}
}

// TestE2EExecTwoOfOneConnector: two Drift credentials need --prefix; with
// it, the program reaches both emulators.
func TestE2EExecTwoOfOneConnector(t *testing.T) {
	requireUnix(t)
	t.Parallel()
	sb := newSandbox(t, fileStore)
	a, b := credName(t, "exec-a"), credName(t, "exec-b")
	addFor(t, sb, "drift", a)
	addFor(t, sb, "drift", b)
	r := sb.runExec("exec", a, b, "--", execChildBin, "call", "drift", "DRIFT")
	if r.code != 2 || !strings.Contains(r.stderr, "both set DRIFT_ACCESS_TOKEN") || r.stdout != "" {
		t.Errorf("want a usage error naming the clash:\n%s", r)
	}
	oneLine(t, "the clash error", r, r.stderr)
	r = sb.runExec("exec", a, b, "--prefix", b+"=SECOND", "--", "sh", "-c",
		shellQuote(execChildBin)+` call drift DRIFT && `+shellQuote(execChildBin)+` call drift SECOND`)
	if r.code != 0 || strings.Count(r.stdout, "status 200\n") != 2 ||
		!strings.Contains(r.stdout, "<credwiz:"+a+":access_token>") || !strings.Contains(r.stdout, "<credwiz:"+b+":access_token>") {
		t.Errorf("with --prefix, the program should reach both:\n%s", r)
	}
}

// TestE2EEnvFormats: env's three formats read back to the same variables:
// the shell output sourced by bash and sh, the dotenv output by godotenv,
// the JSON decoded.
func TestE2EEnvFormats(t *testing.T) {
	requireUnix(t)
	t.Parallel()
	sb := newSandbox(t, fileStore)
	sf, dr := credName(t, "env-sf"), credName(t, "env-drift")
	addFor(t, sb, "salesforce", sf)
	addFor(t, sb, "drift", dr)
	var want map[string]string
	decodeJSON(t, sb.must("", "env", sf, dr, "--format", "json"), &want)
	if len(want) != 7 || want["SALESFORCE_ACCESS_TOKEN"] == "" || want["DRIFT_ACCOUNT"] == "" {
		t.Fatalf("env --format json = %v", want)
	}
	dot, err := godotenv.Unmarshal(sb.must("", "env", sf, dr, "--format", "dotenv").stdout)
	if err != nil || !equalMaps(dot, want) {
		t.Errorf("dotenv read back (%v): %v\nwant %v", err, dot, want)
	}
	file := filepath.Join(sb.tmp, "env.sh")
	if err := os.WriteFile(file, []byte(sb.must("", "env", sf, dr).stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, sh := range []string{"bash", "sh"} {
		script := `. "$1"; for k in ` + strings.Join(sortedKeys(want), " ") + `; do eval "printf '%s=%s\0' \"\$k\" \"\${$k}\""; done`
		out, err := exec.Command(sh, "-c", script, sh, file).Output()
		got := map[string]string{}
		for _, kv := range strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00") {
			k, v, _ := strings.Cut(kv, "=")
			got[k] = v
		}
		if err != nil || !equalMaps(got, want) {
			t.Errorf("%s sourcing the shell output (%v): %v\nwant %v", sh, err, got, want)
		}
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestE2EExecEnvTmux, at a terminal (tmux): env refuses to print the
// tokens unless --reveal; exec --no-masking leaves the program the
// terminal while masked output reaches it through a pipe; Ctrl-C reaches
// the program once (from the terminal, not again from credwiz).
func TestE2EExecEnvTmux(t *testing.T) {
	requireUnix(t)
	requireTmux(t)
	t.Parallel()
	sb := newSandbox(t, fileStore)
	name := credName(t, "env-tty")
	addFor(t, sb, "drift", name)
	tok := strings.TrimSpace(sb.must("", "token", name).stdout)

	t.Run("env refused", func(t *testing.T) {
		tm := freshTmux(t, sb, "env", name)
		if code := tm.waitExit(); code != 2 {
			t.Errorf("env at a terminal: exit %d; want 2", code)
		}
		screen := tm.capture()
		if !strings.Contains(flatScreen(screen), "--reveal") || strings.Contains(screen, tok[len(tok)-8:]) {
			t.Errorf("want a refusal naming --reveal and no token:\n%s", screen)
		}
	})
	t.Run("env --reveal", func(t *testing.T) {
		tm := freshTmux(t, sb, "env", name, "--reveal")
		if code := tm.waitExit(); code != 0 || !strings.Contains(tm.capture(), "export DRIFT_ACCESS_TOKEN='"+tok+"'") {
			t.Errorf("env --reveal at a terminal: exit %d:\n%s", code, tm.capture())
		}
	})
	t.Run("exec terminal", func(t *testing.T) {
		show := `if [ -t 1 ]; then echo "stdout is a terminal"; else echo "stdout is a pipe"; fi; echo "token $DRIFT_ACCESS_TOKEN"`
		tm := freshTmux(t, sb, "exec", name, "--no-masking", "--", "sh", "-c", show)
		if code := tm.waitExit(); code != 0 || !strings.Contains(tm.capture(), "stdout is a terminal") {
			t.Errorf("--no-masking: exit %d:\n%s", code, tm.capture())
		}
		tm = freshTmux(t, sb, "exec", name, "--", "sh", "-c", show)
		screen := ""
		if code := tm.waitExit(); code != 0 {
			t.Errorf("masked: exit %d", code)
		}
		screen = tm.capture()
		if !strings.Contains(screen, "stdout is a pipe") || !strings.Contains(screen, "token <credwiz:"+name+":access_token>") || strings.Contains(screen, tok) {
			t.Errorf("masked output at a terminal:\n%s", screen)
		}
	})
	t.Run("show --reveal", func(t *testing.T) {
		// Without CREDWIZ_PASSPHRASE: the confirmation, then the
		// passphrase, are asked at the terminal; the value is printed
		// after the questions are gone.
		asked := *sb
		asked.env = nil
		for _, kv := range sb.env {
			if !strings.HasPrefix(kv, "CREDWIZ_PASSPHRASE=") {
				asked.env = append(asked.env, kv)
			}
		}
		tm := freshTmux(t, &asked, "show", name, "--reveal", "api_key")
		tm.waitText("Show the API Key Value of")
		tm.keys("y")
		tm.waitText("Passphrase of the encrypted")
		tm.typeKeys(envOf(sb.env, "CREDWIZ_PASSPHRASE"), "Enter")
		if code := tm.waitExit(); code != 0 {
			t.Errorf("exit %d:\n%s", code, tm.capture())
		}
		if screen := tm.capture(); !slices.Contains(strings.Split(screen, "\n"), tok) {
			t.Errorf("the key should be on a line of its own:\n%s", screen)
		}
	})
	t.Run("Ctrl-C once", func(t *testing.T) {
		// The shell traps SIGINT (with a command, so that credwiz and the
		// program get it as usual) to go on and record the exit status.
		tm := startTmuxShell(t, sb, "trap : INT\n"+shellQuote(credwizBin)+" exec "+shellQuote(name)+" -- "+shellQuote(execChildBin)+" trap 9")
		tm.waitText("ready")
		// A second delivery can merge with the first (a signal pending
		// twice is delivered once), so Ctrl-C is pressed five times.
		for i := 1; i <= 5; i++ {
			tm.keys("C-c")
			tm.waitText(fmt.Sprintf("got INT %d", i))
		}
		if code := tm.waitExit(); code != 9 {
			t.Errorf("exit %d; want the program's 9:\n%s", code, tm.capture())
		}
		if screen := tm.capture(); !strings.Contains(screen, "INT received 5 time(s)") {
			t.Errorf("the program should get each Ctrl-C's SIGINT exactly once:\n%s", screen)
		}
	})
}

// freshTmux is startTmux after removing the exit status of an earlier run
// in the same sandbox.
func freshTmux(t *testing.T, sb *sandbox, args ...string) *tmuxRun {
	t.Helper()
	os.Remove(filepath.Join(sb.root, "exit-status"))
	return startTmux(t, sb, args...)
}

// flatScreen joins a screen's wrapped lines.
func flatScreen(s string) string { return strings.Join(strings.Fields(s), " ") }

// startTmuxShell runs a shell script in tmux at 100×30, in sb's
// environment, and records the exit status of its last command.
func startTmuxShell(t *testing.T, sb *sandbox, body string) *tmuxRun {
	t.Helper()
	sockDir, err := os.MkdirTemp("", "cwtmux")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sockDir) })
	tm := &tmuxRun{t: t, sock: filepath.Join(sockDir, "s"), status: filepath.Join(sb.root, "exit-status-sh"), w: 100, h: 30}
	for _, kv := range sb.env {
		if !strings.HasPrefix(kv, "TERM=") && !strings.HasPrefix(kv, "TMUX") {
			tm.env = append(tm.env, kv)
		}
	}
	tm.env = append(tm.env, "TERM=xterm-256color")
	os.Remove(tm.status)
	script := filepath.Join(sb.root, "run-sh.sh")
	st := shellQuote(tm.status)
	if err := os.WriteFile(script, []byte(body+"\necho $? > "+st+".tmp && mv "+st+".tmp "+st+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(sb.root, "tmux-sh.conf")
	if err := os.WriteFile(conf, []byte("set -g remain-on-exit on\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tm.tmux("-f", conf, "new-session", "-d", "-s", "e2e", "-x", "100", "-y", "30", "sh "+shellQuote(script))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = exec.CommandContext(ctx, "tmux", "-S", tm.sock, "kill-server").Run()
	})
	return tm
}
