package store

import (
	"context"
	"testing"
)

// bg is the context of the tests' store calls.
var bg = context.Background()

// addErr adds c with secret and returns only the error.
func addErr(st *Store, c Credential, secret map[string]string) error {
	_, err := st.Add(bg, c, secret, AddOptions{})
	return err
}

// mustAdd adds c with secret and returns it as saved.
func mustAdd(t testing.TB, st *Store, c Credential, secret map[string]string) Credential {
	t.Helper()
	saved, err := st.Add(bg, c, secret, AddOptions{})
	if err != nil {
		t.Fatalf("Add(%q): %v", c.Name, err)
	}
	return saved
}

// mustCred returns the credential called name from the index.
func mustCred(t testing.TB, st *Store, name string) Credential {
	t.Helper()
	c, err := st.Index.Get(name)
	if err != nil {
		t.Fatalf("Index.Get(%q): %v", name, err)
	}
	return c
}

// secretOf reads the secret of the credential called name as saved.
func secretOf(st *Store, name string) (map[string]string, error) {
	c, err := st.Index.Get(name)
	if err != nil {
		return nil, err
	}
	return st.Secret(c)
}

// memStore returns a Store over memory in a new config dir.
func memStore(t testing.TB) *Store {
	return &Store{Index: NewIndex(t.TempDir()), Secrets: NewMemory(), Tokens: NewMemory(), Kind: KindMemory}
}
