//go:build !windows

package ui

import (
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRecipientsAddOfAFIFOIsRefused: a FIFO named as a file of public keys
// is refused as not a regular file, at once: opening it must not wait for
// a writer (found by an attacker pass: the command hung).
func TestRecipientsAddOfAFIFOIsRefused(t *testing.T) {
	e := newFileEnv(t)
	fifo := filepath.Join(t.TempDir(), "keys.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan string, 1)
	go func() {
		code, out, errOut := e.run(nil, "", false, "recipients", "add", fifo)
		done <- fmt.Sprintf("exit %d: %s%s", code, out, errOut)
	}()
	select {
	case got := <-done:
		if !strings.HasPrefix(got, "exit 2:") || !strings.Contains(got, "not a regular file") {
			t.Errorf("recipients add FIFO: %s; want exit 2, not a regular file", got)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("recipients add of a FIFO did not return within 20 s: it waits for a writer")
	}
}

// TestRecipientsAddOfASocketIsRefused: a socket named as a key file (it
// cannot be opened: ENXIO) is refused as not a regular file, not with the
// system's "no such device or address".
func TestRecipientsAddOfASocketIsRefused(t *testing.T) {
	e := newFileEnv(t)
	sock := filepath.Join(t.TempDir(), "keys.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	code, out, errOut := e.run(nil, "", false, "recipients", "add", sock)
	if code != 2 || !strings.Contains(errOut, "not a regular file") {
		t.Errorf("recipients add SOCKET: exit %d: %s%s; want exit 2, not a regular file", code, out, errOut)
	}
}
