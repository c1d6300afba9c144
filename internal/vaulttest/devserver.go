package vaulttest

import (
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// DevServer is a Vault dev server of a test's own (to seal or stop).
type DevServer struct {
	// Addr is its address, http://127.0.0.1:PORT.
	Addr string
	// Token is its root token.
	Token string
	cmd   *exec.Cmd
	done  chan struct{}
}

// StartDevServer starts `vault server -dev` from CREDWIZ_TEST_VAULT_BIN on
// a free loopback port (and a free next port, for the server's cluster
// listener), with a random root token passed by environment, and waits
// until it is unsealed and knows that token. It is killed when the test
// ends.
func StartDevServer(t *testing.T) *DevServer {
	t.Helper()
	bin := RequireBin(t)
	log := &syncWriter{}
	for attempt := range 5 {
		port, err := freePortPair()
		if err != nil {
			t.Fatal(err)
		}
		s := &DevServer{Addr: "http://127.0.0.1:" + strconv.Itoa(port), Token: "root-" + RandomHex(16), done: make(chan struct{})}
		s.cmd = exec.Command(bin, "server", "-dev", "-dev-listen-address=127.0.0.1:"+strconv.Itoa(port), "-dev-no-store-token")
		s.cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "GODEBUG=x509negativeserial=1",
			"VAULT_DEV_ROOT_TOKEN_ID="+s.Token, "VAULT_ADDR=", "VAULT_TOKEN=")
		log.reset()
		s.cmd.Stdout, s.cmd.Stderr = log, log
		if err := s.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { _ = s.cmd.Wait(); close(s.done) }()
		t.Cleanup(s.Stop)
		if s.waitReady() {
			return s
		}
		s.Stop()
		t.Logf("dev server attempt %d did not come up", attempt+1)
	}
	t.Fatalf("no Vault dev server came up; last log:\n%s", log.String())
	return nil
}

// waitReady waits (at most 30 s) until the server is healthy and knows
// its root token, so that a stranger on the port is never taken for it.
func (s *DevServer) waitReady() bool {
	ac, err := API(s.Addr, s.Token)
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
		if HealthOf(s.Addr) == http.StatusOK {
			if _, err := ac.Auth().Token().LookupSelf(); err == nil {
				return true
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

// Stop kills the server and waits for it to exit.
func (s *DevServer) Stop() {
	if s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
	}
	<-s.done
}

// HealthOf reports the health endpoint's status code of addr (0 when
// nothing answers).
func HealthOf(addr string) int {
	resp, err := http.Get(addr + "/v1/sys/health")
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
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
