package store

import "io"

// pendingFile is a temp file next to its target that replaces the target
// atomically when committed, or disappears on Cleanup.
type pendingFile interface {
	io.Writer
	// CloseAtomicallyReplace syncs the temp file, closes it and renames
	// it over the target.
	CloseAtomicallyReplace() error
	// Cleanup removes the temp file unless it was committed.
	Cleanup() error
}
