//go:build unix

package faulttest

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/credwiz/credwiz/internal/testenv"
	"github.com/credwiz/credwiz/store"
)

// credwizBin is the binary under test (with the test hooks), set by
// TestMain.
var credwizBin string

// runTimeout bounds every run of the binary: a hang is a failure, not a
// stuck test.
const runTimeout = 60 * time.Second

func TestMain(m *testing.M) { os.Exit(testMain(m)) }

func testMain(m *testing.M) int {
	// These tests spend their time waiting on child processes, timeouts
	// and sleeps, not on the CPU: run more than GOMAXPROCS of them at once
	// unless -parallel is given.
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		_ = flag.Set("test.parallel", "8")
	}
	bin, err := testenv.BuildBinary(testenv.HookTag)
	if err != nil {
		fmt.Fprintln(os.Stderr, "faulttest:", err)
		return 1
	}
	credwizBin = bin
	stop := argvSampler.start()
	defer stop()
	return testenv.Main(m)
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string { return testenv.RandomHex(n) }

// ---------------------------------------------------------------------
// A Secret Service of the test's own

// startSecretService starts a private Secret Service (testenv.StartKeyring),
// stopped when t ends, and returns its bus address. Each caller gets its
// own: credwiz's keychain items are global to a bus (service "credwiz",
// account = name), so doctor --fix in one test would remove the items of
// every other test sharing the bus. Without one, t skips loudly, or fails
// under CREDWIZ_REQUIRE_KEYCHAIN=1.
func startSecretService(t testing.TB) string {
	t.Helper()
	return testenv.StartKeyring(t).Addr
}

// keychainItem returns the value of the keychain item (service, name) on
// bus, read with secret-tool (not credwiz), and whether it exists.
func keychainItem(t testing.TB, bus, service, name string) (string, bool) {
	t.Helper()
	v, ok, err := testenv.LookupItem(bus, service, name)
	if err != nil {
		t.Fatal(err)
	}
	return v, ok
}

// keychainSecret returns the secret map credwiz keeps for name on bus, or
// nil when there is no item.
func keychainSecret(t testing.TB, bus, name string) map[string]string {
	t.Helper()
	v, ok := keychainItem(t, bus, store.SecretService, name)
	if !ok {
		return nil
	}
	m := map[string]string{}
	if err := json.Unmarshal([]byte(v), &m); err != nil {
		t.Fatalf("keychain item %s of service credwiz is not a JSON object of strings: %v", name, err)
	}
	return m
}

// keychainEntry is one keychain item as secret-tool sees it: its value
// and the owner attributes credwiz writes.
type keychainEntry struct {
	Value map[string]string
	Owner store.Owner
}

// keychainGet returns the item (service, account) on bus with its owner,
// read over D-Bus (testenv, not credwiz), and whether it exists. More
// than one item for one account fails the test.
func keychainGet(t testing.TB, bus, service, account string) (keychainEntry, bool) {
	t.Helper()
	var found []testenv.Item
	for _, it := range keychainItems(t, bus, service) {
		if it.Account == account {
			found = append(found, it)
		}
	}
	switch {
	case len(found) == 0:
		return keychainEntry{}, false
	case len(found) > 1:
		t.Fatalf("the keychain holds more than one item %s/%s", service, account)
	}
	it := found[0]
	if it.Values == nil {
		t.Fatalf("keychain item %s/%s is not a JSON object of strings", service, account)
	}
	return keychainEntry{Value: it.Values, Owner: store.Owner{Dir: it.Owner.Dir, Rev: it.Owner.Rev}}, true
}

// keychainAccounts returns the sorted accounts of every item of service
// on bus.
func keychainAccounts(t testing.TB, bus, service string) []string {
	t.Helper()
	var out []string
	for _, it := range keychainItems(t, bus, service) {
		out = append(out, it.Account)
	}
	slices.Sort(out)
	return out
}

