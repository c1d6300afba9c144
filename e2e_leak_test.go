package main

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
	"testing"
	"time"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/store"
)

// TestLeak runs a whole add/test/list/show/edit/reauth/token/rm cycle of every
// connector with long random secrets (and a rejected wrong one first),
// and looks for the secrets everywhere they must not be: the stdout of
// list, show and test, every stderr, every file under the config dir,
// HOME and TMPDIR (also after rm), and the argv of every process on the
// machine while credwiz runs. It also checks that credwiz starts no child
// process.
func TestLeak(t *testing.T) {
	requireKeychain(t)
	t.Parallel()
	w := startProcWatcher(t)
	w.selfTest(t)
	t.Run("cycle", func(t *testing.T) {
		for _, c := range connectors.All() {
			t.Run(c.ID, func(t *testing.T) {
				t.Parallel()
				leakCycle(t, w, c)
			})
		}
	})
	w.stop()
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, l := range w.leaks {
		if !strings.Contains(l, selfTestLabel) {
			t.Errorf("a secret appeared in the argv of a process: %s", l)
		}
	}
	for _, c := range w.children {
		t.Errorf("credwiz started a child process: %s", c)
	}
	if w.sawCredwiz == 0 {
		t.Errorf("the process watcher never saw a credwiz process, so the argv check proved nothing")
	}
	t.Logf("process watcher: %d scans, saw %d running credwiz process(es)", w.scans, w.sawCredwiz)
}

// leakCycle is one connector's cycle.
func leakCycle(t *testing.T, w *procWatcher, c *connectors.Connector) {
	em := startEmulator(t, c.ID)
	fields, _ := split(c, em.Values())
	tag := strings.ToUpper(c.ID[:3])
	first, rotated, wrong := randomSecrets(c, tag+"a"), randomSecrets(c, tag+"b"), randomSecrets(c, tag+"w")
	reauthed := randomSecrets(c, tag+"c")
	all := map[string]string{}
	for k, v := range first {
		all["first "+k], all["rotated "+k], all["wrong "+k], all["reauthed "+k] = v, rotated[k], wrong[k], reauthed[k]
	}
	w.watch(c.ID, all)
	em.SetSecrets(first)

	sb := newSandbox(t, keychainStore)
	name := credName(t, "leak-"+c.ID)
	renamed := name + "-b"
	cleanKeychain(t, name, renamed)

	// check runs one command and looks for the secrets in its output and in
	// the sandbox's files. tokenOut: stdout legitimately holds a token.
	check := func(wantCode int, tokenOut bool, stdin string, args ...string) result {
		t.Helper()
		r := sb.run(stdin, args...)
		if r.code != wantCode {
			t.Fatalf("want exit %d:\n%s", wantCode, r)
		}
		if k := findLeak(r.stderr, all); k != "" {
			t.Errorf("the %s secret appears on stderr of credwiz %s", k, quoteArgs(args))
		}
		if !(tokenOut && c.StaticToken) {
			if k := findLeak(r.stdout, all); k != "" {
				t.Errorf("the %s secret appears on stdout of credwiz %s", k, quoteArgs(args))
			}
		}
		for _, dir := range []string{sb.configDir, sb.home, sb.tmp} {
			for p, content := range snapshot(t, dir) {
				if k := findLeak(content, all); k != "" {
					t.Errorf("after credwiz %s, the %s secret appears in plaintext in %s", quoteArgs(args), k, filepath.Join(dir, p))
				}
			}
		}
		return r
	}

	// A wrong secret: rejected, and not echoed.
	check(1, false, stdinLines(wrong), addArgs(c.ID, name, fields, "--secrets-stdin")...)
	if _, ok := lookupKeychain(t, store.SecretService, name); ok {
		t.Errorf("a rejected add left a keychain item for %s", name)
	}

	check(0, false, stdinLines(first), addArgs(c.ID, name, fields, "--description", "leak test", "--secrets-stdin")...)
	check(0, false, "", "list")
	check(0, false, "", "list", "--json")
	check(0, false, "", "show", name)
	check(0, false, "", "show", name, "--json")
	check(0, false, "", "test", name)
	check(0, false, "", "test", name, "--json")
	check(0, false, "", "test", "--all", "--json")
	check(0, true, "", "token", name)
	check(0, true, "", "token", name, "--json")
	check(0, false, "", "edit", name, "--description", "leak test, edited")
	check(0, false, "", "edit", name, "--name", renamed)

	// Rotate the secrets at the vendor and give credwiz the new ones.
	em.SetSecrets(rotated)
	check(1, false, "", "test", renamed)
	check(0, false, stdinLines(rotated), "edit", renamed, "--secrets-stdin")
	if got, ok := keychainSecrets(t, renamed); !ok || got[c.SecretKeys()[0]] != rotated[c.SecretKeys()[0]] {
		t.Errorf("edit --secrets-stdin did not store the rotated secret of %s", renamed)
	}
	check(0, false, "", "test", renamed)
	check(0, true, "", "token", renamed)
	check(0, false, "", "show", renamed)

	// Rotate again; this time reauth, first with a wrong secret.
	em.SetSecrets(reauthed)
	check(1, false, stdinLines(wrong), "reauth", renamed, "--secrets-stdin")
	check(0, false, stdinLines(reauthed), "reauth", renamed, "--secrets-stdin", "--json")
	check(0, true, "", "token", renamed, "--json")
	check(0, false, "", "show", renamed, "--json")
	check(0, false, "", "rm", renamed, "--yes")
	check(0, false, "", "list", "--json")
	assertNoKeychainItems(t, name)
	assertNoKeychainItems(t, renamed)
}

