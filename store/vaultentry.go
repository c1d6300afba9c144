package store

import (
	"fmt"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/credwiz/credwiz/store/vaultkv"
)

// The reserved fields of a credential's Vault entry. Every other field is
// one of the credential's settings or secrets, under its own key, so that
// `vault kv get -field=client_secret secret/credwiz/prod-db` prints one
// secret and Vault's own history tells which fields a version changed.
// Connector field keys never begin with '_'.
const (
	entryConnector   = "_connector"
	entryDescription = "_description"
	entryBook        = "_credwiz"
	// entryDeleted marks a tombstone: the version rm writes over the
	// credential (then deletes), so that no write based on the version
	// before can bring it back (check-and-set fails on the tombstone).
	entryDeleted = "_credwiz_deleted"
)

// entryFormat is the bookkeeping format this credwiz writes.
const entryFormat = 1

// entryBookkeeping is what credwiz keeps about an entry beside its values,
// JSON in the entryBook field.
type entryBookkeeping struct {
	// Format is entryFormat.
	Format int `json:"format"`
	// Version is the KV version this data was written as. When it differs
	// from the version Vault reports, someone changed the entry outside
	// credwiz (vault kv put or patch): credwiz then takes every value as
	// changed at that version.
	Version int64 `json:"version"`
	// ValuesVersion is the version at which the connector, the settings or
	// the secrets last changed.
	ValuesVersion int64 `json:"values_version"`
	// DescriptionVersion is the version at which the description last
	// changed.
	DescriptionVersion int64 `json:"description_version"`
	// SecretKeys are the fields that hold secrets.
	SecretKeys []string `json:"secret_keys"`
	// FieldKeys are the fields that hold settings (not secret). A field
	// in neither list (added outside credwiz) is taken for a secret, so
	// that it is never shown nor copied to the index.
	FieldKeys []string `json:"field_keys"`
	// CreatedAt, UpdatedAt, SecretsUpdatedAt are the credential's times.
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
	SecretsUpdatedAt time.Time `json:"secrets_updated_at"`
	// RenamedFrom, in the first version written by a rename, names the
	// entry and version it replaces: until that one is deleted, it is
	// hidden.
	RenamedFrom *entryRef `json:"renamed_from,omitempty"`
	// MigratedFrom, in a version written by a migration from a local
	// store, is that config dir's ID: a later run of the migration may
	// overwrite it.
	MigratedFrom string `json:"migrated_from,omitempty"`
	// Unknown holds members this version does not know, verbatim.
	Unknown jsontext.Value `json:",embed"`
}

// entryRef names one version of an entry.
type entryRef struct {
	Name    string `json:"name"`
	Version int64  `json:"version"`
}

// vaultEntry is one credential as read from Vault.
type vaultEntry struct {
	// cred is the credential: Revision is the KV version, SecretRevision
	// the version at which its values last changed; LastTest is nil (test
	// results live in the index).
	cred Credential
	// secret is the secret map.
	secret map[string]string
	// book is the bookkeeping, with its versions fixed up for an entry
	// changed outside credwiz.
	book entryBookkeeping
	// by is who wrote this version (user@host), "" when unknown.
	by string
}

// encodeEntry returns the KV data of credential c with its secret map, and
// the bookkeeping book (whose Version must be the version the write
// creates).
func encodeEntry(c Credential, secret map[string]string, book entryBookkeeping) (map[string]string, error) {
	data := make(map[string]string, len(c.Fields)+len(secret)+3)
	for _, m := range []map[string]string{c.Fields, secret} {
		for k, v := range m {
			if k == "" || strings.HasPrefix(k, "_") {
				return nil, fmt.Errorf("the field %q cannot be kept in Vault: names beginning with '_' are credwiz's own", k)
			}
			if _, dup := data[k]; dup {
				return nil, fmt.Errorf("the field %q is both a setting and a secret", k)
			}
			data[k] = v
		}
	}
	data[entryConnector] = c.Connector
	if c.Description != "" {
		data[entryDescription] = c.Description
	}
	book.Format = entryFormat
	book.SecretKeys = sortedKeys(secret)
	book.FieldKeys = sortedKeys(c.Fields)
	b, err := json.Marshal(book, json.Deterministic(true))
	if err != nil {
		return nil, fmt.Errorf("encode the bookkeeping of %q: %w", c.Name, err)
	}
	data[entryBook] = string(b)
	return data, nil
}

