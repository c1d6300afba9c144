// Package store keeps credwiz's credentials: their metadata in an index
// file (credentials.json in the config dir) and their secrets in a secret
// store, the OS keychain or an age-encrypted file.
//
// The index never holds a secret value; the secret store holds one JSON
// object of secret fields per credential (service "credwiz", account = the
// credential name) and, separately, cached access tokens (service
// "credwiz-token"). Saving writes the secret first, then the metadata;
// deleting removes the metadata first, then the secret, so a crash midway
// leaves at worst an orphan secret, which Orphans finds.
//
// The package has no UI: it never imports ui, huh or bubbletea, nor
// connectors.
package store