// procWatcher polls /proc while the leak test runs: the argv of every
// process, for the secrets it watches, and the parent of every process,
// for children of a running credwiz (liveCredwiz).
type procWatcher struct {
	mu         sync.Mutex
	secrets    map[string]string // label → value
	leaks      []string
	children   []string
	sawCredwiz int
	scans      int
	seen       map[int]bool // credwiz PIDs counted

	quit chan struct{}
	done chan struct{}
}

func startProcWatcher(t *testing.T) *procWatcher {
	t.Helper()
	if _, err := os.Stat("/proc/self/cmdline"); err != nil {
		t.Skipf("no /proc here (%v): the argv leak check needs Linux", err)
	}
	w := &procWatcher{secrets: map[string]string{}, seen: map[int]bool{},
		quit: make(chan struct{}), done: make(chan struct{})}
	go w.loop()
	t.Cleanup(w.stop)
	return w
}

// watch adds secrets to look for; labels are prefixed with what.
func (w *procWatcher) watch(what string, secrets map[string]string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for k, v := range secrets {
		w.secrets[what+" "+k] = v
	}
}

func (w *procWatcher) stop() {
	select {
	case <-w.quit:
	default:
		close(w.quit)
	}
	<-w.done
}

func (w *procWatcher) loop() {
	defer close(w.done)
	tick := time.NewTicker(3 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-w.quit:
			return
		case <-tick.C:
			w.scan()
		}
	}
}

// scan looks at every process once.
func (w *procWatcher) scan() {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	w.mu.Lock()
	secrets := make(map[string]string, len(w.secrets))
	for k, v := range w.secrets {
		secrets[k] = v
	}
	w.mu.Unlock()
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		raw, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil {
			continue // gone already
		}
		argv := string(bytes.ReplaceAll(raw, []byte{0}, []byte{' '}))
		_, isCredwiz := liveCredwiz.Load(pid)
		ppid := parentPID(e.Name())
		_, parentIsCredwiz := liveCredwiz.Load(ppid)
		leak := ""
		for _, k := range sortedKeys(secrets) {
			if containsPiece(argv, secrets[k], leakWindow) {
				leak = k
				break
			}
		}
		if !isCredwiz && !parentIsCredwiz && leak == "" {
			continue
		}
		w.mu.Lock()
		if isCredwiz && !w.seen[pid] {
			w.seen[pid] = true
			w.sawCredwiz++
		}
		if parentIsCredwiz && ppid > 0 {
			w.children = append(w.children, fmt.Sprintf("pid %d (parent credwiz %d): %.200s", pid, ppid, redactAll(argv, secrets)))
		}
		if leak != "" {
			w.leaks = append(w.leaks, fmt.Sprintf("the %s secret, in pid %d: %.200s", leak, pid, redactAll(argv, secrets)))
		}
		w.mu.Unlock()
	}
	w.mu.Lock()
	w.scans++
	w.mu.Unlock()
}

// parentPID reads the parent PID from /proc/PID/stat; 0 when unknown.
func parentPID(pid string) int {
	raw, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0
	}
	// "pid (comm) state ppid ...": comm may hold spaces and parentheses.
	s := string(raw)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(f[1])
	return ppid
}

func redactAll(s string, secrets map[string]string) string {
	for _, v := range secrets {
		s = strings.ReplaceAll(s, v, "[SECRET]")
	}
	return s
}

// selfTestLabel labels the canary secret of selfTest.
const selfTestLabel = "self-test canary"

// selfTest proves the watcher finds a secret in a process's argv: a shell
// whose $0 is a canary secret must be reported.
func (w *procWatcher) selfTest(t *testing.T) {
	t.Helper()
	canary := "canary-" + randomHex(16)
	w.watch("self-test", map[string]string{"canary": canary})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", "sleep 10", canary)
	if err := cmd.Start(); err != nil {
		t.Fatalf("self-test of the process watcher: %v", err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		w.mu.Lock()
		found := false
		for _, l := range w.leaks {
			found = found || strings.Contains(l, selfTestLabel)
		}
		w.mu.Unlock()
		if found {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("self-test: the process watcher did not see a canary secret in a process's argv")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