// decodeEntry reads credential name from one version of its entry. An
// entry that credwiz did not write (no connector) is an error saying so.
// secretKeys, when not nil, names the connector's secret fields: those are
// secrets whatever the bookkeeping says (a field it lists as a setting by
// mistake, or by someone's edit, is never shown nor indexed).
func decodeEntry(name string, s *vaultkv.Secret, secretKeys func(connectorID string) []string) (vaultEntry, error) {
	v := int64(s.Version)
	var book entryBookkeeping
	known := false
	if raw, ok := s.Data[entryBook]; ok {
		known = json.Unmarshal([]byte(raw), &book) == nil && book.Version > 0
	}
	if !known || book.Version != v {
		// Written, or changed, outside credwiz: every value may have
		// changed at this version.
		book.Version, book.ValuesVersion, book.DescriptionVersion = v, v, v
		book.UpdatedAt, book.SecretsUpdatedAt = s.Created.UTC(), s.Created.UTC()
		book.RenamedFrom, book.MigratedFrom = nil, ""
	}
	if book.CreatedAt.IsZero() {
		book.CreatedAt = s.Created.UTC()
	}
	connector := s.Data[entryConnector]
	if connector == "" {
		return vaultEntry{}, &foreignEntryError{name: name, version: v}
	}
	settings := map[string]bool{}
	for _, k := range book.FieldKeys {
		settings[k] = true
	}
	if secretKeys != nil {
		for _, k := range secretKeys(connector) {
			delete(settings, k)
		}
	}
	e := vaultEntry{book: book, by: s.UpdatedBy, secret: map[string]string{}}
	c := &e.cred
	c.Name, c.Connector, c.Description = name, connector, s.Data[entryDescription]
	for k, val := range s.Data {
		switch {
		case strings.HasPrefix(k, "_"):
		case settings[k]:
			if c.Fields == nil {
				c.Fields = map[string]string{}
			}
			c.Fields[k] = val
		default:
			e.secret[k] = val
		}
	}
	c.SecretKeys = sortedKeys(e.secret)
	c.Revision, c.SecretRevision = v, min(book.ValuesVersion, v)
	c.CreatedAt, c.UpdatedAt, c.SecretsUpdatedAt = book.CreatedAt, book.UpdatedAt, book.SecretsUpdatedAt
	return e, nil
}

// foreignEntryError is a credential's Vault entry that credwiz did not
// write: it has no connector.
type foreignEntryError struct {
	name    string
	version int64
}

// Error says so and what to do.
func (e *foreignEntryError) Error() string {
	return fmt.Sprintf("the Vault entry of %q (version %d) has no %s field, so credwiz did not write it: fix it with the vault CLI, or replace it with credwiz add --force",
		e.name, e.version, entryConnector)
}

// Unwrap returns ErrForeignItem.
func (e *foreignEntryError) Unwrap() error { return ErrForeignItem }

// certifies reports whether a test of revision rev tested the values c
// holds now: c's values have not changed since rev (the Vault store writes
// new versions for a description or a rename, which keep the values).
func certifies(c Credential, rev int64) bool {
	return rev > 0 && c.SecretRevision <= rev && rev <= c.Revision
}

// settled returns c with its last test certifying the current revision
// when it tested the same values at an earlier one, so that
// Credential.Tested holds for it.
func settled(c Credential) Credential {
	if c.LastTest != nil && c.LastTest.Revision != c.Revision && certifies(c, c.LastTest.Revision) {
		t := *c.LastTest
		t.Revision = c.Revision
		c.LastTest = &t
	}
	return c
}

// historyField names an entry field for a history: the reserved ones by
// what they hold; "" for the bookkeeping, which every version changes.
func historyField(k string) string {
	switch k {
	case entryConnector:
		return "connector"
	case entryDescription:
		return "description"
	case entryBook:
		return ""
	}
	return k
}
