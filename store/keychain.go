package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// DefaultKeychainTimeout bounds every keychain call when NewKeychain is
// given no timeout.
const DefaultKeychainTimeout = 3 * time.Second

// Keychain is the OS keychain (macOS Keychain, Windows Credential Manager,
// the freedesktop Secret Service on Linux): one item per account in one
// service, value = the JSON object of the item's map. On Linux the owner
// is recorded in the item's attributes (credwiz_dir, credwiz_rev), so the
// value is exactly the secret map; elsewhere it is a reserved member of
// the value (ownerKey) that Get removes.
//
// Every call is bounded by the timeout: a keychain that is absent, locked
// (waiting on a password prompt) or hanging yields an *UnavailableError
// instead of a hang. The abandoned call goes on in the background; the
// caller does not wait for it.
type Keychain struct {
	service string
	timeout time.Duration
	backend keyringBackend

	// MaxValueSize is the largest value the keychain takes, in bytes;
	// zero means the platform's limit (none known on Linux). A larger
	// value is refused with an error wrapping ErrTooBig before any call.
	MaxValueSize int
}

// keyringBackend is the platform keychain, replaceable in tests.
//
// ctx is done once the caller stopped waiting (the Keychain's timeout):
// a backend then makes no further change (a write it already sent may
// still land).
type keyringBackend interface {
	Get(ctx context.Context, service, account string) (value string, o Owner, err error)
	Set(ctx context.Context, service, account, value string, o Owner) error
	Delete(ctx context.Context, service, account string) error
	List(ctx context.Context, service string) ([]Listed, error)
}

// NewKeychain returns the keychain items of service (SecretService or
// TokenService), every call bounded by timeout; zero means
// DefaultKeychainTimeout.
func NewKeychain(service string, timeout time.Duration) *Keychain {
	if timeout <= 0 {
		timeout = DefaultKeychainTimeout
	}
	return &Keychain{service: service, timeout: timeout, backend: platformKeyring{}}
}

// Service returns the keychain service name.
func (k *Keychain) Service() string { return k.service }

// Timeout returns the bound on each call.
func (k *Keychain) Timeout() time.Duration { return k.timeout }

// Limit returns the largest value this keychain takes, 0 for no known
// limit.
func (k *Keychain) Limit() int {
	if k.MaxValueSize > 0 {
		return k.MaxValueSize
	}
	return platformValueLimit
}

// Get returns the item saved under account.
func (k *Keychain) Get(account string) (Item, error) {
	type got struct {
		v string
		o Owner
	}
	g, err := bounded(k.timeout, func(ctx context.Context) (got, error) {
		v, o, err := k.backend.Get(ctx, k.service, account)
		return got{v, o}, err
	})
	if err != nil {
		return Item{}, k.wrap("read", account, err)
	}
	m := map[string]string{}
	if err := json.Unmarshal([]byte(g.v), &m); err != nil {
		// The decoder's message may quote part of the value: leave it out.
		return Item{}, fmt.Errorf("keychain item %q of service %q is not a JSON object of strings (was it written by another program?): delete it and save the credential again",
			account, k.service)
	}
	values, o := splitOwner(m)
	if o.IsZero() {
		o = g.o
	}
	return Item{Values: values, Owner: o}, nil
}

// Set saves it under account, replacing what was there.
func (k *Keychain) Set(account string, it Item) error {
	m := it.Values
	if m == nil {
		m = map[string]string{}
	}
	if embedOwner {
		m = withOwner(m, it.Owner)
	}
	data, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("keychain write of %q: %w", account, err)
	}
	if lim := k.Limit(); lim > 0 && len(data) > lim {
		return fmt.Errorf("keychain write of %q: the value is %d bytes, more than this keychain holds (%d bytes): %w",
			account, len(data), lim, ErrTooBig)
	}
	_, err = bounded(k.timeout, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, k.backend.Set(ctx, k.service, account, string(data), it.Owner)
	})
	if err != nil {
		return k.wrap("write", account, err)
	}
	return nil
}

// Delete removes account's item.
func (k *Keychain) Delete(account string) error {
	_, err := bounded(k.timeout, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, k.backend.Delete(ctx, k.service, account)
	})
	if err != nil {
		return k.wrap("delete", account, err)
	}
	return nil
}

// List returns every item of the service with its owner, without reading
// a value where the platform allows (Linux: attributes only). Outside
// Linux it returns an error wrapping ErrListUnsupported.
func (k *Keychain) List() ([]Listed, error) {
	l, err := bounded(k.timeout, func(ctx context.Context) ([]Listed, error) { return k.backend.List(ctx, k.service) })
	if errors.Is(err, ErrListUnsupported) {
		return nil, err
	}
	if err != nil {
		return nil, k.wrap("list", k.service, err)
	}
	return l, nil
}

// errTimeout marks a call abandoned after its timeout.
var errTimeout = errors.New("timed out")

// bounded runs f and waits at most timeout for it. On timeout it returns
// errTimeout and leaves f running (its goroutine may leak, the caller does
// not wait), with its ctx done: f then makes no further change, so that
// nothing is written after the caller was told the write failed.
func bounded[T any](timeout time.Duration, f func(ctx context.Context) (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := make(chan result, 1)
	go func() {
		v, err := f(ctx)
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
func (k *Keychain) wrap(op, account string, err error) error {
	switch {
	case errors.Is(err, errNotFound):
		return fmt.Errorf("keychain item %q of service %q: %w", account, k.service, ErrNotFound)
	case errors.Is(err, errTooBig):
		return fmt.Errorf("keychain %s of %q: the value is too large for this keychain: %w", op, account, ErrTooBig)
	case errors.Is(err, errTimeout):
		return &UnavailableError{Op: fmt.Sprintf("keychain %s of %q", op, account), Reason: ReasonTimeout,
			Detail: fmt.Sprintf("no answer within %s (it may be locked and waiting for a password prompt, or hanging)", k.timeout)}
	}
	var ue *UnavailableError
	if errors.As(err, &ue) {
		c := *ue
		c.Op = fmt.Sprintf("keychain %s of %q", op, account)
		return &c
	}
	return &UnavailableError{Op: fmt.Sprintf("keychain %s of %q", op, account), Reason: ReasonOther, Detail: err.Error()}
}

// ownerKey is the reserved member that carries an item's owner where the
// platform keeps no attributes (a field key is snake_case, never this).
const ownerKey = "credwiz:owner"

// withOwner returns a copy of m with o as its ownerKey member.
func withOwner(m map[string]string, o Owner) map[string]string {
	out := make(map[string]string, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	if !o.IsZero() {
		out[ownerKey] = o.String()
	}
	return out
}

// splitOwner removes the ownerKey member from m and parses it.
func splitOwner(m map[string]string) (map[string]string, Owner) {
	s, ok := m[ownerKey]
	if !ok {
		return m, Owner{}
	}
	delete(m, ownerKey)
	o, _ := ParseOwner(s)
	return m, o
}
