package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

// DefaultLockTimeout bounds the wait for another process's lock when the
// caller gives none.
const DefaultLockTimeout = 30 * time.Second

// lockNotice is how long a wait for the lock lasts before the waiting
// callback is told whom it waits for.
const lockNotice = time.Second

// lockOptions qualify lockFile.
type lockOptions struct {
	timeout time.Duration
	// waiting, when set, is called once if the lock is still held by
	// another process after lockNotice, with a description of the holder.
	waiting func(holder string)
}

// lockFile takes the exclusive lock on path, creating it (mode 0600)
// without following a symbolic link, and records this process's PID in
// it. It waits at most o.timeout and returns ctx's error as soon as ctx
// is done. The kernel releases the lock when the process ends, however it
// ends.
func lockFile(ctx context.Context, path string, o lockOptions) (unlock func(), err error) {
	fl := flock.New(path, flock.SetFlag(os.O_CREATE|os.O_RDWR|openNoFollow), flock.SetPermissions(0o600))
	ok, err := fl.TryLock()
	if err != nil {
		return nil, lockError(path, err)
	}
	if !ok {
		timeout := o.timeout
		if timeout <= 0 {
			timeout = DefaultLockTimeout
		}
		wctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		if o.waiting != nil {
			t := time.AfterFunc(lockNotice, func() { o.waiting(lockHolder(path)) })
			defer t.Stop()
		}
		ok, err = fl.TryLockContext(wctx, 20*time.Millisecond)
		if !ok {
			_ = fl.Close()
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if err != nil && !errors.Is(err, context.DeadlineExceeded) {
				return nil, lockError(path, err)
			}
			return nil, fmt.Errorf("%s is held by %s for more than %s: wait for it to finish and retry", path, lockHolder(path), timeout)
		}
	}
	release := func() { _ = fl.Unlock(); _ = fl.Close() }
	fi, err := fl.Stat()
	if err == nil {
		err = checkFile(path, fi)
	} else {
		err = lockError(path, err)
	}
	if err != nil {
		release()
		return nil, err
	}
	recordHolder(path)
	return release, nil
}

// lockError turns an error taking the lock into one line.
func lockError(path string, err error) error {
	if isSymlinkErr(path, err) {
		return symlinkError(path)
	}
	if serr := notRegular(path); serr != nil {
		return serr
	}
	return fileError("lock", path, err)
}

// recordHolder writes this process's PID into the lock file, for the
// message of a process waiting for it. Best effort.
func recordHolder(path string) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC|openNoFollow, 0o600)
	if err != nil {
		return
	}
	_, _ = f.WriteString(strconv.Itoa(os.Getpid()) + "\n")
	_ = f.Close()
}

// lockHolder describes the process named in the lock file.
func lockHolder(path string) string {
	f, _, err := openTrusted(path)
	if err != nil {
		return "another credwiz"
	}
	defer f.Close()
	buf := make([]byte, 32)
	n, _ := f.Read(buf)
	pid, err := strconv.Atoi(strings.TrimSpace(string(buf[:n])))
	if err != nil || pid <= 0 {
		return "another credwiz"
	}
	return fmt.Sprintf("another credwiz (pid %d)", pid)
}
