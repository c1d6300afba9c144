//go:build !windows

package store

import (
	"fmt"
	"os"
	"os/user"
	"strconv"
	"syscall"
)

const (
	isWindows    = false
	openNoFollow = syscall.O_NOFOLLOW
	openNonBlock = syscall.O_NONBLOCK
)

// errLoop is what open with O_NOFOLLOW returns for a symbolic link.
var errLoop = syscall.ELOOP

// inodeOf returns fi's inode number, 0 when unknown.
func inodeOf(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino)
	}
	return 0
}

// deviceOf returns the number of the device (file system) fi is on, 0
// where unknown.
func deviceOf(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Dev) //nolint:unconvert // int32 on some systems
	}
	return 0
}

// checkOwner refuses a file or directory owned by another user than the
// one running credwiz, or root.
func checkOwner(path string, fi os.FileInfo) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	uid := os.Getuid()
	if int(st.Uid) == uid || st.Uid == 0 {
		return nil
	}
	owner := strconv.Itoa(int(st.Uid))
	if u, err := user.LookupId(owner); err == nil {
		owner = u.Username + " (uid " + owner + ")"
	} else {
		owner = "uid " + owner
	}
	me := strconv.Itoa(uid)
	if u, err := user.Current(); err == nil {
		me = u.Username
	}
	return &UntrustedError{Path: path,
		Problem: fmt.Sprintf("belongs to %s, not to you, so that user could change where your secrets are sent", owner),
		Fix:     fmt.Sprintf("check it, then take it over (sudo chown %s %s) or move it away", me, path)}
}
