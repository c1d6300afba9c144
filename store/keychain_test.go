package store

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestKeychainSecretToolSeesJSONMap(t *testing.T) {
	requireKeychain(t)
	tool, err := exec.LookPath("secret-tool")
	if err != nil {
		if envRequiresKeychain() {
			t.Fatal("secret-tool is missing: install libsecret-tools (scripts/test.sh does)")
		}
		t.Skip("secret-tool is not installed (libsecret-tools)")
	}
	svc := testService(t)
	want := map[string]string{"client_id": "abc", "client_secret": "p@ss wörd \"q\""}
	owner := Owner{Dir: "0123456789abcdef", Rev: 42}
	if err := testKeychain(svc, 10*time.Second).Set("prod-demandbase", Item{Values: want, Owner: owner}); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "lookup", "service", svc, "username", "prod-demandbase").Output()
	if err != nil {
		t.Fatalf("secret-tool lookup: %v", err)
	}
	var got map[string]string
	if err := json.Unmarshal(bytes.TrimSpace(out), &got); err != nil {
		t.Fatalf("secret-tool printed %q, not a JSON object: %v", out, err)
	}
	if !maps.Equal(got, want) {
		t.Fatalf("secret-tool printed %v, want exactly the secret map %v", got, want)
	}
	// The owner is in the attributes, where secret-tool search shows it.
	attrs, err := exec.Command(tool, "search", "--all", "service", svc, "username", "prod-demandbase").CombinedOutput()
	if err != nil {
		t.Fatalf("secret-tool search: %v: %s", err, attrs)
	}
	for _, want := range []string{"attribute.credwiz_dir = 0123456789abcdef", "attribute.credwiz_rev = 42"} {
		if !strings.Contains(string(attrs), want) {
			t.Errorf("secret-tool search lacks %q:\n%s", want, attrs)
		}
	}
	if n := strings.Count(string(attrs), "attribute.service"); n != 1 {
		t.Errorf("%d items for one account, want 1:\n%s", n, attrs)
	}
}

// TestKeychainHangingBus points a child process at a D-Bus socket that
// accepts connections and never answers: every call must give up with
// ErrUnavailable after about its timeout.
func TestKeychainHangingBus(t *testing.T) {
	sock := hangingSocket(t)
	const timeout = time.Second
	results := runKeychainHelper(t, "unix:path="+sock, timeout)
	for _, r := range results {
		if !r.Unavailable {
			t.Errorf("%s: err = %q, want ErrUnavailable", r.Op, r.Err)
		}
		if !strings.Contains(r.Err, "no answer within 1s") {
			t.Errorf("%s: err = %q, want it to say it timed out", r.Op, r.Err)
		}
		if d := time.Duration(r.Elapsed) * time.Millisecond; d < timeout-50*time.Millisecond || d > timeout+time.Second {
			t.Errorf("%s took %s, want about %s", r.Op, d, timeout)
		}
	}
}

// TestKeychainNoBus points a child at a bus address where nothing listens:
// the calls fail fast with ErrUnavailable and the reason.
func TestKeychainNoBus(t *testing.T) {
	results := runKeychainHelper(t, "unix:path="+filepath.Join(t.TempDir(), "none"), 3*time.Second)
	for _, r := range results {
		if !r.Unavailable {
			t.Errorf("%s: err = %q, want ErrUnavailable", r.Op, r.Err)
		}
		if !strings.Contains(r.Err, "no such file") {
			t.Errorf("%s: err = %q, want the underlying reason", r.Op, r.Err)
		}
		if r.Elapsed > 1000 {
			t.Errorf("%s took %dms, want a fast failure", r.Op, r.Elapsed)
		}
	}
}

// runKeychainHelper runs Get, Set and Delete in a child whose session bus
// is bus, and returns their results.
func runKeychainHelper(t *testing.T, bus string, timeout time.Duration) []helperResult {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the keychain uses D-Bus only on Linux")
	}
	out, err := helperCmd(t, "keychain", "DBUS_SESSION_BUS_ADDRESS="+bus, "HELPER_TIMEOUT="+timeout.String()).Output()
	if err != nil {
		t.Fatalf("helper: %v (output %q)", err, out)
	}
	var results []helperResult
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var r helperResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("helper printed %q: %v", sc.Bytes(), err)
		}
		t.Logf("%s: %dms: %s", r.Op, r.Elapsed, r.Err)
		results = append(results, r)
	}
	if len(results) != 3 {
		t.Fatalf("helper printed %d results, want 3: %s", len(results), out)
	}
	return results
}

// hangingSocket listens on a unix socket that accepts connections and
// never answers, until the test ends.
func hangingSocket(t *testing.T) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "bus")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return sock
}

// fakeKeyring is a keyringBackend for error mapping tests.
type fakeKeyring struct {
	get   func() (string, error)
	block chan struct{}
}

