package testenv

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// IndexFileName is the metadata file in the config dir.
const IndexFileName = "credentials.json"

// Index is credentials.json as the tests read it, without the store
// package.
type Index struct {
	// Raw is the file's bytes (nil when there is no file).
	Raw         []byte      `json:"-"`
	Version     int         `json:"version"`
	ID          string      `json:"id"`
	Store       string      `json:"store"`
	Revision    int64       `json:"revision"`
	Credentials []IndexCred `json:"credentials"`
}

// IndexCred is one credential's record: the members the tests look at,
// those that tie it to its secret first.
type IndexCred struct {
	Name           string            `json:"name"`
	Revision       int64             `json:"revision"`
	SecretRevision int64             `json:"secret_revision"`
	SecretItem     string            `json:"secret_item"`
	SecretKeys     []string          `json:"secret_keys"`
	Connector      string            `json:"connector"`
	Description    string            `json:"description"`
	Fields         map[string]string `json:"fields"`
	LastTest       *IndexTest        `json:"last_test"`
}

// IndexTest is a recorded test result.
type IndexTest struct {
	OK       bool   `json:"ok"`
	Revision int64  `json:"revision"`
	Class    string `json:"class"`
	At       string `json:"at"`
}

// SecretAccount is the account of the item holding c's secret: its
// staged item while a write is unfinished, else its name.
func (c IndexCred) SecretAccount() string {
	if c.SecretItem != "" {
		return c.SecretItem
	}
	return c.Name
}

// Get returns the credential called name.
func (ix Index) Get(name string) (IndexCred, bool) {
	for _, c := range ix.Credentials {
		if c.Name == name {
			return c, true
		}
	}
	return IndexCred{}, false
}

// Names returns the credentials' names in file order.
func (ix Index) Names() []string {
	out := make([]string, len(ix.Credentials))
	for i, c := range ix.Credentials {
		out[i] = c.Name
	}
	return out
}

// ReadIndex reads dir's credentials.json strictly (ParseIndex). A
// missing file is an empty index.
func ReadIndex(t testing.TB, dir string) Index {
	t.Helper()
	ix, err := ParseIndexFile(filepath.Join(dir, IndexFileName))
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// ParseIndexFile is ReadIndex returning its error.
func ParseIndexFile(path string) (Index, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return Index{}, nil
	}
	if err != nil {
		return Index{}, err
	}
	ix, err := ParseIndex(b)
	if err != nil {
		return Index{}, fmt.Errorf("%s: %w\n%s", path, err, Clip(string(b)))
	}
	return ix, nil
}

// ParseIndex parses an index file's bytes strictly: one valid JSON value,
// schema version 2, a config dir ID once it holds a credential, each name
// once, revisions within the counter.
func ParseIndex(b []byte) (Index, error) {
	if !json.Valid(b) {
		return Index{}, errors.New("not valid JSON (half-written?)")
	}
	var ix Index
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&ix); err != nil {
		return Index{}, fmt.Errorf("not valid JSON (half-written?): %w", err)
	}
	if dec.More() {
		return Index{}, errors.New("more than one JSON value")
	}
	if ix.Version != 2 {
		return Index{}, fmt.Errorf("schema version %d, want 2", ix.Version)
	}
	if len(ix.Credentials) > 0 && ix.ID == "" {
		return Index{}, errors.New("credentials but no config dir ID")
	}
	seen := map[string]bool{}
	for _, c := range ix.Credentials {
		if seen[c.Name] {
			return Index{}, fmt.Errorf("credential %q is listed twice", c.Name)
		}
		seen[c.Name] = true
		if c.Revision > ix.Revision || c.SecretRevision > c.Revision {
			return Index{}, fmt.Errorf("credential %q has revision %d and secret revision %d, the counter is %d",
				c.Name, c.Revision, c.SecretRevision, ix.Revision)
		}
	}
	ix.Raw = b
	return ix, nil
}