// keychainItems returns every item of service on bus, read over D-Bus.
func keychainItems(t testing.TB, bus, service string) testenv.Items {
	t.Helper()
	k := testenv.KeyringAt(bus)
	defer k.Stop()
	return k.Items(t, service)
}

// hangingBus listens on a unix socket that accepts connections and never
// answers, and returns it as a D-Bus address.
func hangingBus(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "cw-bus-")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "bus")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		os.RemoveAll(dir)
	})
	return "unix:path=" + path
}

// ---------------------------------------------------------------------
// Sandboxes and runs of the binary

// sandbox is one throw-away credwiz "machine" (a testenv.Sandbox: a
// config dir, HOME and TMPDIR, a secret store) and a record of every run
// for the leak scan.
type sandbox struct {
	box  *testenv.Sandbox
	t    *testing.T
	dir  string // the config dir
	home string
	tmp  string
	kind string // keychain or file

	rec *record
}

// record is what a sandbox keeps for its leak scan.
type record struct {
	mu      sync.Mutex
	secrets map[string]bool
	runs    []result
}

// newSandbox returns a sandbox of the hook binary whose store is kind
// ("keychain" or "file") and whose keychain is on bus (a file sandbox
// gets a dead bus when bus is ""). It scans for leaks when t ends.
func newSandbox(t *testing.T, kind, bus string) *sandbox {
	t.Helper()
	// A cheap scrypt for a file store's identity: the tests run many
	// processes that read secrets (the binary has the test hooks).
	o := testenv.Options{Store: testenv.StoreKind(kind), Binary: credwizBin, ScryptWorkFactor: 12}
	if bus != "" {
		o.Keyring = testenv.KeyringAt(bus)
	}
	sb := testenv.New(t, o)
	sb.Watch = func(int) func() { return argvSampler.busy() }
	s := &sandbox{box: sb, t: t, kind: kind, rec: &record{secrets: map[string]bool{}},
		dir: sb.ConfigDir, home: sb.Home, tmp: sb.Tmp}
	s.secret(sb.Passphrase)
	t.Cleanup(s.leakScan)
	return s
}

// secret registers values the leak scan looks for. Values shorter than 8
// bytes are too likely to occur by chance and are not registered.
func (s *sandbox) secret(vals ...string) {
	s.rec.mu.Lock()
	defer s.rec.mu.Unlock()
	for _, v := range vals {
		if len(strings.TrimSpace(v)) >= 8 {
			s.rec.secrets[strings.TrimSpace(v)] = true
		}
	}
}

// result is one run of the binary (a testenv.Result).
type result struct {
	args           []string
	stdout, stderr string
	code           int // -1: killed by a signal; -2: did not run or timed out
	dur            time.Duration
	// maxRSSKiB is credwiz's peak RSS, from runMeasured only; 0 when not
	// measured. (A child's own rusage is no good: Linux carries the
	// parent's RSS at exec into the child's ru_maxrss.)
	maxRSSKiB int64
}

func (r result) String() string {
	return testenv.Result{Args: r.args, Stdout: r.stdout, Stderr: r.stderr, Code: r.code, Dur: r.dur}.String()
}

// clip shortens long text for failure messages.
func clip(s string) string { return testenv.Clip(s) }

// run runs credwiz with args and stdin (not a terminal) and waits for it.
func (s *sandbox) run(stdin string, args ...string) result {
	s.t.Helper()
	return s.runEnv(stdin, nil, args...)
}

// runEnv is run with extra environment variables (KEY=VALUE).
func (s *sandbox) runEnv(stdin string, extra []string, args ...string) result {
	s.t.Helper()
	return s.record(s.box.RunCmd(testenv.Cmd{Args: args, Stdin: stdin, Env: extra, Timeout: runTimeout}))
}

// timeBin is GNU time, which measures a child it forks itself.
const timeBin = "/usr/bin/time"

