package main

// End-to-end tests of the real credwiz binary: TestMain builds it once, and
// every test runs it as a child process with a throw-away config dir, HOME
// and TMPDIR, against the in-process vendor emulators of
// connectors/connectortest (loopback http only) and, for the keychain
// store, a real Secret Service: gnome-keyring on a private D-Bus bus that
// TestMain starts for this package with scripts/secret-service.sh (or, when
// gnome-keyring is not installed, the one on $DBUS_SESSION_BUS_ADDRESS).
//
// Tests that need the Secret Service or tmux skip with a loud message when
// it is absent; with CREDWIZ_REQUIRE_KEYCHAIN=1 (CI) they fail instead.
// CREDWIZ_E2E_BINARY=/path/to/credwiz tests that binary instead of building
// one.

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
	"github.com/credwiz/credwiz/internal/testenv"
	"github.com/credwiz/credwiz/store"
)

// credwizBin is the binary under test, set by TestMain.
var credwizBin string

// runTimeout bounds every run of the binary.
const runTimeout = 90 * time.Second

// runID makes the credential names of this test run unique, so that runs
// sharing a keychain never see each other's items.
var runID = randomHex(3)

func TestMain(m *testing.M) { os.Exit(e2eMain(m)) }

func e2eMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "credwiz-e2e-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	if p := os.Getenv("CREDWIZ_E2E_BINARY"); p != "" {
		credwizBin, err = filepath.Abs(p)
	} else {
		credwizBin, err = testenv.BuildBinary()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %v\n", err)
		return 1
	}
	if err := buildExecChild(context.Background(), dir); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: go build ./testdata/execchild failed: %v\n", err)
		return 1
	}
	if k := startOwnSecretService(); k != nil {
		defer k.Stop()
	}
	return testenv.Main(m)
}

// startOwnSecretService starts a private Secret Service of this test
// binary's own (testenv.NewKeyring) and points DBUS_SESSION_BUS_ADDRESS at
// it; it returns nil when there is none (not Linux, programs missing, or
// it failed: the tests then use the session bus they were given, if any).
//
// Its own keyring keeps these tests apart from the other packages' tests,
// which run at the same time under go test ./... (the store tests lock the
// shared keyring for a moment, which would fail a credwiz run here), and
// from a developer's own keyring.
func startOwnSecretService() *testenv.Keyring {
	k, err := testenv.NewKeyring()
	if err != nil {
		if runtime.GOOS == "linux" {
			fmt.Fprintf(os.Stderr, "e2e: WARNING: could not start a Secret Service of its own (%v); using the session bus given\n", err)
		}
		return nil
	}
	os.Setenv("DBUS_SESSION_BUS_ADDRESS", k.Addr)
	return k
}

// ---------------------------------------------------------------------
// Running the binary

// storeKind is the secret store a sandbox asks for.
type storeKind = testenv.StoreKind

const (
	keychainStore = testenv.Keychain
	fileStore     = testenv.File
)

// sandbox is a throw-away environment for the binary (a testenv.Sandbox):
// its own config dir, HOME and TMPDIR, and a secret store; every run
// starts in root.
type sandbox struct {
	box       *testenv.Sandbox
	t         *testing.T
	root      string
	configDir string
	home      string
	tmp       string
	kind      storeKind
	env       []string // the child's whole environment (tests may change it)
}

// newSandbox returns a sandbox using the given secret store. The file
// store gets a random CREDWIZ_PASSPHRASE; the keychain store is the Secret
// Service on $DBUS_SESSION_BUS_ADDRESS (callers check requireKeychain).
// The environment is the test process's but what could change credwiz's
// behaviour (testenv.InheritedEnv).
func newSandbox(t *testing.T, kind storeKind) *sandbox {
	t.Helper()
	o := testenv.Options{Store: kind, Binary: credwizBin, Base: baseEnv()}
	if kind == keychainStore {
		o.Keyring = testenv.KeyringAt(os.Getenv("DBUS_SESSION_BUS_ADDRESS"))
	}
	box := testenv.New(t, o)
	box.Dir = box.Root
	box.Watch = watchCredwiz
	return &sandbox{box: box, t: t, root: box.Root, configDir: box.ConfigDir,
		home: box.Home, tmp: box.Tmp, kind: kind, env: box.Env}
}

