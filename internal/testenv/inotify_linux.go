//go:build linux

package testenv

import (
	"bytes"
	"errors"
	"sync"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// FileWatch counts the files renamed into one directory, by name, with
// inotify: how many times a command replaced credentials.json, say. The
// kernel queues an event when the rename happens, so a count read after
// the command ended holds all of its renames. No privilege needed.
type FileWatch struct {
	mu    sync.Mutex
	fd    int
	moved map[string]int
}

// WatchDir starts counting the renames into dir, until t ends.
func WatchDir(t testing.TB, dir string) *FileWatch {
	t.Helper()
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		t.Fatalf("inotify_init1: %v", err)
	}
	if _, err := unix.InotifyAddWatch(fd, dir, unix.IN_MOVED_TO); err != nil {
		unix.Close(fd)
		t.Fatalf("inotify_add_watch %s: %v", dir, err)
	}
	w := &FileWatch{fd: fd, moved: map[string]int{}}
	t.Cleanup(func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		unix.Close(w.fd)
	})
	return w
}

// Moved returns how many times a file was renamed to name so far.
func (w *FileWatch) Moved(t testing.TB, name string) int {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	buf := make([]byte, 64<<10)
	for {
		n, err := unix.Read(w.fd, buf)
		if errors.Is(err, unix.EAGAIN) {
			break
		}
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			t.Fatalf("read inotify events: %v", err)
		}
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
			if ev.Mask&unix.IN_Q_OVERFLOW != 0 {
				t.Fatal("inotify queue overflow: renames were lost")
			}
			raw := buf[off+unix.SizeofInotifyEvent : off+unix.SizeofInotifyEvent+int(ev.Len)]
			off += unix.SizeofInotifyEvent + int(ev.Len)
			if i := bytes.IndexByte(raw, 0); i >= 0 {
				raw = raw[:i]
			}
			w.moved[string(raw)]++
		}
	}
	return w.moved[name]
}
