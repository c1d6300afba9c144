//go:build !linux

package store

import (
	"context"
	"errors"
	"fmt"
	"runtime"

	"github.com/zalando/go-keyring"
)

// keychainHint says how to get a working keychain on this OS.
const keychainHint = "unlock your login keychain, or " + toFile

// embedOwner: outside Linux the owner travels in the value.
const embedOwner = true

// platformValueLimit is the largest value the OS keychain takes: about
// 3 KB through macOS's security tool, 2,560 bytes in Windows' Credential
// Manager.
var platformValueLimit = map[string]int{"darwin": 3000, "windows": 2560}[runtime.GOOS]

// Errors of the platform backend that wrap maps to the store's.
var (
	errNotFound = keyring.ErrNotFound
	errTooBig   = keyring.ErrSetDataTooBig
)

// platformKeyring is go-keyring.
type platformKeyring struct{}

func (platformKeyring) Get(_ context.Context, service, account string) (string, Owner, error) {
	v, err := keyring.Get(service, account)
	return v, Owner{}, err
}

func (platformKeyring) Set(ctx context.Context, service, account, value string, _ Owner) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return keyring.Set(service, account, value)
}

func (platformKeyring) Delete(ctx context.Context, service, account string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return keyring.Delete(service, account)
}

// List is not supported outside Linux.
func (platformKeyring) List(_ context.Context, service string) ([]Listed, error) {
	return nil, fmt.Errorf("keychain service %q on %s: %w", service, runtime.GOOS, ErrListUnsupported)
}

var _ = errors.Is
