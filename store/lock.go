package store

import (
	"fmt"
	"time"

	"github.com/gofrs/flock"
)

// DefaultLockTimeout bounds the wait for another credwiz process to
// release a file lock.
const DefaultLockTimeout = 30 * time.Second

// lockFile takes an exclusive lock on path (created 0600 if missing),
// waiting at most timeout, and returns the function that releases it.
// Locks are per open file, so they also exclude other goroutines of the
// same process that lock through their own call.
func lockFile(path string, timeout time.Duration) (unlock func(), err error) {
	fl := flock.New(path, flock.SetPermissions(0o600))
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fileError("lock", path, err)
	}
	release := func() { _ = fl.Unlock() }
	if ok {
		return release, nil
	}
	done := make(chan error, 1)
	go func() { done <- fl.Lock() }()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case err := <-done:
		if err != nil {
			return nil, fileError("lock", path, err)
		}
		return release, nil
	case <-timer.C:
		// Release the lock should the abandoned wait still get it.
		go func() {
			if <-done == nil {
				release()
			}
		}()
		return nil, fmt.Errorf("%s is held by another credwiz process for more than %s: wait for it to finish and retry (fuser %s shows the process)",
			path, timeout, path)
	}
}
