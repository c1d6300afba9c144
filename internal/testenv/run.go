package testenv

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode"
)

// DefaultTimeout bounds a run whose Cmd gives no timeout: a hang is a
// failure, not a stuck test.
const DefaultTimeout = 2 * time.Minute

// Cmd is one run of credwiz.
type Cmd struct {
	// Args are credwiz's arguments.
	Args []string
	// Stdin is its standard input (never a terminal).
	Stdin string
	// Env is added to the sandbox's environment (KEY=VALUE).
	Env []string
	// Timeout bounds the run; zero means DefaultTimeout. A run that
	// outlives it is killed and reported as a failure of the test.
	Timeout time.Duration
	// Wrap, when set, is a program and its arguments that run credwiz
	// (its path and Args follow them), e.g. GNU time to measure it.
	Wrap []string
}

// Result is what one run did.
type Result struct {
	// Args are the arguments it ran with.
	Args []string
	// Stdout and Stderr are its output.
	Stdout, Stderr string
	// Code is the exit code, -1 when a signal ended the process, -2 when
	// it could not start or outlived its timeout (reported to the test).
	Code int
	// Signal is the signal that ended it, 0 when it exited.
	Signal syscall.Signal
	// Dur is the wall time from start to end.
	Dur time.Duration
	// User and Sys are its CPU time (os.ProcessState's, from its rusage
	// on Unix).
	User, Sys time.Duration
}

// CPU returns the user plus system CPU time.
func (r Result) CPU() time.Duration { return r.User + r.Sys }

// Killed reports whether a SIGKILL ended the run.
func (r Result) Killed() bool { return r.Signal == syscall.SIGKILL }

// String describes the run for failure messages.
func (r Result) String() string {
	end := fmt.Sprintf("exit %d", r.Code)
	if r.Signal != 0 {
		end = "killed by " + r.Signal.String()
	}
	if r.Dur > 0 {
		end += " after " + r.Dur.Round(time.Millisecond).String()
	}
	return fmt.Sprintf("credwiz %s: %s\n  stdout: %q\n  stderr: %q", QuoteArgs(r.Args), end, Clip(r.Stdout), Clip(r.Stderr))
}

// QuoteArgs renders args as a shell would need them, clipped.
func QuoteArgs(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = Clip(a)
		if a == "" || strings.ContainsAny(a, " \t\n\"'\\$") || strings.IndexFunc(a, unicode.IsControl) >= 0 {
			q[i] = strconv.Quote(q[i])
		}
	}
	return strings.Join(q, " ")
}

// Run runs credwiz with args and stdin and waits for it.
func (s *Sandbox) Run(stdin string, args ...string) Result {
	s.T.Helper()
	return s.RunCmd(Cmd{Args: args, Stdin: stdin})
}

// RunCmd runs c and waits for it. A run that cannot start or times out
// is reported with T.Errorf (so RunCmd may be called from any goroutine)
// and returns Code -2.
func (s *Sandbox) RunCmd(c Cmd) Result {
	s.T.Helper()
	return s.Start(c).Wait()
}

// Must runs credwiz and fails the test (Fatalf: call it from the test's
// goroutine) unless it exits 0.
func (s *Sandbox) Must(stdin string, args ...string) Result {
	s.T.Helper()
	r := s.Run(stdin, args...)
	if r.Code != 0 {
		s.T.Fatalf("want exit 0:\n%s", r)
	}
	return r
}

// Proc is a credwiz process started by Start.
type Proc struct {
	s     *Sandbox
	cmd   *exec.Cmd
	args  []string
	out   bytes.Buffer
	err   *watched
	start time.Time
	done  chan struct{}
	res   Result
	timer *time.Timer
	timed bool
	mu    sync.Mutex
	// unwatch ends the Sandbox's Watch of the process, if any.
	unwatch func()
}

