package store

// Step names a point right after one write of the protocol.
type Step string

// The steps. A change calls the hook after each write it makes, in the
// order it makes them; which steps a change passes depends on the change.
const (
	// StepIDCommitted: the config dir ID was committed (first write only).
	StepIDCommitted Step = "id-committed"
	// StepSecretStaged: the new secret is written in a staged item.
	StepSecretStaged Step = "secret-staged"
	// StepSecretWritten: the canonical item holds the new secret.
	StepSecretWritten Step = "secret-written"
	// StepIndexCommitted: the index holding the change is committed.
	StepIndexCommitted Step = "index-committed"
	// StepIndexSettled: the index points back to the canonical item.
	StepIndexSettled Step = "index-settled"
	// StepStagedDeleted: the staged item is deleted.
	StepStagedDeleted Step = "staged-deleted"
	// StepOldSecretDeleted: a renamed or deleted credential's item is deleted.
	StepOldSecretDeleted Step = "old-secret-deleted"
	// StepTokenDeleted: a cached token is deleted.
	StepTokenDeleted Step = "token-deleted"
	// StepTokenWritten: a cached token is written.
	StepTokenWritten Step = "token-written"
	// StepRepaired: doctor finished or removed one item.
	StepRepaired Step = "repaired"
	// StepConverted: the older single file's items are in the current
	// layout, and its identity is in place (the commit of a conversion);
	// secrets.age is not yet removed.
	StepConverted Step = "converted"
	// StepRecipientsWritten: recipients.txt holds a changed set.
	StepRecipientsWritten Step = "recipients-written"
	// StepReencrypted: one item is encrypted anew to the recipients.
	StepReencrypted Step = "reencrypted"
	// StepMigrateStarted: the migration marker is written.
	StepMigrateStarted Step = "migrate-started"
	// StepMigrateCopied: one credential's secret is written in the
	// target store.
	StepMigrateCopied Step = "migrate-copied"
	// StepMigrateSwitched: the index records the target store (the
	// commit of a migration).
	StepMigrateSwitched Step = "migrate-switched"
	// StepMigrateSourceDeleted: one item is deleted from the source store.
	StepMigrateSourceDeleted Step = "migrate-source-deleted"

	// The Vault store's writes.

	// StepVaultMarked: the index marks the credential's write as pending.
	StepVaultMarked Step = "vault-marked"
	// StepVaultWritten: the credential's entry holds the change (written,
	// deleted or destroyed): the commit point.
	StepVaultWritten Step = "vault-written"
	// StepVaultBuried: a tombstone version marks a credential (deleted,
	// or renamed away) as gone: rm's commit point.
	StepVaultBuried Step = "vault-buried"
	// StepVaultOldDeleted: the versions a tombstone buried are deleted
	// (or destroyed).
	StepVaultOldDeleted Step = "vault-old-deleted"
	// StepVaultIndexed: the index holds the change and lost the mark.
	StepVaultIndexed Step = "vault-indexed"

	// A migration to or from the Vault store.

	// StepMoveStarted: the index records the migration that begins.
	StepMoveStarted Step = "move-started"
	// StepMoveCopied: one credential is copied to the target store.
	StepMoveCopied Step = "move-copied"
	// StepMoveSwitched: the index records the target store: the commit
	// point of a migration.
	StepMoveSwitched Step = "move-switched"
	// StepMoveCleaned: one item of the source store is deleted.
	StepMoveCleaned Step = "move-cleaned"
	// StepMoveEnded: the index no longer records the migration.
	StepMoveEnded Step = "move-ended"
)

// Steps lists every step, for tests that stop at each.
var Steps = []Step{StepIDCommitted, StepSecretStaged, StepSecretWritten, StepIndexCommitted,
	StepIndexSettled, StepStagedDeleted, StepOldSecretDeleted, StepTokenDeleted, StepTokenWritten, StepRepaired,
	StepConverted, StepRecipientsWritten, StepReencrypted,
	StepMigrateStarted, StepMigrateCopied, StepMigrateSwitched, StepMigrateSourceDeleted}

// VaultSteps lists the Vault store's steps, for tests that stop at each
// (Steps lists the local protocol's).
var VaultSteps = []Step{StepIDCommitted, StepVaultMarked, StepVaultWritten, StepVaultBuried, StepVaultOldDeleted, StepVaultIndexed,
	StepIndexCommitted, StepTokenDeleted, StepTokenWritten, StepRepaired,
	StepMoveStarted, StepMoveCopied, StepMoveSwitched, StepMoveCleaned, StepMoveEnded}
