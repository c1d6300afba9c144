//go:build windows

package store

import (
	"os"
	"path/filepath"
)

// winPending is renameio's pending file for Windows, where renameio/v2
// does not build: a temp file in the target's directory, synced and
// renamed over the target (os.Rename replaces an existing file there).
type winPending struct {
	*os.File
	path string
	done bool
}

func newPendingFile(path string) (pendingFile, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return nil, err
	}
	return &winPending{File: f, path: path}, nil
}

func (p *winPending) CloseAtomicallyReplace() error {
	if err := p.Sync(); err != nil {
		return err
	}
	if err := p.Close(); err != nil {
		return err
	}
	if err := os.Rename(p.Name(), p.path); err != nil {
		return err
	}
	p.done = true
	return nil
}

func (p *winPending) Cleanup() error {
	if p.done {
		return nil
	}
	_ = p.Close()
	return os.Remove(p.Name())
}
