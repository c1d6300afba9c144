package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
)

// screenTimeout bounds each wait for the wizard's screen to change.
const screenTimeout = 20 * time.Second

// tmuxRun is the binary running in a detached tmux session of its own
// tmux server (private socket, no user config), 100×30.
type tmuxRun struct {
	t       *testing.T
	sock    string
	status  string // the file the exit status is written to
	env     []string
	screens []string // every distinct screen seen, in order
	w, h    int      // the terminal's size
}

// startTmux runs credwiz args in tmux, in sb's environment, at 100×30.
func startTmux(t *testing.T, sb *sandbox, args ...string) *tmuxRun {
	t.Helper()
	return startTmuxSized(t, sb, 100, 30, args...)
}

// startTmuxSized runs credwiz args in tmux at w×h. A shell-like prompt
// line comes first, as when an operator types the command.
func startTmuxSized(t *testing.T, sb *sandbox, w, h int, args ...string) *tmuxRun {
	t.Helper()
	return startTmuxAfter(t, sb, w, h, "", args...)
}

// startTmuxAfter is startTmuxSized with shell commands run before credwiz
// starts (after the prompt line).
func startTmuxAfter(t *testing.T, sb *sandbox, w, h int, before string, args ...string) *tmuxRun {
	t.Helper()
	requireTmux(t)
	// A short socket path: a Unix socket's path is limited to ~100 bytes,
	// and t.TempDir's names are long.
	sockDir, err := os.MkdirTemp("", "cwtmux")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sockDir) })
	tm := &tmuxRun{t: t, sock: filepath.Join(sockDir, "s"), status: filepath.Join(sb.root, "exit-status"), w: w, h: h}
	for _, kv := range sb.env {
		if !strings.HasPrefix(kv, "NO_COLOR=") && !strings.HasPrefix(kv, "TERM=") && !strings.HasPrefix(kv, "TMUX") {
			tm.env = append(tm.env, kv)
		}
	}
	tm.env = append(tm.env, "TERM=xterm-256color")
	if !slices.ContainsFunc(tm.env, func(kv string) bool { return strings.HasPrefix(kv, "LANG=") }) {
		tm.env = append(tm.env, "LANG=C.UTF-8")
	}
	conf := filepath.Join(sb.root, "tmux.conf")
	script := filepath.Join(sb.root, "run.sh")
	quoted := []string{shellQuote(credwizBin)}
	for _, a := range args {
		quoted = append(quoted, shellQuote(a))
	}
	body := fmt.Sprintf("#!/bin/sh\necho %s\n%s\n%s\necho $? > %s.tmp && mv %s.tmp %s\n",
		shellQuote("$ credwiz "+strings.Join(args, " ")), before, strings.Join(quoted, " "), shellQuote(tm.status), shellQuote(tm.status), shellQuote(tm.status))
	if err := os.WriteFile(script, []byte(body), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(conf, []byte("set -g remain-on-exit on\nset -g history-limit 2000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tm.tmux("-f", conf, "new-session", "-d", "-s", "e2e", "-x", strconv.Itoa(w), "-y", strconv.Itoa(h), "sh "+shellQuote(script))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = exec.CommandContext(ctx, "tmux", "-S", tm.sock, "kill-server").Run()
	})
	return tm
}

// tmux runs one tmux command against the run's server.
func (tm *tmuxRun) tmux(args ...string) string {
	tm.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "tmux", append([]string{"-u", "-S", tm.sock}, args...)...)
	cmd.Env = tm.env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		tm.t.Fatalf("tmux %s: %v: %s\nlast screen:\n%s", args[0], err, errOut.String(), tm.last())
	}
	return out.String()
}

// keys sends tmux key names (Enter, Down, Escape, C-u…).
func (tm *tmuxRun) keys(keys ...string) {
	tm.t.Helper()
	tm.tmux(append([]string{"send-keys", "-t", "e2e"}, keys...)...)
}

