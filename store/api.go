package store

import (
	"maps"
	"slices"
	"time"

	"github.com/go-json-experiment/json/jsontext"
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
// KindKeychain or KindFile. KindVault keeps each credential whole (its
// metadata and its secrets) in HashiCorp Vault, for a team.
const (
	KindAuto     Kind = "auto"
	KindKeychain Kind = "keychain"
	KindFile     Kind = "file"
	KindMemory   Kind = "memory"
	KindVault    Kind = "vault"
)

// Owner says which config dir, and which revision of a credential there,
// a secret-store item was written for. The zero Owner is an item that says
// nothing: written by an older credwiz or by hand.
type Owner struct {
	// Dir is the config dir's ID (Index.ID).
	Dir string
	// Rev is the credential revision the item holds the values of.
	Rev int64
}

// IsZero reports whether o says nothing.
func (o Owner) IsZero() bool { return o.Dir == "" && o.Rev == 0 }

// Item is one secret-store entry: a map of strings and its owner.
type Item struct {
	// Values is the secret map (or the cached token's fields).
	Values map[string]string
	// Owner is who wrote it; zero when the item carries no owner.
	Owner Owner
}

// Listed is one entry of a secret store's listing: its account and owner,
// without its values.
type Listed struct {
	// Account is the item's account ("prod-db", "prod-db#r7@…").
	Account string
	// Owner is who wrote it; zero when unknown.
	Owner Owner
}

// Secrets is one service of a secret store: items by account.
type Secrets interface {
	// Get returns the item saved under account, or an error wrapping
	// ErrNotFound or ErrUnavailable.
	Get(account string) (Item, error)
	// Set saves it under account, replacing what was there.
	Set(account string, it Item) error
	// Delete removes account; an absent account is an error wrapping
	// ErrNotFound.
	Delete(account string) error
}

// Lister is implemented by Secrets that can enumerate their items, which
// orphan detection needs. A Lister that cannot list on this platform
// returns an error wrapping ErrListUnsupported.
type Lister interface {
	// List returns every item's account and owner, in any order.
	List() ([]Listed, error)
}

// Credential is one saved credential's metadata: everything but its
// secrets. Unknown JSON members read from the index survive a rewrite.
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
	// Revision changes whenever the values a test depends on change
	// (connector, fields, secrets); zero only in an index not yet
	// converted. Revisions are unique within a config dir. In the Vault
	// store it is the KV version of the credential's entry, which every
	// write changes.
	Revision int64 `json:"revision,omitzero"`
	// SecretRevision is the revision at which the secret was last
	// written: the secret-store items of the credential carry it in their
	// Owner. Zero for an item written before owners existed. In the Vault
	// store it is the version at which the values a test depends on
	// (connector, fields, secrets) last changed: every version from it to
	// Revision holds the same values.
	SecretRevision int64 `json:"secret_revision,omitzero"`
	// SecretItem is the account of the staged item holding the secret
	// while a write is in flight (or was interrupted); empty means the
	// canonical item, account = Name.
	SecretItem string `json:"secret_item,omitempty"`
	// CreatedAt is when the credential was first saved.
	CreatedAt time.Time `json:"created_at"`
	// UpdatedAt is when the metadata last changed.
	UpdatedAt time.Time `json:"updated_at"`
	// SecretsUpdatedAt is when the secrets were last set (add, edit, reauth).
	SecretsUpdatedAt time.Time `json:"secrets_updated_at"`
	// LastTest is the result of the latest live test; nil if never tested.
	// It certifies the values only while LastTest.Revision equals Revision
	// (see Tested).
	LastTest *TestResult `json:"last_test,omitempty"`

	// Unknown holds JSON members this version does not know, verbatim.
	Unknown jsontext.Value `json:",embed"`
}

// Tested returns the last test result if it certifies the credential's
// current values, else nil.
func (c *Credential) Tested() *TestResult {
	if c.LastTest == nil || c.LastTest.Revision != c.Revision {
		return nil
	}
	return c.LastTest
}

// secretAccount is the account of the item holding c's secret.
func (c *Credential) secretAccount() string {
	if c.SecretItem != "" {
		return c.SecretItem
	}
	return c.Name
}

// clone returns a deep copy of c.
func (c Credential) clone() Credential {
	c.Fields = maps.Clone(c.Fields)
	c.SecretKeys = slices.Clone(c.SecretKeys)
	if c.LastTest != nil {
		t := *c.LastTest
		t.Warnings = slices.Clone(t.Warnings)
		t.Unknown = slices.Clone(t.Unknown)
		c.LastTest = &t
	}
	c.Unknown = slices.Clone(c.Unknown)
	return c
}

// TestResult records one live test.
type TestResult struct {
	// At is when the test ran.
	At time.Time `json:"at"`
	// Revision is the credential revision whose values were tested.
	Revision int64 `json:"revision,omitzero"`
	// OK reports whether it passed.
	OK bool `json:"ok"`
	// Class is the failure class ("rejected", "unreachable", …); empty when OK.
	Class string `json:"class,omitempty"`
	// Message is the failure, already checked for leaks; empty when OK.
	Message string `json:"message,omitempty"`
	// Account is the account or org the credential reached.
	Account string `json:"account,omitempty"`
	// TokenExpires is when the access token obtained expires (zero if unknown).
	TokenExpires time.Time `json:"token_expires,omitzero"`
	// TokenNeverExpires is set for static keys that do not expire.
	TokenNeverExpires bool `json:"token_never_expires,omitzero"`
	// Warnings are problems that did not fail the test.
	Warnings []string `json:"warnings,omitempty"`

	// Unknown holds JSON members this version does not know, verbatim.
	Unknown jsontext.Value `json:",embed"`
}