func (f *fakeKeyring) Get(_ context.Context, service, user string) (string, Owner, error) {
	if f.block != nil {
		<-f.block
	}
	v, err := f.get()
	return v, Owner{}, err
}
func (f *fakeKeyring) Set(_ context.Context, service, user, pass string, _ Owner) error {
	if f.block != nil {
		<-f.block
	}
	_, err := f.get()
	return err
}
func (f *fakeKeyring) Delete(ctx context.Context, service, user string) error {
	return f.Set(ctx, service, user, "", Owner{})
}
func (f *fakeKeyring) List(ctx context.Context, service string) ([]Listed, error) {
	return nil, f.Set(ctx, service, "", "", Owner{})
}

func TestKeychainErrorMapping(t *testing.T) {
	const secretValue = "hunter2-very-secret"
	tests := []struct {
		name     string
		get      func() (string, error)
		block    bool
		wantIs   error
		wantText string
	}{
		{name: "not found", get: func() (string, error) { return "", errNotFound }, wantIs: ErrNotFound, wantText: `keychain item "n" of service "svc": not found`},
		{name: "no secret service is unavailable with reason and hint", get: func() (string, error) {
			return "", &UnavailableError{Reason: ReasonNoService, Detail: "org.freedesktop.DBus.Error.ServiceUnknown"}
		}, wantIs: ErrUnavailable, wantText: "no Secret Service runs on the D-Bus session bus (org.freedesktop.DBus.Error.ServiceUnknown): start a Secret Service"},
		{name: "other error is unavailable with its text", get: func() (string, error) {
			return "", errors.New("connection reset")
		}, wantIs: ErrUnavailable, wantText: "connection reset"},
		{name: "hang is unavailable after timeout", block: true, get: func() (string, error) { return "", nil }, wantIs: ErrUnavailable, wantText: "no answer within 50ms"},
		{name: "value not JSON", get: func() (string, error) { return secretValue, nil }, wantText: "not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fk := &fakeKeyring{get: tt.get}
			if tt.block {
				fk.block = make(chan struct{})
				defer close(fk.block)
			}
			k := NewKeychain("svc", 50*time.Millisecond)
			k.backend = fk
			start := time.Now()
			_, err := k.Get("n")
			if elapsed := time.Since(start); elapsed > time.Second {
				t.Errorf("Get took %s", elapsed)
			}
			if err == nil {
				t.Fatal("Get: no error")
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("Get: err = %v, want it to wrap %v", err, tt.wantIs)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("Get: err = %q, want it to contain %q", err, tt.wantText)
			}
			if strings.Contains(err.Error(), secretValue) || strings.Contains(err.Error(), "hunter") {
				t.Errorf("Get: err = %q holds the secret value", err)
			}
			if tt.name == "value not JSON" {
				return
			}
			if err := k.Set("n", Item{Values: map[string]string{"k": secretValue}}); tt.wantIs != ErrNotFound && !errors.Is(err, tt.wantIs) {
				t.Errorf("Set: err = %v, want %v", err, tt.wantIs)
			}
			if err := k.Delete("n"); !errors.Is(err, tt.wantIs) {
				t.Errorf("Delete: err = %v, want %v", err, tt.wantIs)
			}
		})
	}
}

// TestKeychainValueLimit injects a keychain limit: a value over it is
// refused before any call, with an error naming the limit.
func TestKeychainValueLimit(t *testing.T) {
	calls := 0
	k := NewKeychain("svc", time.Second)
	k.backend = &fakeKeyring{get: func() (string, error) { calls++; return "{}", nil }}
	k.MaxValueSize = 64
	err := k.Set("n", Item{Values: map[string]string{"access_token": strings.Repeat("x", 100)}})
	if !errors.Is(err, ErrTooBig) || !strings.Contains(err.Error(), "(64 bytes)") {
		t.Fatalf("Set over the limit: err = %v, want ErrTooBig naming 64 bytes", err)
	}
	if calls != 0 {
		t.Fatalf("the keychain was called %d times for a value over its limit", calls)
	}
	if err := k.Set("n", Item{Values: map[string]string{"k": "small"}}); err != nil {
		t.Fatalf("Set under the limit: %v", err)
	}
}

func TestNewKeychainDefaultTimeout(t *testing.T) {
	if got := NewKeychain(SecretService, 0).Timeout(); got != 3*time.Second {
		t.Fatalf("default timeout = %s, want 3s", got)
	}
}

// TestKeychainTestCleanup checks the tests' own cleanup: nothing of a test
// service stays in the keychain, even where it cannot list (tracked writes).
func TestKeychainTestCleanup(t *testing.T) {
	requireKeychain(t)
	svc := "credwiz-test-" + randomHex(6)
	k := testKeychain(svc, 10*time.Second)
	for _, n := range []string{"x", "y"} {
		mustSet(t, k, n, map[string]string{"k": n})
	}
	wipeKeychainService(t, svc)
	for _, n := range []string{"x", "y"} {
		if _, err := k.Get(n); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s/%s survived the cleanup: %v", svc, n, err)
		}
	}
}