// typeText types s literally.
//
// The text goes through a tmux paste buffer loaded from a private file, not
// send-keys' argv: typed values are often secrets, and argv is public (the
// leak tests of other packages scan every process's). Without -p the
// buffer is typed as plain keys, in one burst.
func (tm *tmuxRun) typeText(s string) {
	tm.t.Helper()
	dir, err := os.MkdirTemp("", "cwkeys")
	if err != nil {
		tm.t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "k")
	if err := os.WriteFile(file, []byte(s), 0o600); err != nil {
		tm.t.Fatal(err)
	}
	tm.tmux("load-buffer", "-b", "keys", file)
	tm.tmux("paste-buffer", "-d", "-r", "-b", "keys", "-t", "e2e")
}

// typeKeys types parts in one burst: the key names Enter, Tab and C-u,
// and anything else as literal text.
func (tm *tmuxRun) typeKeys(parts ...string) {
	tm.t.Helper()
	var b strings.Builder
	for _, p := range parts {
		switch p {
		case "Enter":
			b.WriteByte('\r')
		case "Tab":
			b.WriteByte('\t')
		case "C-u":
			b.WriteByte(0x15)
		default:
			b.WriteString(p)
		}
	}
	tm.typeText(b.String())
}

// capture returns the screen as text and records it.
func (tm *tmuxRun) capture() string {
	tm.t.Helper()
	s := tm.tmux("capture-pane", "-p", "-t", "e2e")
	if len(tm.screens) == 0 || tm.screens[len(tm.screens)-1] != s {
		tm.screens = append(tm.screens, s)
	}
	return s
}

func (tm *tmuxRun) last() string {
	if len(tm.screens) == 0 {
		return "(none)"
	}
	return tm.screens[len(tm.screens)-1]
}

// waitFor polls the screen until ok holds and returns that screen; it
// fails the test with the last screen after screenTimeout.
func (tm *tmuxRun) waitFor(what string, ok func(screen string) bool) string {
	tm.t.Helper()
	deadline := time.Now().Add(screenTimeout)
	for {
		s := tm.capture()
		if ok(s) {
			return s
		}
		if code, exited := tm.exitStatus(); exited {
			tm.t.Fatalf("waiting for %s: credwiz exited with status %d; last screen:\n%s", what, code, s)
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("waiting for %s: not on screen after %s; last screen:\n%s", what, screenTimeout, s)
		}
		time.Sleep(40 * time.Millisecond)
	}
}

// waitText waits until the screen contains every text.
func (tm *tmuxRun) waitText(texts ...string) string {
	tm.t.Helper()
	return tm.waitFor(fmt.Sprintf("%q", texts), func(s string) bool {
		for _, x := range texts {
			if !strings.Contains(s, x) {
				return false
			}
		}
		return true
	})
}

// waitFocus waits until the field titled title has the focus: huh draws a
// thick bar before the focused field's lines.
func (tm *tmuxRun) waitFocus(title string) string {
	tm.t.Helper()
	return tm.waitFor("the focus on "+title, func(s string) bool {
		return slices.ContainsFunc(strings.Split(s, "\n"), func(l string) bool {
			return strings.HasPrefix(l, "┃ "+title)
		})
	})
}

// exitStatus returns credwiz's exit status once it has exited.
func (tm *tmuxRun) exitStatus() (int, bool) {
	b, err := os.ReadFile(tm.status)
	if err != nil {
		return 0, false
	}
	code, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		tm.t.Fatalf("exit status file: %v", err)
	}
	return code, true
}

// waitExit waits for credwiz to exit and returns its status.
func (tm *tmuxRun) waitExit() int {
	tm.t.Helper()
	deadline := time.Now().Add(screenTimeout)
	for {
		if code, ok := tm.exitStatus(); ok {
			tm.capture()
			return code
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("credwiz did not exit within %s; last screen:\n%s", screenTimeout, tm.capture())
		}
		time.Sleep(40 * time.Millisecond)
	}
}

