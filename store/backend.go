package store

import (
	"context"
	"errors"
	"time"
)

// Catalog is what commands that only show credentials read: the index of
// a local store (an *Index, which never touches the secret store), or the
// Vault store's own index of its credentials.
type Catalog interface {
	// List returns every credential, sorted by name.
	List() ([]Credential, error)
	// Get returns the credential called name, or an error wrapping
	// ErrNotFound.
	Get(name string) (Credential, error)
	// Kind returns the store kind recorded for the config dir ("" when
	// none yet).
	Kind() (Kind, error)
	// Path says where the metadata lives: the index file, or the Vault
	// folder.
	Path() string
}

// backend is a store that keeps each credential whole somewhere else than
// the index and its secret store (the Vault store). A Store whose remote
// is nil keeps the protocol of this package's doc; otherwise every method
// below is the remote's.
type backend interface {
	add(ctx context.Context, c Credential, secret map[string]string, o AddOptions) (Credential, error)
	change(ctx context.Context, name string, base int64, ch Change) (Credential, error)
	remove(ctx context.Context, name string, destroy bool) error
	record(ctx context.Context, recs []Record) ([]error, error)
	secret(c Credential) (map[string]string, error)
	cachedToken(c Credential) (map[string]string, error)
	check(ctx context.Context) (Health, error)
	repair(ctx context.Context, includeForeign bool) (Health, error)
	catalog() Catalog
	history(ctx context.Context, name string) ([]Version, error)
	ready(ctx context.Context, name string) error
}

// ErrNoHistory: the store keeps no earlier versions of a credential (only
// the Vault store does).
var ErrNoHistory = errors.New("this store keeps no history")

// Version is one version of a credential, for a history: when, who, and
// which fields changed (names only, never values).
type Version struct {
	// Version is the version number (the credential's Revision then).
	Version int64
	// At is when it was written; zero if unknown.
	At time.Time
	// By is who wrote it (user@host); "" when unknown.
	By string
	// Changed names the fields this version changed, sorted: setting and
	// secret keys, "connector" and "description". Nil when unknown (this
	// or the version before is deleted, destroyed or no longer kept).
	Changed []string
	// Deleted says the version is deleted (a Vault admin can recover it).
	Deleted bool
	// Destroyed says the version's data is gone for good.
	Destroyed bool
}

// Catalog returns the metadata of this store's credentials: the index for
// a local store, the Vault store's index otherwise.
func (s *Store) Catalog() Catalog {
	if s.remote != nil {
		return s.remote.catalog()
	}
	return s.Index
}

// History returns the versions of credential name, oldest first. Only the
// Vault store keeps them; the others return an error wrapping
// ErrNoHistory.
func (s *Store) History(ctx context.Context, name string) ([]Version, error) {
	if s.remote != nil {
		return s.remote.history(ctx, name)
	}
	return nil, ErrNoHistory
}

// Ready checks, before a command asks anything or tests anything, that
// this store lets it save credential name (or any credential, for ""):
// for the Vault store, that the token holds the capabilities a write
// needs; one line naming the path and the capability otherwise. Local
// stores are checked by reading from them (Probe), which Ready does not.
func (s *Store) Ready(ctx context.Context, name string) error {
	if s.remote != nil {
		return s.remote.ready(ctx, name)
	}
	return nil
}

// Destroy is Delete, except that the Vault store destroys every version of
// the credential for good, where Delete keeps them for an admin to
// recover. The local stores keep no versions: there Destroy is Delete.
func (s *Store) Destroy(ctx context.Context, name string) error {
	if s.remote != nil {
		return s.remote.remove(ctx, name, true)
	}
	return s.Delete(ctx, name)
}