// Start starts c and returns at once. Its failure to start is reported
// with T.Errorf; Wait then returns Code -2.
func (s *Sandbox) Start(c Cmd) *Proc {
	s.T.Helper()
	cmd := exec.Command(s.Bin, c.Args...)
	if len(c.Wrap) > 0 {
		cmd = exec.Command(c.Wrap[0], append(append(slices.Clone(c.Wrap[1:]), s.Bin), c.Args...)...)
	}
	cmd.Env = append(slices.Clone(s.Env), c.Env...)
	cmd.Dir = s.Dir
	if cmd.Dir == "" {
		cmd.Dir = s.Home
	}
	cmd.Stdin = strings.NewReader(c.Stdin)
	// A child credwiz leaves behind holding its stdout or stderr (exec's
	// programs) does not keep the run from ending.
	cmd.WaitDelay = 5 * time.Second
	p := &Proc{s: s, cmd: cmd, args: c.Args, err: newWatched(), done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = &p.out, p.err
	p.start = time.Now()
	if err := cmd.Start(); err != nil {
		s.T.Errorf("start credwiz %s: %v", QuoteArgs(c.Args), err)
		p.res = Result{Args: c.Args, Code: -2}
		close(p.done)
		return p
	}
	if s.Watch != nil {
		p.unwatch = s.Watch(cmd.Process.Pid)
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	p.timer = time.AfterFunc(timeout, func() {
		p.mu.Lock()
		p.timed = true
		p.mu.Unlock()
		_ = cmd.Process.Kill()
	})
	go p.wait()
	return p
}

// wait reaps the process and fills in the result.
func (p *Proc) wait() {
	defer close(p.done)
	err := p.cmd.Wait()
	p.timer.Stop()
	if p.unwatch != nil {
		p.unwatch()
	}
	r := Result{Args: p.args, Stdout: p.out.String(), Stderr: p.err.String(), Dur: time.Since(p.start), Code: -1}
	ps := p.cmd.ProcessState
	if ps == nil {
		r.Code = -2
		r.Stderr += fmt.Sprintf("\n(testenv: %v)", err)
		p.res = r
		return
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		r.Signal = ws.Signal()
	} else {
		r.Code = ps.ExitCode()
	}
	r.User, r.Sys = ps.UserTime(), ps.SystemTime()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		r.Stderr += fmt.Sprintf("\n(testenv: %v)", err)
	}
	p.res = r
}

// Pid returns the process ID.
func (p *Proc) Pid() int {
	if p.cmd.Process == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

// Done is closed when the process has ended.
func (p *Proc) Done() <-chan struct{} { return p.done }

// Stderr returns what the process wrote on stderr so far.
func (p *Proc) Stderr() string { return p.err.String() }

// Signal sends sig to the process (nothing when it has ended).
func (p *Proc) Signal(sig syscall.Signal) {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(sig)
}

// Kill sends SIGKILL.
func (p *Proc) Kill() { p.Signal(syscall.SIGKILL) }

// Wait waits for the process to end and returns its result. A run killed
// at its timeout is reported with T.Errorf.
func (p *Proc) Wait() Result {
	<-p.done
	p.mu.Lock()
	timed := p.timed
	p.mu.Unlock()
	if timed {
		p.s.T.Errorf("credwiz did not finish in time and was killed:\n%s", p.res)
		r := p.res
		r.Code = -2
		return r
	}
	return p.res
}

// WaitStderr waits until the process has written text on stderr, and
// reports whether it did: false when it ended first or timeout passed.
func (p *Proc) WaitStderr(text string, timeout time.Duration) bool {
	return p.err.waitFor(text, timeout, p.done)
}

// PauseLine is what a HookTag build prints when it pauses at step.
func PauseLine(step string) string { return "credwiz: paused at " + step + "\n" }

// WaitPaused waits until the process says it paused at step (a HookTag
// build run with CREDWIZ_TEST_PAUSE_AT=step): false when it ended first.
func (p *Proc) WaitPaused(step string) bool {
	return p.WaitStderr(PauseLine(step), DefaultTimeout)
}

// PauseEnv returns the environment that pauses a HookTag build the n-th
// time it reaches step (n < 1 means 1).
func PauseEnv(step string, n int) []string {
	return []string{"CREDWIZ_TEST_PAUSE_AT=" + step, "CREDWIZ_TEST_PAUSE_N=" + strconv.Itoa(max(n, 1))}
}

// KillAt runs c with the sandbox's hook binary paused the n-th time it
// reaches step and SIGKILLs it there. paused is false when the process
// ended without reaching it; r is then its normal result.
func (s *Sandbox) KillAt(step string, n int, c Cmd) (r Result, paused bool) {
	s.T.Helper()
	c.Env = append(slices.Clone(c.Env), PauseEnv(step, n)...)
	p := s.Start(c)
	if !p.WaitPaused(step) {
		return p.Wait(), false
	}
	p.Kill()
	r = p.Wait()
	if !r.Killed() {
		s.T.Errorf("credwiz paused at %s but was not ended by SIGKILL:\n%s", step, r)
	}
	return r, true
}

// watched is a buffer whose readers can wait for a text to appear.
type watched struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	wake chan struct{}
}

func newWatched() *watched { return &watched{wake: make(chan struct{})} }

func (w *watched) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(b)
	close(w.wake)
	w.wake = make(chan struct{})
	return len(b), nil
}

func (w *watched) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// waitFor waits until the buffer holds text; false when done closes or
// timeout passes first.
func (w *watched) waitFor(text string, timeout time.Duration, done <-chan struct{}) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		w.mu.Lock()
		found := strings.Contains(w.buf.String(), text)
		wake := w.wake
		w.mu.Unlock()
		if found {
			return true
		}
		select {
		case <-wake:
		case <-done:
			return strings.Contains(w.String(), text)
		case <-deadline.C:
			return false
		}
	}
}
