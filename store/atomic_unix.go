//go:build !windows

package store

import (
	"path/filepath"

	"github.com/google/renameio/v2"
)

// newPendingFile starts an atomic replacement of path with mode 0600
// whatever the umask.
func newPendingFile(path string) (pendingFile, error) {
	return renameio.NewPendingFile(path, renameio.WithTempDir(filepath.Dir(path)), renameio.WithStaticPermissions(0o600))
}
