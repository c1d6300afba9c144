package vaultkv

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// devServer is a Vault dev server of a test's own.
type devServer struct {
	addr, token string
	cmd         *exec.Cmd
	done        chan struct{}
}

// startDevServer starts `vault server -dev` from CREDWIZ_TEST_VAULT_BIN on
// a free loopback port (and a free next port, for the server's cluster
// listener), with a random root token passed by environment, and waits
// until it is unsealed and knows that token. It is killed when the test
// ends.
func startDevServer(t *testing.T) *devServer {
	t.Helper()
	bin := requireVaultBin(t)
	log := &syncWriter{}
	for attempt := range 5 {
		port, err := freePortPair()
		if err != nil {
			t.Fatal(err)
		}
		s := &devServer{addr: "http://127.0.0.1:" + strconv.Itoa(port), token: "root-" + randomHex(16), done: make(chan struct{})}
		s.cmd = exec.Command(bin, "server", "-dev", "-dev-listen-address=127.0.0.1:"+strconv.Itoa(port), "-dev-no-store-token")
		s.cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "GODEBUG=x509negativeserial=1",
			"VAULT_DEV_ROOT_TOKEN_ID="+s.token, "VAULT_ADDR=", "VAULT_TOKEN=")
		log.reset()
		s.cmd.Stdout, s.cmd.Stderr = log, log
		if err := s.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { _ = s.cmd.Wait(); close(s.done) }()
		t.Cleanup(s.stop)
		if s.waitReady() {
			return s
		}
		s.stop()
		t.Logf("dev server attempt %d did not come up", attempt+1)
	}
	t.Fatalf("no Vault dev server came up; last log:\n%s", log.String())
	return nil
}

// waitReady waits (at most 30 s) until the server is healthy and knows
// its root token, so that a stranger on the port is never taken for it.
func (s *devServer) waitReady() bool {
	ac, err := rootAPI(s.addr, s.token)
	if err != nil {
		return false
	}
	ac.SetMaxRetries(0)
	for range 300 {
		select {
		case <-s.done:
			return false
		default:
		}
		if healthOf(s.addr) == http.StatusOK {
			if _, err := ac.Auth().Token().LookupSelf(); err == nil {
				return true
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

// stop kills the server and waits for it to exit.
func (s *devServer) stop() {
	if s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
	}
	<-s.done
}

// syncWriter collects the server's stdout and stderr.
type syncWriter struct {
	mu sync.Mutex
	b  strings.Builder
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b.Reset()
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// freePortPair returns a loopback port that, with the next one, was free
// a moment ago.
func freePortPair() (int, error) {
	for range 20 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := l.Addr().(*net.TCPAddr).Port
		l2, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port+1))
		l.Close()
		if err == nil {
			l2.Close()
			return port, nil
		}
	}
	return 0, errors.New("no free pair of loopback ports")
}

// A sealed server is reported as sealed; once stopped, as unreachable.
// The shared server is never sealed: this test starts its own.
func TestSealedThenStoppedServer(t *testing.T) {
	t.Parallel()
	s := startDevServer(t)
	ac, err := rootAPI(s.addr, s.token)
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	c, err := New(ctx, Config{Address: s.addr, Token: s.token})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(ctx, "k", map[string]string{"a": "1"}, 0); err != nil {
		t.Fatalf("write before sealing: %v", err)
	}
	if err := ac.Sys().Seal(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Read(ctx, "k"); err == nil {
		t.Fatal("read from a sealed server succeeded")
	} else if e := wantKind(t, err, KindSealed); !strings.Contains(e.Detail, s.addr) || !strings.Contains(e.Hint, "unseal") {
		t.Fatalf("sealed: %v", e)
	}
	fresh, err := New(ctx, Config{Address: s.addr, Token: s.token})
	if err != nil {
		t.Fatal(err)
	}
	wantKind(t, fresh.CheckMount(ctx), KindSealed)

	s.stop()
	_, err = c.Read(ctx, "k")
	wantKind(t, err, KindUnreachable)
	if !errors.Is(err, syscall.ECONNREFUSED) || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("stopped server: %v", err)
	}
}

func TestNothingListening(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := "http://" + l.Addr().String()
	l.Close()
	c, err := New(ctxT(t), Config{Address: addr, Token: fakeToken})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.List(ctxT(t))
	wantKind(t, err, KindUnreachable)
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("refused: %v", err)
	}
}

// hangingServer accepts connections and never answers; it reports each
// accepted connection on the returned channel.
func hangingServer(t *testing.T) (string, <-chan struct{}) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan struct{}, 100)
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
			select {
			case accepted <- struct{}{}:
			default:
			}
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
	return "http://" + l.Addr().String(), accepted
}

// within fails the test if f does not return within a generous bound: a
// watchdog against a hang, not a measurement.
func within(t *testing.T, f func() error) error {
	t.Helper()
	ch := make(chan error, 1)
	go func() { ch <- f() }()
	select {
	case err := <-ch:
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("the call did not return: the timeout does not bound it")
		return nil
	}
}

func TestHangingServerBoundedByTimeout(t *testing.T) {
	t.Parallel()
	addr, accepted := hangingServer(t)
	c, err := New(ctxT(t), Config{Address: addr, Token: fakeToken, Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	err = within(t, func() error { _, err := c.Read(context.Background(), "k"); return err })
	e := wantKind(t, err, KindUnreachable)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(e.Detail, "did not answer within 300ms") {
		t.Fatalf("hanging server: %v", err)
	}
	if len(accepted) == 0 {
		t.Fatal("the client never connected")
	}
}

func TestCancelWhileServerHangs(t *testing.T) {
	t.Parallel()
	addr, accepted := hangingServer(t)
	c, err := New(ctxT(t), Config{Address: addr, Token: fakeToken, Timeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-accepted; cancel() }()
	err = within(t, func() error { _, err := c.List(ctx); return err })
	wantKind(t, err, KindCanceled)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled: %v", err)
	}
}

// A server that always fails with 500 is retried (Vault's client policy),
// but never past the timeout: with a timeout shorter than the wait before
// a retry, exactly one request is sent and Vault's answer is reported.
func TestRetriesStayWithinTimeout(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		timeout time.Duration
		want    int32
	}{
		{300 * time.Millisecond, 1},
		{30 * time.Second, 3},
	} {
		t.Run(tt.timeout.String(), func(t *testing.T) {
			t.Parallel()
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				w.WriteHeader(http.StatusInternalServerError)
				fmt.Fprint(w, `{"errors":["internal error"]}`)
			}))
			t.Cleanup(srv.Close)
			c, err := New(ctxT(t), Config{Address: srv.URL, Token: fakeToken, Timeout: tt.timeout})
			if err != nil {
				t.Fatal(err)
			}
			err = within(t, func() error { return c.CheckMount(context.Background()) })
			e := wantKind(t, err, KindServer)
			if !strings.Contains(e.Detail, "HTTP 500: internal error") {
				t.Fatalf("500: %v", err)
			}
			if got := n.Load(); got != tt.want {
				t.Fatalf("%d requests, want %d", got, tt.want)
			}
		})
	}
}
