package store

import (
	"fmt"
	"maps"
	"slices"
	"sync"
)

// Memory is an in-process Secrets for tests: it implements Secrets and
// Lister, copies maps in and out, and is safe for concurrent use. Its zero
// value is not usable; call NewMemory.
type Memory struct {
	mu sync.Mutex
	m  map[string]map[string]string
}

// NewMemory returns an empty Memory.
func NewMemory() *Memory {
	return &Memory{m: make(map[string]map[string]string)}
}

// Get returns a copy of the map saved under name.
func (s *Memory) Get(name string) (map[string]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[name]
	if !ok {
		return nil, notFoundSecret(name)
	}
	return maps.Clone(v), nil
}

// Set saves a copy of m under name.
func (s *Memory) Set(name string, m map[string]string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := maps.Clone(m)
	if v == nil {
		v = map[string]string{}
	}
	s.m[name] = v
	return nil
}

// Delete removes name.
func (s *Memory) Delete(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[name]; !ok {
		return notFoundSecret(name)
	}
	delete(s.m, name)
	return nil
}

// Names returns the names held, sorted.
func (s *Memory) Names() ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.m)), nil
}

// notFoundSecret is the error for a secret that does not exist.
func notFoundSecret(name string) error {
	return fmt.Errorf("secret %q: %w", name, ErrNotFound)
}