// logScreen puts a screen into the test log, framed, for a human to read.
func (tm *tmuxRun) logScreen(title, s string) {
	tm.t.Helper()
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	tm.t.Logf("%s (tmux capture-pane, %d×%d):\n%s\n%s\n%s", title, tm.w, tm.h, strings.Repeat("─", tm.w),
		strings.Join(lines, "\n"), strings.Repeat("─", tm.w))
}

// pickConnector chooses c in the connector picker.
func (tm *tmuxRun) pickConnector(c *connectors.Connector) {
	tm.t.Helper()
	tm.waitText("Which system is this credential for?", c.Name)
	i := slices.IndexFunc(connectors.All(), func(x *connectors.Connector) bool { return x.ID == c.ID })
	for range i {
		tm.keys("Down")
	}
	tm.waitFor("the cursor on "+c.Name, func(s string) bool {
		return slices.ContainsFunc(strings.Split(s, "\n"), func(l string) bool {
			return strings.HasPrefix(strings.TrimSpace(strings.TrimPrefix(l, "┃")), "> "+c.Name+" ")
		})
	})
	tm.keys("Enter")
}

// fillInput types text into the focused input titled title, waits until
// the screen shows what shows (the text itself, or its mask), then
// presses Enter.
func (tm *tmuxRun) fillInput(title, text string, shows func(screen string) bool) {
	tm.t.Helper()
	tm.waitFocus(title)
	if text != "" {
		tm.typeText(text)
	}
	tm.waitFor(title+" filled in", shows)
	tm.keys("Enter")
}

// showsInput reports whether the focused input shows exactly text.
func showsInput(text string) func(string) bool {
	return func(s string) bool {
		return slices.ContainsFunc(strings.Split(s, "\n"), func(l string) bool {
			return strings.TrimRight(l, " ") == strings.TrimRight("┃ > "+text, " ")
		})
	}
}

// showsMask reports whether the focused input shows n mask characters and
// no letter or digit.
func showsMask(n int) func(string) bool {
	return func(s string) bool {
		return slices.ContainsFunc(strings.Split(s, "\n"), func(l string) bool {
			rest, ok := strings.CutPrefix(strings.TrimRight(l, " "), "┃ > ")
			return ok && len([]rune(rest)) == n && !strings.ContainsFunc(rest, func(r rune) bool {
				return unicode.IsLetter(r) || unicode.IsDigit(r)
			})
		})
	}
}

// TestWizardDriftTmux adds a Drift credential by typing into the real
// wizard in tmux, against the Drift emulator and the real Secret Service.
func TestWizardDriftTmux(t *testing.T) {
	requireTmux(t)
	requireKeychain(t)
	t.Parallel()
	c, _ := connectors.Lookup("drift")
	em := startEmulator(t, "drift").(*connectortest.Drift)
	n, _ := strconv.ParseUint(randomHex(3), 16, 32)
	org := strconv.FormatUint(100000+n%900000, 10)
	em.SetOrg(org)
	key := em.Values()["api_key"]
	sb := newSandbox(t, keychainStore)
	name := credName(t, "wiz")
	desc := "typed in tmux by the e2e test"
	cleanKeychain(t, name)

	tm := startTmux(t, sb, "add")
	tm.pickConnector(c)
	tm.fillInput("Credential Name", name, showsInput(name))
	tm.fillInput("Credential Description", desc, showsInput(desc))
	tm.fillInput("API Key Value", key, showsMask(len(key)))
	tm.waitFocus("Base URL")
	tm.keys("End", "C-u") // clear the pre-filled https://driftapi.com
	tm.fillInput("Base URL", em.URL(), showsInput(em.URL()))

	success := tm.waitText("What next?")
	tm.logScreen("The Drift wizard's result screen", success)
	for _, want := range []string{"Connected to Drift", "Drift org " + org, "> Save"} {
		if !strings.Contains(success, want) {
			t.Errorf("the result screen does not show %q", want)
		}
	}
	tm.keys("Enter")
	code := tm.waitExit()
	final := tm.last()
	tm.logScreen("After Save", final)
	if code != 0 {
		t.Fatalf("the wizard exited with status %d; want 0", code)
	}
	if !strings.Contains(final, name) {
		t.Errorf("the final screen does not name the saved credential %s", name)
	}
	for i, s := range tm.screens {
		if containsPiece(s, key, leakWindow) {
			t.Errorf("screen %d of %d shows the API key (or a piece of it); secrets must be masked:\n%s",
				i+1, len(tm.screens), strings.ReplaceAll(s, key, "[KEY]"))
		}
	}

	cr, ok := find(sb.list(), name)
	switch {
	case !ok:
		t.Fatalf("credwiz list --json does not show %s", name)
	case cr.Connector != "drift" || cr.Description != desc || cr.Fields["base_url"] != em.URL():
		t.Errorf("credwiz list --json shows %+v; want connector drift, description %q, base_url %s", cr, desc, em.URL())
	case cr.LastTest == nil || !cr.LastTest.OK || !strings.Contains(cr.LastTest.Account, org):
		t.Errorf("credwiz list --json: last_test %+v; want a passing test of org %s", cr.LastTest, org)
	}
	got, ok := keychainSecrets(t, name)
	if !ok || len(got) != 1 || got["api_key"] != key {
		t.Errorf("secret-tool lookup service credwiz username %s: found %v, keys %v; want {\"api_key\": the typed key}",
			name, ok, sortedKeys(got))
	}
}

