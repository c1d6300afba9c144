package store

import (
	"encoding/json"
	"errors"
	"time"
)

// Errors of the store. Wrapped errors carry the detail; use errors.Is.
var (
	// ErrNotFound: no credential (or secret) of that name.
	ErrNotFound = errors.New("not found")
	// ErrExists: a credential of that name exists and replacing was not asked for.
	ErrExists = errors.New("already exists")
	// ErrUnavailable: the secret store did not answer (keychain absent,
	// locked or hanging past its timeout).
	ErrUnavailable = errors.New("secret store unavailable")
	// ErrWrongPassphrase: the encrypted file's passphrase does not open it.
	ErrWrongPassphrase = errors.New("wrong passphrase")
	// ErrInvalidName: a credential name outside the allowed form.
	ErrInvalidName = errors.New("invalid credential name")
	// ErrStoreMismatch: the requested store differs from the one the index records.
	ErrStoreMismatch = errors.New("secret store differs from the recorded one")
)

// Service names in the secret store.
const (
	// SecretService holds each credential's secret fields.
	SecretService = "credwiz"
	// TokenService holds each credential's cached access token.
	TokenService = "credwiz-token"
)

// Kind names a secret store implementation.
type Kind string

// The secret store kinds. KindAuto is only a request: it resolves to
// KindKeychain or KindFile.
const (
	KindAuto     Kind = "auto"
	KindKeychain Kind = "keychain"
	KindFile     Kind = "file"
	KindMemory   Kind = "memory"
)

// Secrets is a store of secret maps by credential name.
type Secrets interface {
	// Get returns the secret map saved under name, or an error wrapping
	// ErrNotFound or ErrUnavailable.
	Get(name string) (map[string]string, error)
	// Set saves m under name, replacing what was there.
	Set(name string, m map[string]string) error
	// Delete removes name; an absent name is an error wrapping ErrNotFound.
	Delete(name string) error
}

// Lister is implemented by Secrets that can enumerate their names, which
// orphan detection needs.
type Lister interface {
	// Names returns every name held, in any order.
	Names() ([]string, error)
}

// Credential is one saved credential's metadata: everything but its
// secrets. Unknown JSON fields read from the index survive a rewrite.
type Credential struct {
	// Name is unique; see ValidateName.
	Name string `json:"name"`
	// Connector is the connector ID ("drift").
	Connector string `json:"connector"`
	// Description is optional free text.
	Description string `json:"description,omitempty"`
	// Fields holds the non-secret field values by key.
	Fields map[string]string `json:"fields,omitempty"`
	// SecretKeys lists the keys of the secret fields held in the secret store.
	SecretKeys []string `json:"secret_keys,omitempty"`
	// CreatedAt is when the credential was first saved.
	CreatedAt time.Time `json:"created_at"`
	// UpdatedAt is when the metadata last changed.
	UpdatedAt time.Time `json:"updated_at"`
	// SecretsUpdatedAt is when the secrets were last set (add, edit, reauth).
	SecretsUpdatedAt time.Time `json:"secrets_updated_at"`
	// LastTest is the result of the latest live test; nil if never tested.
	LastTest *TestResult `json:"last_test,omitempty"`

	// extra holds JSON fields this version does not know, kept verbatim.
	extra map[string]json.RawMessage
}

// TestResult records one live test.
type TestResult struct {
	// At is when the test ran.
	At time.Time `json:"at"`
	// OK reports whether it passed.
	OK bool `json:"ok"`
	// Class is the failure class ("rejected", "unreachable", …); empty when OK.
	Class string `json:"class,omitempty"`
	// Message is the failure, redacted; empty when OK.
	Message string `json:"message,omitempty"`
	// Account is the account or org the credential reached.
	Account string `json:"account,omitempty"`
	// TokenExpires is when the access token obtained expires (zero if unknown).
	TokenExpires time.Time `json:"token_expires,omitzero"`
	// TokenNeverExpires is set for static keys that do not expire.
	TokenNeverExpires bool `json:"token_never_expires,omitempty"`
	// Warnings are problems that did not fail the test.
	Warnings []string `json:"warnings,omitempty"`
}