// runMeasured is runEnv through GNU time, to measure credwiz's peak RSS;
// ok is false (and nothing runs) where GNU time is not installed.
func (s *sandbox) runMeasured(stdin string, extra []string, args ...string) (r result, ok bool) {
	s.t.Helper()
	if _, err := os.Stat(timeBin); err != nil {
		return result{}, false
	}
	rss := filepath.Join(s.t.TempDir(), "rss")
	r = s.record(s.box.RunCmd(testenv.Cmd{Args: args, Stdin: stdin, Env: extra, Timeout: runTimeout,
		Wrap: []string{timeBin, "-f", "%M", "-o", rss}}))
	b, err := os.ReadFile(rss)
	if err != nil {
		s.t.Fatalf("GNU time wrote no measurement: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	r.maxRSSKiB, err = strconv.ParseInt(lines[len(lines)-1], 10, 64)
	if err != nil {
		s.t.Fatalf("GNU time's measurement %q: %v", b, err)
	}
	return r, true
}

// record checks a finished run for a panic and keeps it for the leak
// scan.
func (s *sandbox) record(run testenv.Result) result {
	s.t.Helper()
	r := result{args: run.Args, stdout: run.Stdout, stderr: run.Stderr, code: run.Code, dur: run.Dur}
	if strings.Contains(r.stderr, "panic:") || strings.Contains(r.stderr, "goroutine ") && strings.Contains(r.stderr, "[running]") {
		// Errorf, not Fatalf: runs may happen on goroutines of their own.
		s.t.Errorf("credwiz panicked:\n%s", r)
	}
	s.rec.mu.Lock()
	s.rec.runs = append(s.rec.runs, r)
	s.rec.mu.Unlock()
	return r
}

// must runs credwiz and fails the test unless it exits 0.
func (s *sandbox) must(stdin string, args ...string) result {
	s.t.Helper()
	r := s.run(stdin, args...)
	if r.code != 0 {
		s.t.Fatalf("want exit 0:\n%s", r)
	}
	return r
}

// killAt runs credwiz with CREDWIZ_TEST_PAUSE_AT=step (and
// CREDWIZ_TEST_PAUSE_N=nth+1: at its nth passage there, counting from 0),
// waits until it says it paused there, and SIGKILLs it. It fails the test
// if the process ends without pausing.
func (s *sandbox) killAt(step store.Step, nth int, stdin string, args ...string) result {
	s.t.Helper()
	r, paused := s.runOrKillAt(step, nth, stdin, args...)
	if !paused {
		s.t.Fatalf("credwiz never paused at %s:\n%s", step, r)
	}
	return r
}

// runOrKillAt runs credwiz as killAt does, but a run that ends without
// pausing is fine: it returns the run and whether it paused (and was
// killed).
func (s *sandbox) runOrKillAt(step store.Step, nth int, stdin string, args ...string) (result, bool) {
	s.t.Helper()
	r, paused := s.box.KillAt(string(step), nth+1, testenv.Cmd{Args: args, Stdin: stdin, Timeout: runTimeout})
	return s.record(r), paused
}

// ---------------------------------------------------------------------
// The config dir

// snapshot returns every file under the config dir by path, with its
// bytes (lock files, which hold nothing, and directories are left out).
func (s *sandbox) snapshot() map[string]string {
	s.t.Helper()
	snap := map[string]string{}
	for k, v := range testenv.Snapshot(s.t, s.dir) {
		if !strings.HasSuffix(k, "/") && !strings.HasSuffix(k, ".lock") {
			snap[k] = testenv.SnapshotContent(v)
		}
	}
	return snap
}

// indexFile is credentials.json as the tests read it, independently of
// the store package (testenv.ParseIndex).
type indexFile = testenv.Index

// indexCred is a credential's record.
type indexCred = testenv.IndexCred

// readIndex parses credentials.json strictly and returns its credentials
// by name; a missing file is an empty index.
func (s *sandbox) readIndex() map[string]indexCred {
	s.t.Helper()
	_, creds := s.readIndexFile()
	return creds
}

// readIndexFile is readIndex that also returns the file's head (ID,
// revision counter); a missing file is an empty one.
func (s *sandbox) readIndexFile() (indexFile, map[string]indexCred) {
	s.t.Helper()
	ix := testenv.ReadIndex(s.t, s.dir)
	return ix, byName(ix)
}

// parseIndex parses an index file's bytes.
func parseIndex(b []byte) (map[string]indexCred, error) {
	ix, err := testenv.ParseIndex(b)
	return byName(ix), err
}

// byName returns an index's credentials by name.
func byName(ix indexFile) map[string]indexCred {
	out := map[string]indexCred{}
	for _, c := range ix.Credentials {
		out[c.Name] = c
	}
	return out
}

// names returns the sorted keys of an index.
func names(m map[string]indexCred) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// checkNoStrayFiles fails when the config dir holds anything but credwiz's
// own files. renameio's temp files (".credentials.json<digits>"), which a
// SIGKILL between create and rename can leave and which credwiz never
// reads, are tolerated and logged, as are those under TMPDIR.
func (s *sandbox) checkNoStrayFiles() {
	s.t.Helper()
	known := map[string]bool{store.IndexFile: true, store.IndexFile + ".lock": true,
		store.AgeFileName: true, store.AgeFileName + ".lock": true, store.SecretsDirName: true}
	entries, err := os.ReadDir(s.dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		s.t.Fatal(err)
	}
	for _, e := range entries {
		switch {
		case known[e.Name()]:
		case isTempName(e.Name()):
			s.t.Logf("left in the config dir after the kill: temp file %s (never read by credwiz)", e.Name())
		default:
			s.t.Errorf("unexpected file in the config dir: %s", e.Name())
		}
	}
	// The encrypted file store's directory: its identity, recipients and
	// one age file per item; renameio's temporary files are tolerated.
	secrets, _ := os.ReadDir(filepath.Join(s.dir, store.SecretsDirName))
	for _, e := range secrets {
		n := e.Name()
		switch {
		case n == "identity.age" || n == "recipients.txt":
		case strings.HasPrefix(n, "."):
			s.t.Logf("left in the secrets dir after the kill: temp file %s (never read by credwiz)", n)
		case strings.HasSuffix(n, ".age") && e.Type().IsRegular():
		default:
			s.t.Errorf("unexpected file in the secrets dir: %s", n)
		}
	}
	tmps, _ := os.ReadDir(s.tmp)
	for _, e := range tmps {
		if isTempName(e.Name()) {
			s.t.Logf("left in TMPDIR after the kill: temp file %s (renameio writes the temp file in TMPDIR when it is on the config dir's file system)", e.Name())
		}
	}
}

func isTempName(n string) bool {
	for _, base := range []string{store.IndexFile, store.AgeFileName} {
		if rest, ok := strings.CutPrefix(n, "."+base); ok && rest != "" && strings.Trim(rest, "0123456789") == "" {
			return true
		}
	}
	return false
}

// seed writes credentials straight into the index through the store
// package (no secrets), recording the sandbox's store kind.
func (s *sandbox) seed(creds ...store.Credential) {
	s.t.Helper()
	ix := store.NewIndex(s.dir)
	err := ix.Update(context.Background(), func(tx *store.Tx) error {
		tx.SetKind(store.Kind(s.kind))
		for _, c := range creds {
			tx.Put(c)
		}
		return nil
	})
	if err != nil {
		s.t.Fatal(err)
	}
}

// ---------------------------------------------------------------------
// Leak scan

// leakScan fails the test for every leak that leaks finds.
func (s *sandbox) leakScan() {
	for _, l := range s.leaks() {
		s.t.Errorf("LEAK: %s", l)
	}
}

// leaks looks for every registered secret in every file under the config
// dir, HOME and TMPDIR, in the stdout of every run but token (whose stdout
// is the token, by design), in the stderr of every run, and in the argv of
// every process sampled while the tests ran. It returns where it found
// one, never the secret itself.
func (s *sandbox) leaks() []string {
	s.rec.mu.Lock()
	secrets := make([]string, 0, len(s.rec.secrets))
	for v := range s.rec.secrets {
		secrets = append(secrets, v)
	}
	runs := slices.Clone(s.rec.runs)
	s.rec.mu.Unlock()
	if len(secrets) == 0 {
		return nil
	}
	var out []string
	found := func(where, text string) {
		for _, v := range secrets {
			if strings.Contains(text, v) {
				for _, w := range secrets {
					where = strings.ReplaceAll(where, w, "<secret>")
				}
				out = append(out, fmt.Sprintf("a secret value (%s…, %d bytes) appears in %s", v[:4], len(v), clip(where)))
			}
		}
	}
	for _, root := range []string{s.dir, s.home, s.tmp} {
		_ = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !d.Type().IsRegular() {
				return nil
			}
			b, err := os.ReadFile(path)
			if err == nil {
				found("file "+path, string(b))
			}
			return nil
		})
	}
	for _, r := range runs {
		cmd := testenv.QuoteArgs(r.args)
		if len(r.args) == 0 || r.args[0] != "token" {
			found("the stdout of credwiz "+cmd, r.stdout)
		}
		found("the stderr of credwiz "+cmd, r.stderr)
	}
	for _, line := range argvSampler.lines() {
		found("the argv of a process: "+line, line)
	}
	return out
}

