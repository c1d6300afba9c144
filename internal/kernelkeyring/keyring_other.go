//go:build !linux

package kernelkeyring

import (
	"fmt"
	"time"
)

// Put returns an error wrapping ErrUnsupported outside Linux.
func Put(description string, payload []byte, ttl time.Duration) (int, error) {
	return 0, unsupported()
}

// Get returns an error wrapping ErrUnsupported outside Linux.
func Get(description string) ([]byte, error) { return nil, unsupported() }

// Remaining returns an error wrapping ErrUnsupported outside Linux.
func Remaining(description string) (time.Duration, bool, error) { return 0, false, unsupported() }

// Remove returns an error wrapping ErrUnsupported outside Linux.
func Remove(description string) error { return unsupported() }

// Available returns an error wrapping ErrUnsupported outside Linux.
func Available() error { return unsupported() }

func unsupported() error {
	return fmt.Errorf("%w: the kernel keyring is Linux's", ErrUnsupported)
}
