package kernelkeyring

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"
)

// need skips, loudly, where the kernel keyring cannot be used, and fails
// instead when CREDWIZ_REQUIRE_KEYRING=1.
func need(t *testing.T) {
	t.Helper()
	err := Available()
	if err == nil {
		return
	}
	if os.Getenv("CREDWIZ_REQUIRE_KEYRING") == "1" {
		t.Fatalf("CREDWIZ_REQUIRE_KEYRING=1 but the kernel keyring is unusable: %v", err)
	}
	t.Skipf("KERNEL KEYRING TESTS SKIPPED on %s: %v", runtime.GOOS, err)
}

func testDescription(t *testing.T) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	d := "credwiz-test:" + hex.EncodeToString(b)
	t.Cleanup(func() { _ = Remove(d) })
	return d
}

func TestPutGetRemove(t *testing.T) {
	need(t)
	d := testDescription(t)
	if _, err := Get(d); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get before Put: %v, want ErrNotFound", err)
	}
	payload := bytes.Repeat([]byte("AGE-SECRET-KEY-1"), 40) // 640 bytes: more than Get's first buffer
	if _, err := Put(d, payload, time.Minute); err != nil {
		t.Fatal(err)
	}
	got, err := Get(d)
	if err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("Get = %q, %v", got, err)
	}
	left, ok, err := Remaining(d)
	if err != nil || !ok || left <= 0 || left > time.Minute {
		t.Fatalf("Remaining = %v, %v, %v; want (0, 1m]", left, ok, err)
	}
	if _, err := Put(d, []byte("replaced"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if got, _ := Get(d); string(got) != "replaced" {
		t.Fatalf("after a second Put, Get = %q", got)
	}
	if err := Remove(d); err != nil {
		t.Fatal(err)
	}
	if _, err := Get(d); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get after Remove: %v, want ErrNotFound", err)
	}
	if err := Remove(d); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second Remove: %v, want ErrNotFound", err)
	}
}

// TestExpiry waits for the kernel to forget a key put for one second
// (polling, up to 10 s: no timed assert).
func TestExpiry(t *testing.T) {
	need(t)
	d := testDescription(t)
	if _, err := Put(d, []byte("short-lived"), time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := Get(d); err != nil {
		t.Fatalf("Get right after Put: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := Get(d)
		if errors.Is(err, ErrNotFound) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatal("the key outlived its 1 s timeout by 9 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestPutRejectsNoTimeout(t *testing.T) {
	if _, err := Put("credwiz-test:x", []byte("x"), 0); err == nil {
		t.Fatal("Put with a zero timeout succeeded")
	}
}

// helperEnv makes the test binary, re-run as a child, print the payload
// of the key it names (the Get of another process).
const helperEnv = "KERNELKEYRING_TEST_GET"

func TestMain(m *testing.M) {
	if d := os.Getenv(helperEnv); d != "" {
		b, err := Get(d)
		if err != nil {
			os.Stdout.WriteString("error: " + err.Error())
			os.Exit(1)
		}
		os.Stdout.Write(b)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestAnotherProcessReads: a key Put by this process is read by a child,
// as `credwiz unlock` and the next command are two processes; after
// Remove, the child finds none.
func TestAnotherProcessReads(t *testing.T) {
	need(t)
	d := testDescription(t)
	if _, err := Put(d, []byte("shared"), time.Minute); err != nil {
		t.Fatal(err)
	}
	child := func() (string, error) {
		exe, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), helperEnv+"="+d)
		out, err := cmd.Output()
		return string(out), err
	}
	if out, err := child(); err != nil || out != "shared" {
		t.Fatalf("a child process read %q, %v", out, err)
	}
	if err := Remove(d); err != nil {
		t.Fatal(err)
	}
	if out, err := child(); err == nil || !strings.Contains(out, "no such key") {
		t.Fatalf("after Remove, a child process read %q, %v", out, err)
	}
}
