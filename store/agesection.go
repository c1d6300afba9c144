package store

import (
	"maps"
	"path/filepath"
	"slices"
)

// ageSection is one service's Secrets in an AgeFile.
type ageSection struct {
	f       *AgeFile
	service string
}

func (s *ageSection) Get(name string) (Item, error) {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	c, err := s.f.load()
	if err != nil {
		return Item{}, err
	}
	v, ok := c.Services[s.service][name]
	if !ok {
		return Item{}, notFoundSecret(name)
	}
	values, o := splitOwner(maps.Clone(v))
	return Item{Values: values, Owner: o}, nil
}

func (s *ageSection) Set(name string, it Item) error {
	v := withOwner(it.Values, it.Owner)
	return s.f.update(s.service, func(all map[string]map[string]string) (bool, error) {
		if old, ok := all[name]; ok && maps.Equal(old, v) {
			return false, nil
		}
		all[name] = v
		return true, nil
	})
}

func (s *ageSection) Delete(name string) error {
	// A name that is not there needs no lock, and no directory created.
	if _, err := s.Get(name); err != nil {
		return err
	}
	return s.f.update(s.service, func(all map[string]map[string]string) (bool, error) {
		if _, ok := all[name]; !ok {
			return false, notFoundSecret(name)
		}
		delete(all, name)
		return true, nil
	})
}

func (s *ageSection) List() ([]Listed, error) {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	c, err := s.f.load()
	if err != nil {
		return nil, err
	}
	var out []Listed
	for _, name := range slices.Sorted(maps.Keys(c.Services[s.service])) {
		_, o := splitOwner(maps.Clone(c.Services[s.service][name]))
		out = append(out, Listed{Account: name, Owner: o})
	}
	return out, nil
}

// dirOf returns the directory of path.
func dirOf(path string) string { return filepath.Dir(path) }
