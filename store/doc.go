// Package store keeps credwiz's credentials: their metadata in an index
// file (credentials.json in the config dir) and their secrets in a secret
// store, the OS keychain or an age-encrypted file (secrets.age).
//
// The index never holds a secret value; the secret store holds one JSON
// object of secret fields per credential (service "credwiz", account = the
// credential name) and, separately, cached access tokens (service
// "credwiz-token"). Saving writes the secret first, then the metadata;
// deleting removes the metadata first, then the secret, so a crash midway
// leaves at worst an orphan secret, which Orphans finds.
//
// Open resolves which secret store to use (the kind recorded in the index
// wins over auto) and returns a Store; commands that only show metadata
// (list, show) should use an Index alone, which never touches the secret
// store. Index reads take no lock and decode the file in one pass; writes
// go through Index.Update, which locks, rewrites atomically and keeps JSON
// fields this version does not know.
//
// Every Secrets implementation (Keychain, AgeFile sections, Memory) passes
// one contract test suite; the Keychain's runs against a real Secret
// Service (scripts/test.sh starts one).
//
// The package has no UI: it never imports ui, huh or bubbletea, nor
// connectors.
package store
