package store

import (
	"fmt"
	"os"
	"path/filepath"
)

// File names in the config dir.
const (
	// IndexFile holds the credentials' metadata.
	IndexFile = "credentials.json"
	// lockSuffix names a file's sibling lock file.
	lockSuffix = ".lock"
)

// DefaultDir returns credwiz's config dir: $CREDWIZ_CONFIG_DIR when set,
// else credwiz under os.UserConfigDir (~/.config/credwiz on Linux,
// ~/Library/Application Support/credwiz on macOS). It does not create it.
func DefaultDir() (string, error) {
	if d := os.Getenv("CREDWIZ_CONFIG_DIR"); d != "" {
		return filepath.Abs(d)
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the config directory: %w; set CREDWIZ_CONFIG_DIR or pass --config-dir", err)
	}
	return filepath.Join(base, "credwiz"), nil
}
