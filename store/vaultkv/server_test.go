package vaultkv

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/credwiz/credwiz/internal/vaulttest"
)

// startDevServer starts a Vault dev server of the test's own.
func startDevServer(t *testing.T) *vaulttest.DevServer { return vaulttest.StartDevServer(t) }

// A sealed server is reported as sealed; once stopped, as unreachable.
// The shared server is never sealed: this test starts its own.
func TestSealedThenStoppedServer(t *testing.T) {
	t.Parallel()
	s := startDevServer(t)
	ac, err := rootAPI(s.Addr, s.Token)
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	c, err := New(ctx, Config{Address: s.Addr, Token: s.Token})
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
	} else if e := wantKind(t, err, KindSealed); !strings.Contains(e.Detail, s.Addr) || !strings.Contains(e.Hint, "unseal") {
		t.Fatalf("sealed: %v", e)
	}
	fresh, err := New(ctx, Config{Address: s.Addr, Token: s.Token})
	if err != nil {
		t.Fatal(err)
	}
	wantKind(t, fresh.CheckMount(ctx), KindSealed)

	s.Stop()
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
