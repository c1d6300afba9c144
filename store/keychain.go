package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/zalando/go-keyring"
)

// DefaultKeychainTimeout bounds every keychain call when NewKeychain is
// given no timeout.
const DefaultKeychainTimeout = 3 * time.Second

// Keychain is the OS keychain (macOS Keychain, Windows Credential Manager,
// the freedesktop Secret Service on Linux) through go-keyring: one item per
// credential in one service, account = credential name, value = the JSON
// object of the secret map.
//
// Every call is bounded by the timeout: a keychain that is absent, locked
// (waiting on a password prompt) or hanging yields an error wrapping
// ErrUnavailable instead of a hang. The abandoned call goes on in the
// background; the caller does not wait for it.
type Keychain struct {
	service string
	timeout time.Duration
	backend keyringBackend
}

// keyringBackend is go-keyring's API, replaceable in tests.
type keyringBackend interface {
	Get(service, user string) (string, error)
	Set(service, user, password string) error
	Delete(service, user string) error
}

// goKeyring is the real keychain.
type goKeyring struct{}

func (goKeyring) Get(service, user string) (string, error) { return keyring.Get(service, user) }
func (goKeyring) Set(service, user, pass string) error     { return keyring.Set(service, user, pass) }
func (goKeyring) Delete(service, user string) error        { return keyring.Delete(service, user) }

// NewKeychain returns the keychain items of service (SecretService or
// TokenService), every call bounded by timeout; zero means
// DefaultKeychainTimeout.
func NewKeychain(service string, timeout time.Duration) *Keychain {
	if timeout <= 0 {
		timeout = DefaultKeychainTimeout
	}
	return &Keychain{service: service, timeout: timeout, backend: goKeyring{}}
}

// Service returns the keychain service name.
func (k *Keychain) Service() string { return k.service }

// Timeout returns the bound on each call.
func (k *Keychain) Timeout() time.Duration { return k.timeout }

// Get returns the secret map saved under name.
func (k *Keychain) Get(name string) (map[string]string, error) {
	v, err := bounded(k.timeout, func() (string, error) { return k.backend.Get(k.service, name) })
	if err != nil {
		return nil, k.wrap("read", name, err)
	}
	m := map[string]string{}
	if err := json.Unmarshal([]byte(v), &m); err != nil {
		// The decoder's message may quote part of the value: leave it out.
		return nil, fmt.Errorf("keychain item %q of service %q is not a JSON object of strings (was it written by another program?): delete it and save the credential again",
			name, k.service)
	}
	return m, nil
}

// Set saves m under name, replacing what was there.
func (k *Keychain) Set(name string, m map[string]string) error {
	if m == nil {
		m = map[string]string{}
	}
	data, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("keychain write of %q: %w", name, err)
	}
	_, err = bounded(k.timeout, func() (struct{}, error) {
		return struct{}{}, k.backend.Set(k.service, name, string(data))
	})
	if err != nil {
		return k.wrap("write", name, err)
	}
	return nil
}

// Delete removes name's item.
func (k *Keychain) Delete(name string) error {
	_, err := bounded(k.timeout, func() (struct{}, error) {
		return struct{}{}, k.backend.Delete(k.service, name)
	})
	if err != nil {
		return k.wrap("delete", name, err)
	}
	return nil
}

// errTimeout marks a call abandoned after its timeout.
var errTimeout = errors.New("timed out")

// bounded runs f and waits at most timeout for it. On timeout it returns
// errTimeout and leaves f running: its goroutine may leak, the caller does
// not wait.
func bounded[T any](timeout time.Duration, f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := f()
		ch <- result{v, err}
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-timer.C:
		var zero T
		return zero, errTimeout
	}
}

// wrap maps a keychain error to the store's errors. Keychain errors never
// hold the secret value.
func (k *Keychain) wrap(op, name string, err error) error {
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return fmt.Errorf("keychain item %q of service %q: %w", name, k.service, ErrNotFound)
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return fmt.Errorf("keychain %s of %q: the secret is too large for this keychain (%w): shorten it or use --store file", op, name, err)
	case errors.Is(err, errTimeout):
		return fmt.Errorf("keychain %s of %q: %w: no answer within %s (it may be locked and waiting for a password prompt, or hanging): %s",
			op, name, ErrUnavailable, k.timeout, keychainHint)
	}
	hint := keychainHint
	if strings.Contains(err.Error(), "unlock") {
		hint = "the keychain is locked: unlock it (log in to the desktop session, or use a keyring manager such as seahorse), or use --store file"
	}
	return fmt.Errorf("keychain %s of %q: %w: %w: %s", op, name, ErrUnavailable, err, hint)
}
