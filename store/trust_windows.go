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

// inodeOf returns 0: Windows has no inode number in fs.FileInfo, and a
// config dir is then known by its path alone.
func inodeOf(fs.FileInfo) uint64 { return 0 }

// deviceOf returns 0: Windows has no device number here.
func deviceOf(fs.FileInfo) uint64 { return 0 }
