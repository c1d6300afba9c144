//go:build linux

package testenv

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// tmpfsFix says how to run the tests that need a file system of their
// own.
const tmpfsFix = "run the tests as root (CI does), where they mount a small tmpfs"

// Tmpfs mounts a tmpfs of size bytes (rounded up to pages) for t,
// unmounted when t ends, and returns its mount point. It needs root;
// elsewhere it skips t loudly (Require).
func Tmpfs(t testing.TB, size int64) string {
	t.Helper()
	if os.Geteuid() != 0 {
		Require(t, "TMPFS", errors.New("mounting a tmpfs needs root"), tmpfsFix)
	}
	dir := filepath.Join(t.TempDir(), "tmpfs")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	opts := "size=" + strconv.FormatInt(size, 10) + ",mode=0700"
	if err := unix.Mount("tmpfs", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, opts); err != nil {
		Require(t, "TMPFS", fmt.Errorf("mount -t tmpfs -o %s: %w", opts, err), tmpfsFix)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(dir, 0); err != nil {
			_ = unix.Unmount(dir, unix.MNT_DETACH)
		}
	})
	return dir
}

// Free returns the bytes free on the file system of path.
func Free(t testing.TB, path string) int64 {
	t.Helper()
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		t.Fatal(err)
	}
	return int64(st.Bavail) * st.Bsize
}

// Filler fills a file system to the last byte with one file, and gives
// the space back.
type Filler struct {
	path string
}

// NewFiller returns a filler whose file is path (on the file system to
// fill, outside any directory credwiz reads).
func NewFiller(path string) *Filler { return &Filler{path: path} }

// Fill writes to the filler's file until the file system has no space
// left, so that any write that needs a new block fails with ENOSPC.
func (f *Filler) Fill() error {
	fh, err := os.OpenFile(f.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer fh.Close()
	for _, size := range []int{64 << 10, 4 << 10, 512, 1} {
		buf := make([]byte, size)
		for {
			if _, err := fh.Write(buf); err != nil {
				if errors.Is(err, unix.ENOSPC) {
					break
				}
				return err
			}
		}
	}
	return nil
}

// Release removes the filler's file.
func (f *Filler) Release() error {
	err := os.Remove(f.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// CopyDir makes dst (created if missing) hold exactly src's regular
// files and directories, recursively, modes kept: a config dir snapshot
// restored (the encrypted file store's secrets directory included). A
// directory that both hold stays the same directory in dst, so a watch on
// it (OpenGate, WatchDir) keeps working. Anything else in src (a
// symbolic link, a socket) is left out.
func CopyDir(t testing.TB, src, dst string) {
	t.Helper()
	if err := copyTree(src, dst); err != nil {
		t.Fatal(err)
	}
}

// copyTree makes dst a copy of src (see CopyDir); a missing src is an
// empty one.
func copyTree(src, dst string) error {
	if err := os.MkdirAll(dst, 0o700); err != nil {
		return err
	}
	ents, err := os.ReadDir(src)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	dirs := map[string]bool{}
	for _, e := range ents {
		if e.IsDir() {
			dirs[e.Name()] = true
		}
	}
	old, err := os.ReadDir(dst)
	if err != nil {
		return err
	}
	for _, e := range old {
		if e.IsDir() && dirs[e.Name()] {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dst, e.Name())); err != nil {
			return err
		}
	}
	for _, e := range ents {
		from, to := filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())
		switch {
		case e.IsDir():
			fi, err := e.Info()
			if err != nil {
				return err
			}
			if err := copyTree(from, to); err != nil {
				return err
			}
			if err := os.Chmod(to, fi.Mode().Perm()); err != nil {
				return err
			}
		case e.Type().IsRegular():
			if err := copyFile(from, to); err != nil {
				return err
			}
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, fi.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