// baseEnv is the test process's environment without anything that could
// change credwiz's behaviour or point it at a real store.
func baseEnv() []string { return testenv.InheritedEnv() }

// result is what one run of the binary did.
type result struct {
	args           []string
	stdout, stderr string
	code           int // -1: ended by a signal; -2: did not run or timed out
}

// String describes the run for failure messages.
func (r result) String() string {
	return testenv.Result{Args: r.args, Stdout: r.stdout, Stderr: r.stderr, Code: r.code}.String()
}

// quoteArgs renders args for failure messages.
func quoteArgs(args []string) string { return testenv.QuoteArgs(args) }

// liveCredwiz holds the PIDs of the credwiz processes running now, for
// the process watcher of the leak test.
var liveCredwiz sync.Map // pid → struct{}

// watchCredwiz records pid in liveCredwiz until the returned function is
// called.
func watchCredwiz(pid int) func() {
	liveCredwiz.Store(pid, struct{}{})
	return func() { liveCredwiz.Delete(pid) }
}

// run runs the binary with stdin (never a terminal) and returns what it did.
func (s *sandbox) run(stdin string, args ...string) result {
	s.t.Helper()
	return s.runEnv(nil, stdin, args...)
}

// runEnv is run with extra KEY=VALUE environment entries.
func (s *sandbox) runEnv(extra []string, stdin string, args ...string) result {
	s.t.Helper()
	r := s.exec(extra, stdin, args...)
	if r.code == -2 {
		s.t.Fatalf("credwiz did not run to its end:\n%s", r)
	}
	return r
}

// runNoFatal is run for goroutines other than the test's: a run that could
// not be made, or was killed at its timeout, fails the test (Errorf) and
// is a result with code -2.
func (s *sandbox) runNoFatal(stdin string, args ...string) result {
	return s.exec(nil, stdin, args...)
}

// exec runs the binary once in root with s.env, bounded by runTimeout.
func (s *sandbox) exec(extra []string, stdin string, args ...string) result {
	s.t.Helper()
	box := *s.box
	box.T, box.Env = s.t, s.env
	r := box.RunCmd(testenv.Cmd{Args: args, Stdin: stdin, Env: extra, Timeout: runTimeout})
	return result{args: r.Args, stdout: r.Stdout, stderr: r.Stderr, code: r.Code}
}

// must runs the binary and fails the test unless it exits 0.
func (s *sandbox) must(stdin string, args ...string) result {
	s.t.Helper()
	r := s.run(stdin, args...)
	if r.code != 0 {
		s.t.Fatalf("want exit 0:\n%s", r)
	}
	return r
}

// credJSON is the part of list --json / show --json the tests read.
type credJSON struct {
	Name        string            `json:"name"`
	Connector   string            `json:"connector"`
	Description string            `json:"description"`
	Fields      map[string]string `json:"fields"`
	SecretKeys  []string          `json:"secret_keys"`
	// SecretsUpdatedAt is when the secrets were last set.
	SecretsUpdatedAt time.Time `json:"secrets_updated_at"`
	LastTest         *struct {
		OK      bool   `json:"ok"`
		Account string `json:"account"`
		Class   string `json:"class"`
	} `json:"last_test"`
	Secrets map[string]string `json:"secrets"`
}

// testJSON is an element of test --json's array.
type testJSON struct {
	Name      string `json:"name"`
	Connector string `json:"connector"`
	OK        bool   `json:"ok"`
	Class     string `json:"class"`
	Report    *struct {
		Account string `json:"account"`
	} `json:"report"`
}

// list returns list --json, decoded.
func (s *sandbox) list() []credJSON {
	s.t.Helper()
	r := s.must("", "list", "--json")
	var creds []credJSON
	decodeJSON(s.t, r, &creds)
	return creds
}

// find returns the credential called name in creds.
func find(creds []credJSON, name string) (credJSON, bool) {
	for _, c := range creds {
		if c.Name == name {
			return c, true
		}
	}
	return credJSON{}, false
}

func names(creds []credJSON) []string {
	var out []string
	for _, c := range creds {
		out = append(out, c.Name)
	}
	return out
}

