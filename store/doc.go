// Package store keeps credwiz's credentials: their metadata in an index
// file (credentials.json in the config dir) and their secrets in a secret
// store, the OS keychain or an encrypted file; or, for a team, each
// credential whole in HashiCorp Vault (see The Vault store below).
//
// # Layout
//
// The index never holds a secret value. It records a random config dir ID,
// the secret store kind, a revision counter and, per credential, its
// revision. The secret store holds items by service and account: service
// "credwiz", account = the credential name, holds the credential's current
// secret map (so `secret-tool lookup service credwiz username NAME` shows
// it); service "credwiz-token", same account, holds its cached access
// token. Every item carries an Owner: the config dir ID and the revision it
// was written for. While a write is in flight, a credential's new secret
// may sit in a staged item, account "NAME#rREV@DIRID", which the committed
// metadata names in SecretItem until the canonical item holds it too.
//
// # The write protocol
//
// Every change (add, edit, rename, re-authentication, delete, recording of
// test results and cached tokens, doctor's repairs) runs inside one
// Index.Update, under an exclusive lock on credentials.json.lock, and keeps
// these invariants, which the tests prove by killing processes at every
// step, filling the disk and checking random concurrent histories:
//
//   - One consistent pair at every instant. The metadata and the secret it
//     refers to change together or not at all: a new secret is written
//     beside the old one (a staged item, or the canonical item of a name
//     that has none), the metadata that points to it is committed, and only
//     then is the canonical item overwritten and the old item deleted. A
//     crash or an error at any step leaves the credential exactly as before
//     or exactly as after; an error after the commit point wraps ErrCleanup
//     and says that the change is saved.
//   - Optimistic concurrency. Every credential carries a Revision that
//     changes whenever the values a test depends on change (connector,
//     fields, secrets). A command that read a credential and did slow work
//     writes back only if the revision is unchanged, and changes only the
//     fields it means to change (a Change is a patch); otherwise it fails
//     with a *ConflictError and saves nothing. Test results and access
//     tokens obtained for an old revision are discarded.
//   - Ownership. Items say which config dir and revision they belong to.
//     Doctor removes only items of this config dir that no committed
//     credential refers to; because every write holds the index lock while
//     it writes items, and the kernel releases a lock when its process
//     ends, no record of an operation in flight can outlive it. Items of
//     other config dirs sharing the keychain are listed, never removed
//     without an explicit request.
//   - A credential goes whole: Delete removes the metadata, the secret, any
//     staged item and the cached token, under the lock, so a command still
//     using them cannot bring them back.
//   - A test result certifies one revision (TestResult.Revision); callers
//     show a pass only when it matches the credential's Revision.
//   - Waits are cancellable: the lock wait honours its context and reports,
//     after a second, whom it waits for.
//
// # Trust
//
// Before anything that decides where a secret is sent is read, the config
// dir and each file in it must belong to the user (or root), must not be
// writable by group or others, and must be a regular file: credwiz opens
// its files without following symbolic links and without blocking on a
// FIFO, checks them with fstat, and caps every read (see CheckDir).
//
// # The Vault store
//
// With KindVault a credential lives whole in HashiCorp Vault: one KV
// version 2 entry per credential holds its settings, its secrets and its
// metadata, so that one check-and-set write changes them together (no
// staged item is needed), and the credential's Revision is the entry's KV
// version. The same invariants hold, by other means (see vault.go,
// vaultindex.go, vaultwrite.go):
//
//   - One consistent pair: the entry is the commit point. An index entry
//     beside the credentials ("@index") is a cache for list: every write
//     marks the credential pending there first and clears the mark after,
//     readers read marked (and unknown, or vanished) credentials' entries,
//     a lost index is rebuilt, and the index only ever takes news.
//   - Optimistic concurrency: every write is a check-and-set on the
//     version read; a change of values (or a test result, or a new
//     description) is refused with a *ConflictError when a teammate
//     changed them since the caller's revision; SecretRevision is the
//     version at which the values last changed, so a test result and a
//     cached token stay valid across a description change.
//   - A credential goes whole: rm writes a tombstone version over the one
//     it read before deleting both, so no write based on an earlier read
//     brings it back; a rename writes the new entry (naming the old)
//     before burying the old the same way, which readers hide meanwhile
//     and the next write finishes.
//   - Test results live in the index; access tokens in the local keychain
//     (or memory), owned by this config dir, never in Vault.
//
// credentials.json then records only the store, its folder (mount and
// path) and the config dir's ID; its lock still serialises this config
// dir's commands and its cached tokens. MigrateToVault and
// MigrateFromVault move a config dir between a local store and Vault,
// with one commit of credentials.json as the switch.
//
// Open resolves which secret store to use (the kind recorded in the index
// wins over auto). Commands that only show metadata (list, show) use an
// Index alone, which never touches the secret store.
//
// The package has no UI: it never imports ui, huh or bubbletea, nor
// connectors.
package store
