package ui

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/credwiz/credwiz/store"
)

// openPTY returns a new pseudo-terminal's controlling side (what a
// terminal emulator writes keys to and reads output from) and its
// terminal side (a process's stdin), in the kernel's default cooked mode.
func openPTY(t *testing.T) (ptm, pts *os.File) {
	t.Helper()
	ptm, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { ptm.Close() })
	if err := unix.IoctlSetPointerInt(int(ptm.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(ptm.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	// Non-blocking, so that its reads honour deadlines.
	fd, err := unix.Open(fmt.Sprintf("/dev/pts/%d", n), unix.O_RDWR|unix.O_NOCTTY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	pts = os.NewFile(uintptr(fd), fmt.Sprintf("/dev/pts/%d", n))
	t.Cleanup(func() { pts.Close() })
	return ptm, pts
}

// readUntil reads r until it has read end, and returns what came before.
func readUntil(t *testing.T, r io.Reader, end string) string {
	t.Helper()
	var got []byte
	buf := make([]byte, 256)
	for !bytes.Contains(got, []byte(end)) {
		n, err := r.Read(buf)
		if err != nil {
			t.Fatalf("read %q so far: %v", got, err)
		}
		got = append(got, buf[:n]...)
	}
	return string(got[:bytes.Index(got, []byte(end))])
}

// TestHoldTerminalKeepsKeysAsTyped: while a command that may ask holds
// the terminal, a key typed ahead reaches credwiz as typed (Enter is a
// carriage return, Ctrl-U a key, no line needs ending) and is not echoed;
// when the command ends, the terminal has its mode back.
func TestHoldTerminalKeepsKeysAsTyped(t *testing.T) {
	ptm, pts := openPTY(t)
	before, err := unix.IoctlGetTermios(int(pts.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	f := &Factory{IO: &IOStreams{In: pts, InTTY: true, ErrTTY: true}, Getenv: func(string) string { return "" }}
	f.holdTerminal()
	typed := "ta-drift\rsecret-typed-ahead\x15\r"
	if _, err := ptm.WriteString(typed); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 0, len(typed))
	buf := make([]byte, 64)
	// A bound for a failure only: keys kept in a line being edited never
	// arrive.
	if err := pts.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	for len(got) < len(typed) {
		n, err := pts.Read(buf)
		if err != nil {
			t.Fatalf("credwiz read %q of %q: %v", got, typed, err)
		}
		got = append(got, buf[:n]...)
	}
	if string(got) != typed {
		t.Errorf("credwiz read %q; typed %q", got, typed)
	}
	// What the terminal shows: anything echoed comes before the marker
	// written after the keys were read.
	if _, err := pts.WriteString("<end>"); err != nil {
		t.Fatal(err)
	}
	if shown := readUntil(t, ptm, "<end>"); strings.Contains(shown, "secret") {
		t.Errorf("the terminal echoed the keys typed ahead: %q", shown)
	}
	f.releaseTerminal()
	after, err := unix.IoctlGetTermios(int(pts.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	if *after != *before {
		t.Errorf("the terminal's mode was not restored:\nbefore %+v\nafter  %+v", before, after)
	}
}

// TestMainReleasesTheTerminal: a command run at a terminal holds it while
// it runs and gives it back in the mode it had, also when it fails.
func TestMainReleasesTheTerminal(t *testing.T) {
	_, pts := openPTY(t)
	before, err := unix.IoctlGetTermios(int(pts.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	e := newTestEnv(t)
	if err := putCredential(e.index(), store.Credential{Name: "held", Connector: "drift", Revision: 1}); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"list"}, {"show", "nothing-here"}} {
		var out, errOut bytes.Buffer
		f := e.factory(&IOStreams{In: pts, Out: &out, ErrOut: &errOut, InTTY: true, ErrTTY: true, NoColor: true})
		echoed := true
		f.Now = func() time.Time {
			if tio, err := unix.IoctlGetTermios(int(pts.Fd()), unix.TCGETS); err == nil {
				echoed = tio.Lflag&unix.ECHO != 0
			}
			return time.Now()
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		Main(ctx, f, args)
		cancel()
		after, err := unix.IoctlGetTermios(int(pts.Fd()), unix.TCGETS)
		if err != nil {
			t.Fatal(err)
		}
		if *after != *before {
			t.Errorf("%v: the terminal's mode was not restored", args)
		}
		if args[0] == "list" && echoed {
			t.Errorf("list ran with the terminal echoing keys typed ahead")
		}
	}
}

// TestReleaseDropsUnreadKeys: keys typed while credwiz held the terminal
// and never read (it failed before its first question) do not reach the
// shell after it: releasing the terminal drops them.
func TestReleaseDropsUnreadKeys(t *testing.T) {
	ptm, pts := openPTY(t)
	f := &Factory{IO: &IOStreams{In: pts, InTTY: true, ErrTTY: true}, Getenv: func(string) string { return "" }}
	f.holdTerminal()
	if _, err := ptm.WriteString("typed-ahead-secret\r"); err != nil {
		t.Fatal(err)
	}
	// Let the keys reach the terminal's input queue.
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, err := unix.IoctlGetInt(int(pts.Fd()), unix.TIOCINQ)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	f.releaseTerminal()
	if n, err := unix.IoctlGetInt(int(pts.Fd()), unix.TIOCINQ); err != nil || n != 0 {
		t.Fatalf("after the release, %d bytes typed for credwiz wait for the shell (%v)", n, err)
	}
}
