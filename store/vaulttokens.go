package store

import (
	"sync"
	"time"
)

// localTokens is the Vault store's cache of access tokens, which never go
// to Vault: the OS keychain (service credwiz-token) when one answers at
// the first use, else this process's memory (a server without a keychain
// then mints a token per command).
type localTokens struct {
	once           sync.Once
	timeout, probe time.Duration
	sec            Secrets
	inKeychain     bool
}

// newLocalTokens returns the cache; each keychain call is bounded by
// timeout, and the first one, which decides, by probe.
func newLocalTokens(timeout, probe time.Duration) *localTokens {
	return &localTokens{timeout: timeout, probe: probe}
}

// use returns the Secrets chosen at the first call.
func (t *localTokens) use() Secrets {
	t.once.Do(func() {
		if _, err := Probe(NewKeychain(TokenService, t.probe)); err == nil {
			t.sec, t.inKeychain = NewKeychain(TokenService, t.timeout), true
			return
		}
		t.sec = NewMemory()
	})
	return t.sec
}

// InKeychain reports whether the tokens are cached in the OS keychain
// (else in memory, for this process only).
func (t *localTokens) InKeychain() bool {
	t.use()
	return t.inKeychain
}

// Get returns the cached token item of account.
func (t *localTokens) Get(account string) (Item, error) { return t.use().Get(account) }

// Set caches it under account.
func (t *localTokens) Set(account string, it Item) error { return t.use().Set(account, it) }

// Delete drops account's cached token.
func (t *localTokens) Delete(account string) error { return t.use().Delete(account) }

// List lists the cached tokens, where the cache can.
func (t *localTokens) List() ([]Listed, error) {
	if l, ok := t.use().(Lister); ok {
		return l.List()
	}
	return nil, ErrListUnsupported
}
