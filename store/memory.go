package store

import (
	"fmt"
	"maps"
	"sync"
)

// Memory is an in-process Secrets for tests: it implements Secrets and
// Lister, copies maps in and out, and is safe for concurrent use. Its zero
// value is not usable; call NewMemory.
type Memory struct {
	mu sync.Mutex
	m  map[string]Item
}

// NewMemory returns an empty Memory.
func NewMemory() *Memory {
	return &Memory{m: make(map[string]Item)}
}

// Get returns a copy of the item saved under account.
func (s *Memory) Get(account string) (Item, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[account]
	if !ok {
		return Item{}, notFoundSecret(account)
	}
	return Item{Values: maps.Clone(v.Values), Owner: v.Owner}, nil
}

// Set saves a copy of it under account.
func (s *Memory) Set(account string, it Item) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := maps.Clone(it.Values)
	if v == nil {
		v = map[string]string{}
	}
	s.m[account] = Item{Values: v, Owner: it.Owner}
	return nil
}

// Delete removes account.
func (s *Memory) Delete(account string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[account]; !ok {
		return notFoundSecret(account)
	}
	delete(s.m, account)
	return nil
}

// List returns every account and owner held.
func (s *Memory) List() ([]Listed, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Listed, 0, len(s.m))
	for a, it := range s.m {
		out = append(out, Listed{Account: a, Owner: it.Owner})
	}
	return out, nil
}

// notFoundSecret is the error for a secret that does not exist.
func notFoundSecret(account string) error {
	return fmt.Errorf("secret %q: %w", account, ErrNotFound)
}
