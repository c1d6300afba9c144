//go:build unix

package filestoretest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// term is the binary running in a tmux session of its own server.
type term struct {
	t      *testing.T
	sock   string
	status string
}

// startTerm runs script (a shell command line) in sb's environment in a
// detached tmux session, 100×30.
func startTerm(t *testing.T, sb *sandbox, script string) *term {
	sockDir, err := os.MkdirTemp("", "cwft")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sockDir) })
	tm := &term{t: t, sock: filepath.Join(sockDir, "s"), status: filepath.Join(sockDir, "status")}
	var envs []string
	for _, e := range sb.env {
		envs = append(envs, "export "+shellQuote(e))
	}
	sh := filepath.Join(sb.root, "run.sh")
	// The shell survives a Ctrl-C meant for the command (a trap, which
	// the command does not inherit), so that it records the exit status.
	body := strings.Join(envs, "\n") + "\ntrap : INT\n" + script + "\necho $? > " + shellQuote(tm.status) + "\nsleep 3600\n"
	if err := os.WriteFile(sh, []byte(body), 0o700); err != nil {
		t.Fatal(err)
	}
	tm.tmux("-f", "/dev/null", "new-session", "-d", "-s", "ft", "-x", "100", "-y", "30", "sh "+shellQuote(sh))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = exec.CommandContext(ctx, "tmux", "-S", tm.sock, "kill-server").Run()
	})
	return tm
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func (tm *term) tmux(args ...string) string {
	tm.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "tmux", append([]string{"-u", "-S", tm.sock}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %s: %v: %s", args[0], err, out)
	}
	return string(out)
}

// typeLine types s and Enter.
func (tm *term) typeLine(s string) {
	tm.typeText(s)
	tm.tmux("send-keys", "-t", "ft", "Enter")
}

// typeText types s.
func (tm *term) typeText(s string) { tm.tmux("send-keys", "-t", "ft", "-l", s) }

func (tm *term) screen() string { return tm.tmux("capture-pane", "-p", "-t", "ft") }

// waitCount waits until text appears n times on the screen (at most 30 s).
func (tm *term) waitCount(text string, n int) string {
	tm.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s := tm.screen()
		if strings.Count(s, text) >= n {
			return s
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("waited 30 s for %d × %q; screen:\n%s", n, text, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// exitCode waits for the command to end and returns its exit status.
func (tm *term) exitCode() int {
	tm.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if b, err := os.ReadFile(tm.status); err == nil && len(strings.TrimSpace(string(b))) > 0 {
			n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
			return n
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("the command did not end; screen:\n%s", tm.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