// argvSampler samples /proc/*/cmdline while any credwiz child runs and
// keeps every distinct command line seen.
var argvSampler = &sampler{seen: map[string]bool{}}

type sampler struct {
	mu     sync.Mutex
	active int
	seen   map[string]bool
	wake   chan struct{}
}

// start runs the sampling loop until the returned function is called.
func (p *sampler) start() (stop func()) {
	if runtime.GOOS != "linux" {
		return func() {}
	}
	quit := make(chan struct{})
	done := make(chan struct{})
	p.wake = make(chan struct{}, 1)
	go func() {
		defer close(done)
		tick := time.NewTicker(3 * time.Millisecond)
		defer tick.Stop()
		for {
			p.mu.Lock()
			active := p.active
			p.mu.Unlock()
			if active == 0 {
				select {
				case <-quit:
					return
				case <-p.wake:
				}
			}
			p.sample()
			select {
			case <-quit:
				return
			case <-tick.C:
			}
		}
	}()
	return func() { close(quit); <-done }
}

// busy marks a child as running until the returned function is called.
func (p *sampler) busy() (idle func()) {
	p.mu.Lock()
	p.active++
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
	return func() {
		p.mu.Lock()
		p.active--
		p.mu.Unlock()
	}
}

func (p *sampler) sample() {
	d, err := os.Open("/proc")
	if err != nil {
		return
	}
	ents, _ := d.Readdirnames(-1)
	d.Close()
	for _, e := range ents {
		if e == "" || e[0] < '0' || e[0] > '9' {
			continue
		}
		b, err := os.ReadFile("/proc/" + e + "/cmdline")
		if err != nil || len(b) == 0 {
			continue
		}
		line := strings.ReplaceAll(strings.TrimRight(string(b), "\x00"), "\x00", " ")
		p.mu.Lock()
		if len(p.seen) < 200000 {
			p.seen[line] = true
		}
		p.mu.Unlock()
	}
}

// lines returns every command line seen so far.
func (p *sampler) lines() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]string, 0, len(p.seen))
	for l := range p.seen {
		out = append(out, l)
	}
	return out
}

// ---------------------------------------------------------------------
// Small helpers

// stdinOf renders KEY=VALUE lines.
func stdinOf(kv ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		b.WriteString(kv[i] + "=" + kv[i+1] + "\n")
	}
	return b.String()
}
