//go:build windows

package store

import (
	"errors"
	"io/fs"
)

const (
	isWindows    = true
	openNoFollow = 0
	openNonBlock = 0
)

// errLoop never matches on Windows, where open follows links.
var errLoop = errors.New("no symbolic link check on windows")

// checkOwner is not done on Windows: its ACLs are not modes and owners.
func checkOwner(string, fs.FileInfo) error { return nil }