func decodeJSON(t *testing.T, r result, v any) {
	t.Helper()
	// Unknown fields are fine (the JSON only ever gains fields), but stdout
	// must be exactly one JSON value.
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	if err := dec.Decode(v); err != nil {
		t.Fatalf("stdout is not the expected JSON: %v\n%s", err, r)
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); err == nil {
		t.Fatalf("stdout holds more than one JSON value:\n%s", r)
	}
}

// ---------------------------------------------------------------------
// Connectors: emulators, values, and what each test expects of them

// wantAccount is what the last test of a credwiz run must record as the
// account of c's credential with values v: what the connector reports for
// them in process.
func wantAccount(t *testing.T, c *connectors.Connector, v connectors.Values) string {
	t.Helper()
	rep, err := c.RunTest(context.Background(), nil, v)
	if err != nil || rep.Account == "" {
		t.Fatalf("in-process test of %s: %v (account %q)", c.ID, err, rep.Account)
	}
	return rep.Account
}

// startEmulator starts c's emulator and closes it when the test ends.
func startEmulator(t *testing.T, id string) connectortest.Emulator {
	t.Helper()
	em := connectortest.New(id)
	if em == nil {
		t.Fatalf("connectortest.New(%q) = nil: no emulator for this connector", id)
	}
	t.Cleanup(em.Close)
	return em
}

// split separates v into c's non-secret fields and secrets (empty values
// left out).
func split(c *connectors.Connector, v connectors.Values) (fields, secrets map[string]string) {
	fields, secrets = map[string]string{}, map[string]string{}
	for k, val := range v {
		if val == "" {
			continue
		}
		fd, ok := c.Field(k)
		if ok && fd.Secret {
			secrets[k] = val
		} else {
			fields[k] = val
		}
	}
	return fields, secrets
}

// randomSecrets returns a long, unique random value for every secret key
// of c, each tagged so that a leak is easy to spot.
func randomSecrets(c *connectors.Connector, tag string) map[string]string {
	out := map[string]string{}
	for _, k := range c.SecretKeys() {
		out[k] = "S3CR3T-" + tag + "-" + randomHex(24)
	}
	return out
}

// addArgs is a scripted add of connector id with the given fields.
func addArgs(id, name string, fields map[string]string, extra ...string) []string {
	args := []string{"add", id, "--name", name}
	for _, k := range sortedKeys(fields) {
		args = append(args, "--field", k+"="+fields[k])
	}
	return append(args, extra...)
}

// stdinLines renders secrets as --secrets-stdin input, with a comment and
// a blank line, which --secrets-stdin skips.
func stdinLines(secrets map[string]string) string {
	var b strings.Builder
	b.WriteString("# secrets for credwiz\n\n")
	for _, k := range sortedKeys(secrets) {
		fmt.Fprintf(&b, "%s=%s\n", k, secrets[k])
	}
	return b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := slices.Collect(maps.Keys(m))
	sort.Strings(keys)
	return keys
}

// credName returns a credential name unique to this test run.
func credName(t *testing.T, what string) string {
	// "_" before the random part: emulator secrets begin "drift-" and the
	// like, and "drift-" followed by the name's random hex would be an
	// 8-byte piece of a secret to the leak checks, by chance.
	n := fmt.Sprintf("e2e-%s-%s_%s", runID, what, randomHex(2))
	if len(n) > store.MaxNameLen {
		t.Fatalf("credential name %q too long", n)
	}
	return n
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string { return testenv.RandomHex(n) }

// ---------------------------------------------------------------------
// The Secret Service and tmux

// requireKeychain skips the test loudly when no Secret Service answers,
// or fails it when CREDWIZ_REQUIRE_KEYCHAIN=1.
func requireKeychain(t *testing.T) {
	t.Helper()
	if err := keychainErr(); err != nil {
		skipOrFail(t, "KEYCHAIN", err, "run bash scripts/test.sh, or: source scripts/secret-service.sh && start_secret_service")
	}
}

var keychainErr = sync.OnceValue(func() error {
	if runtime.GOOS != "linux" {
		return fmt.Errorf("the end-to-end keychain tests read the Secret Service with secret-tool, which is Linux only")
	}
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		return fmt.Errorf("DBUS_SESSION_BUS_ADDRESS is not set")
	}
	if _, err := exec.LookPath("secret-tool"); err != nil {
		return fmt.Errorf("secret-tool (libsecret-tools) is not installed")
	}
	_, err := store.Probe(store.NewKeychain("credwiz-e2e-probe", 5*time.Second))
	return err
})