// TestWizardDriftWrongKeyTmux types a wrong key first: the result screen
// shows the classified failure and Retry / Edit values / Save anyway /
// Cancel; Edit values, the right key, and the credential is saved.
func TestWizardDriftWrongKeyTmux(t *testing.T) {
	requireTmux(t)
	requireKeychain(t)
	t.Parallel()
	em := startEmulator(t, "drift")
	key := em.Values()["api_key"]
	wrong := "drift-wrong-" + randomHex(16)
	sb := newSandbox(t, keychainStore)
	name := credName(t, "wizfix")
	cleanKeychain(t, name)

	tm := startTmux(t, sb, "add", "drift")
	tm.fillInput("Credential Name", name, showsInput(name))
	tm.fillInput("Credential Description", "", showsInput(""))
	tm.fillInput("API Key Value", wrong, showsMask(len(wrong)))
	tm.waitFocus("Base URL")
	tm.keys("End", "C-u")
	tm.fillInput("Base URL", em.URL(), showsInput(em.URL()))

	failed := tm.waitText("What next?")
	tm.logScreen("The Drift wizard's failure screen", failed)
	for _, want := range []string{"Test failed", "rejected", "Retry", "Edit values", "Save anyway", "Cancel"} {
		if !strings.Contains(failed, want) {
			t.Errorf("the failure screen does not show %q", want)
		}
	}
	tm.keys("Down")
	tm.waitText("> Edit values")
	tm.keys("Enter")

	// The form comes back with the values entered; replace the key.
	tm.waitFocus("API Key Value")
	tm.keys("End", "C-u")
	tm.fillInput("API Key Value", key, showsMask(len(key)))
	tm.fillInput("Base URL", "", showsInput(em.URL()))
	success := tm.waitText("What next?", "Connected to Drift")
	tm.logScreen("After Edit values and the right key", success)
	tm.keys("Enter")
	if code := tm.waitExit(); code != 0 {
		t.Fatalf("the wizard exited with status %d; want 0; last screen:\n%s", code, tm.last())
	}
	for i, s := range tm.screens {
		if containsPiece(s, key, leakWindow) || containsPiece(s, wrong, leakWindow) {
			t.Errorf("screen %d of %d shows an API key (or a piece of it)", i+1, len(tm.screens))
		}
	}
	if got, ok := keychainSecrets(t, name); !ok || got["api_key"] != key {
		t.Errorf("the keychain item of %s does not hold the corrected key (found %v)", name, ok)
	}
	if cr, ok := find(sb.list(), name); !ok || cr.LastTest == nil || !cr.LastTest.OK {
		t.Errorf("list --json: %+v; want %s with a passing test", cr, name)
	}
}

// shellQuote quotes s for sh.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
