package testenv

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// StoreKind is the secret store a sandbox's credwiz uses.
type StoreKind string

// The stores a sandbox can use.
const (
	// Keychain is the Secret Service of the sandbox's Keyring.
	Keychain StoreKind = "keychain"
	// File is the encrypted file store, unlocked by the sandbox's
	// CREDWIZ_PASSPHRASE.
	File StoreKind = "file"
)

// Options say what New makes.
type Options struct {
	// Store is the secret store (CREDWIZ_STORE: Keychain, File, or
	// another such as "vault"); "" means Keychain.
	Store StoreKind
	// Keyring is the Secret Service of a Keychain sandbox; nil starts a
	// private one for the test (StartKeyring). Sandboxes that share a
	// Keyring share a keychain, as two config dirs of one user do. Any
	// other sandbox gets a D-Bus address where nothing listens unless
	// Keyring is set (KeyringAt names a bus started elsewhere).
	Keyring *Keyring
	// ConfigDir is the config dir (e.g. a Tmpfs); "" means a fresh
	// directory in the sandbox.
	ConfigDir string
	// Hooks runs a binary built with HookTag, which KillAt needs.
	Hooks bool
	// Binary is the credwiz binary to run; "" means Binary(t) (with
	// HookTag when Hooks is set).
	Binary string
	// Passphrase is the file store's passphrase; "" means a random one.
	Passphrase string
	// ScryptWorkFactor is the scrypt work factor (log2 of N) with which a
	// HookTag build creates a File sandbox's store
	// (CREDWIZ_TEST_SCRYPT_WORK_FACTOR): each command that reads a secret
	// unwraps the identity once, about a second at the store's default.
	// 0 leaves the default; a build without HookTag always uses it.
	ScryptWorkFactor int
	// Base is the part of every run's environment taken from the test
	// process; nil means BaseEnv() (InheritedEnv passes more).
	Base []string
}

// Sandbox is one throw-away "machine" for credwiz: a config dir, HOME and
// TMPDIR of its own, a secret store, and the environment every run gets.
// Its methods report harness failures to T.
type Sandbox struct {
	// T is the test the sandbox reports to; In gives a view for another.
	T testing.TB
	// Root holds Home and Tmp (and ConfigDir unless given).
	Root string
	// ConfigDir is CREDWIZ_CONFIG_DIR.
	ConfigDir string
	// Home is HOME.
	Home string
	// Dir is the working directory of every run: Home unless changed.
	Dir string
	// Tmp is TMPDIR.
	Tmp string
	// Store is CREDWIZ_STORE.
	Store StoreKind
	// Keyring is the Secret Service on DBUS_SESSION_BUS_ADDRESS; nil for a
	// File sandbox without one.
	Keyring *Keyring
	// Passphrase is CREDWIZ_PASSPHRASE (File sandboxes only).
	Passphrase string
	// Bin is the credwiz binary.
	Bin string
	// Env is the whole environment of a run (Cmd.Env is added to it).
	Env []string
	// Watch, when set, is called with the PID of every credwiz process
	// the sandbox starts, and the function it returns when that process
	// has been reaped (e.g. to know which processes are credwiz's).
	Watch func(pid int) (done func())
}

// New makes a sandbox for t; its directories go when t ends.
func New(t testing.TB, o Options) *Sandbox {
	t.Helper()
	if o.Store == "" {
		o.Store = Keychain
	}
	root := t.TempDir()
	s := &Sandbox{T: t, Root: root, Store: o.Store, Keyring: o.Keyring,
		ConfigDir: o.ConfigDir, Home: filepath.Join(root, "home"), Tmp: filepath.Join(root, "tmp")}
	s.Dir = s.Home
	if s.ConfigDir == "" {
		s.ConfigDir = filepath.Join(root, "config")
	}
	for _, d := range []string{s.Home, s.Tmp} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	s.Bin = o.Binary
	if s.Bin == "" {
		if o.Hooks {
			s.Bin = Binary(t, HookTag)
		} else {
			s.Bin = Binary(t)
		}
	}
	if s.Store == Keychain && s.Keyring == nil {
		s.Keyring = StartKeyring(t)
	}
	bus := "unix:path=" + filepath.Join(root, "no-bus-here")
	if s.Keyring != nil {
		bus = s.Keyring.Addr
	}
	base := o.Base
	if base == nil {
		base = BaseEnv()
	}
	s.Env = append(slices.Clone(base),
		"HOME="+s.Home,
		"TMPDIR="+s.Tmp,
		"XDG_CONFIG_HOME="+filepath.Join(s.Home, ".config"),
		"XDG_RUNTIME_DIR="+s.Tmp,
		"CREDWIZ_CONFIG_DIR="+s.ConfigDir,
		"CREDWIZ_STORE="+string(s.Store),
		"DBUS_SESSION_BUS_ADDRESS="+bus,
		"NO_COLOR=1",
	)
	if s.Store == File {
		s.Passphrase = o.Passphrase
		if s.Passphrase == "" {
			s.Passphrase = "testenv-" + RandomHex(12)
		}
		s.Env = append(s.Env, "CREDWIZ_PASSPHRASE="+s.Passphrase)
		if o.ScryptWorkFactor > 0 {
			s.Env = append(s.Env, "CREDWIZ_TEST_SCRYPT_WORK_FACTOR="+strconv.Itoa(o.ScryptWorkFactor))
		}
	}
	return s
}

// In returns a view of s that reports to t (a subtest, or a goroutine's
// own test) and shares everything else.
func (s *Sandbox) In(t testing.TB) *Sandbox {
	c := *s
	c.T = t
	c.Env = slices.Clone(s.Env)
	return &c
}

// BaseEnv is the part of a run's environment taken from the test
// process: PATH, and GOCOVERDIR for coverage builds. Nothing else passes:
// not the developer's CREDWIZ_* or VAULT_* variables, proxies, terminal
// hints or D-Bus address.
func BaseEnv() []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "LANG=C.UTF-8"}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GOCOVERDIR=") {
			env = append(env, kv)
		}
	}
	return env
}

// InheritedEnv is the test process's whole environment but what could
// change credwiz's behaviour or point it at a real store: no CREDWIZ_*,
// no D-Bus address, no proxies, no terminal hints (ACCESSIBLE, NO_COLOR,
// COLUMNS, LINES), no HOME, TMPDIR or XDG_CONFIG_HOME. It is for tests
// of the binary as a user runs it (USER, TERM, SHELL, … pass).
func InheritedEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "CREDWIZ_"),
			k == "DBUS_SESSION_BUS_ADDRESS", k == "ACCESSIBLE", k == "NO_COLOR",
			k == "COLUMNS", k == "LINES", k == "HOME", k == "TMPDIR", k == "XDG_CONFIG_HOME",
			k == "HTTP_PROXY", k == "HTTPS_PROXY", k == "http_proxy", k == "https_proxy",
			k == "ALL_PROXY", k == "all_proxy", k == "NO_PROXY", k == "no_proxy":
			continue
		}
		out = append(out, kv)
	}
	return out
}