// requireTmux skips the test loudly when tmux is missing, or fails it when
// CREDWIZ_REQUIRE_KEYCHAIN=1 (scripts/test.sh installs tmux as root).
func requireTmux(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		skipOrFail(t, "TMUX", fmt.Errorf("tmux is not installed"), "install tmux (scripts/test.sh does, as root)")
	}
}

// skipOrFail skips t with a loud message, or fails it when
// CREDWIZ_REQUIRE_KEYCHAIN=1 (testenv.Require).
func skipOrFail(t *testing.T, what string, err error, fix string) {
	t.Helper()
	testenv.Require(t, what, err, fix)
}

// keychainServices are the services credwiz writes: secrets and cached
// tokens.
var keychainServices = []string{store.SecretService, store.TokenService}

// lookupKeychain returns the item of account name in service, as
// secret-tool sees it.
func lookupKeychain(t *testing.T, service, name string) (string, bool) {
	t.Helper()
	v, ok, err := testenv.LookupItem("", service, name)
	if err != nil {
		t.Fatal(err)
	}
	return v, ok
}

// keychainSecrets returns the secret map credwiz keeps for name.
func keychainSecrets(t *testing.T, name string) (map[string]string, bool) {
	t.Helper()
	raw, ok := lookupKeychain(t, store.SecretService, name)
	if !ok {
		return nil, false
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatalf("the keychain item of %q is not a JSON object of strings: %v", name, err)
	}
	return m, true
}

// assertNoKeychainItems fails unless neither service holds name.
func assertNoKeychainItems(t *testing.T, name string) {
	t.Helper()
	for _, svc := range keychainServices {
		if _, ok := lookupKeychain(t, svc, name); ok {
			t.Errorf("secret-tool lookup service %s username %s still finds an item", svc, name)
		}
	}
}

// cleanKeychain removes the items of the given names when the test ends.
func cleanKeychain(t *testing.T, names ...string) {
	t.Cleanup(func() {
		k := testenv.KeyringAt(os.Getenv("DBUS_SESSION_BUS_ADDRESS"))
		defer k.Stop()
		k.Clear(names...)
	})
}

// ---------------------------------------------------------------------
// Files

// snapshot returns every file and directory under dir (relative path →
// mode and content: testenv.Snapshot); a missing dir is an empty
// snapshot.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	return testenv.Snapshot(t, dir)
}

// diffSnapshots describes how two snapshots differ, "" when they are equal.
func diffSnapshots(before, after map[string]string) string {
	return testenv.DiffSnapshots(before, after)
}

// ---------------------------------------------------------------------
// Secrets in output

// leakWindow is the length of the secret substrings searched for: short
// enough to find a truncated secret, longer than the 4 characters a
// masked secret may show.
const leakWindow = 8

// findLeak returns the key of the first secret in secrets of which text
// holds the whole value or any leakWindow-long piece, or "".
func findLeak(text string, secrets map[string]string) string {
	for _, k := range sortedKeys(secrets) {
		if containsPiece(text, secrets[k], leakWindow) {
			return k
		}
	}
	return ""
}

// containsPiece reports whether text contains secret or any n-byte
// substring of it.
func containsPiece(text, secret string, n int) bool {
	if secret == "" {
		return false
	}
	if len(secret) <= n {
		return strings.Contains(text, secret)
	}
	for i := 0; i+n <= len(secret); i++ {
		if strings.Contains(text, secret[i:i+n]) {
			return true
		}
	}
	return false
}

// oneLine fails unless s is exactly one non-empty line (a trailing
// newline allowed) without control characters or ANSI escapes.
func oneLine(t *testing.T, what string, r result, s string) {
	t.Helper()
	body := strings.TrimSuffix(s, "\n")
	if strings.TrimSpace(body) == "" {
		t.Errorf("%s is empty; want one line saying what happened and what to do:\n%s", what, r)
		return
	}
	if strings.Contains(body, "\n") {
		t.Errorf("%s has %d lines; want one:\n%s", what, strings.Count(body, "\n")+1, r)
	}
	if i := strings.IndexFunc(body, unicode.IsControl); i >= 0 {
		t.Errorf("%s holds a raw control character %q at %d:\n%s", what, body[i], i, r)
	}
}
