//go:build linux

package testenv

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// OpenGate holds every open of a file in one directory, or in a directory
// under it, by another process until it has run what the test asked to
// run before that open (fanotify permission events, root only). With a
// Filler it makes a file system run out of space exactly before a
// process's k-th write, deterministically, however fast the process is.
type OpenGate struct {
	t     testing.TB
	fd    int
	dir   string
	match func(rel string) bool
	stop  chan struct{}
	done  chan struct{}

	mu     sync.Mutex
	opens  []string
	before map[int]func()
	err    error
}

// NewOpenGate starts a gate on the files in dir and in the directories
// under it (those there now; Reset adds those made since); match selects
// the opens it counts by the file's path relative to dir, slash-separated
// ("x" directly in dir, "sub/x" in its directory sub). It is closed when
// t ends.
func NewOpenGate(t testing.TB, dir string, match func(rel string) bool) *OpenGate {
	t.Helper()
	if os.Geteuid() != 0 {
		Require(t, "FANOTIFY", errors.New("fanotify permission events need root"), tmpfsFix)
	}
	fd, err := unix.FanotifyInit(unix.FAN_CLASS_CONTENT|unix.FAN_CLOEXEC|unix.FAN_NONBLOCK, unix.O_RDONLY|unix.O_LARGEFILE|unix.O_CLOEXEC)
	if err != nil {
		Require(t, "FANOTIFY", fmt.Errorf("fanotify_init: %w", err), tmpfsFix)
	}
	g := &OpenGate{t: t, fd: fd, dir: filepath.Clean(dir), match: match, stop: make(chan struct{}), done: make(chan struct{}), before: map[int]func(){}}
	if err := g.markTree(); err != nil {
		unix.Close(fd)
		Require(t, "FANOTIFY", err, tmpfsFix)
	}
	go g.loop()
	t.Cleanup(g.Close)
	return g
}

// Before makes the gate run f before it lets the k-th counted open
// (1-based) through.
func (g *OpenGate) Before(k int, f func()) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.before[k] = f
}

// Opens returns the counted opens so far (paths relative to the gate's
// directory, as match got them), in order.
func (g *OpenGate) Opens() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.opens...)
}

// Reset forgets the counted opens and the Before actions, and watches
// the directories made under the gate's directory since it started (a
// restored snapshot's).
func (g *OpenGate) Reset() {
	if err := g.markTree(); err != nil {
		g.t.Errorf("open gate on %s: %v", g.dir, err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.opens, g.before = nil, map[int]func(){}
}

// markTree marks the gate's directory and every directory under it (a
// mark already there is kept; a removed directory's goes with it).
func (g *OpenGate) markTree() error {
	return filepath.WalkDir(g.dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, os.ErrNotExist) && path != g.dir {
				return nil // removed meanwhile
			}
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if err := unix.FanotifyMark(g.fd, unix.FAN_MARK_ADD|unix.FAN_MARK_ONLYDIR, unix.FAN_OPEN_PERM|unix.FAN_EVENT_ON_CHILD, unix.AT_FDCWD, path); err != nil {
			return fmt.Errorf("fanotify_mark %s: %w", path, err)
		}
		return nil
	})
}

// Close stops the gate; opens are no longer held. It reports an error the
// gate met to the test.
func (g *OpenGate) Close() {
	select {
	case <-g.stop:
	default:
		close(g.stop)
	}
	<-g.done
	g.mu.Lock()
	err := g.err
	g.mu.Unlock()
	if err != nil {
		g.t.Errorf("open gate on %s: %v", g.dir, err)
	}
}

// loop answers the permission events until Close.
func (g *OpenGate) loop() {
	defer close(g.done)
	defer unix.Close(g.fd)
	buf := make([]byte, 64<<10)
	self := int32(os.Getpid())
	for {
		select {
		case <-g.stop:
			return
		default:
		}
		fds := []unix.PollFd{{Fd: int32(g.fd), Events: unix.POLLIN}}
		if _, err := unix.Poll(fds, 20); err != nil && !errors.Is(err, unix.EINTR) {
			g.fail(fmt.Errorf("poll: %w", err))
			return
		}
		n, err := unix.Read(g.fd, buf)
		if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			g.fail(fmt.Errorf("read: %w", err))
			return
		}
		for off := 0; off+int(metaSize) <= n; {
			meta := (*unix.FanotifyEventMetadata)(unsafe.Pointer(&buf[off]))
			if meta.Event_len < uint32(metaSize) {
				break
			}
			off += int(meta.Event_len)
			if meta.Fd < 0 {
				continue
			}
			if meta.Pid != self {
				g.event(meta.Fd)
			}
			g.allow(meta.Fd)
		}
	}
}

// event counts an open of another process and runs its Before action.
func (g *OpenGate) event(fd int32) {
	p, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(int(fd)))
	if err != nil {
		return
	}
	rel, err := filepath.Rel(g.dir, p)
	if err != nil || rel == "." || !filepath.IsLocal(rel) || !g.match(filepath.ToSlash(rel)) {
		return
	}
	g.mu.Lock()
	g.opens = append(g.opens, filepath.ToSlash(rel))
	f := g.before[len(g.opens)]
	g.mu.Unlock()
	if f != nil {
		f()
	}
}

// allow lets the open through and closes the event's fd.
func (g *OpenGate) allow(fd int32) {
	var resp [8]byte
	binary.NativeEndian.PutUint32(resp[0:4], uint32(fd))
	binary.NativeEndian.PutUint32(resp[4:8], unix.FAN_ALLOW)
	if _, err := unix.Write(g.fd, resp[:]); err != nil {
		g.fail(fmt.Errorf("answer an open: %w", err))
	}
	unix.Close(int(fd))
}

func (g *OpenGate) fail(err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.err == nil {
		g.err = err
	}
}

// metaSize is the size of a fanotify event's fixed part.
const metaSize = unsafe.Sizeof(unix.FanotifyEventMetadata{})
