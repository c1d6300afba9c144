package store

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Caps on what credwiz reads from its config dir: a file larger than this
// is refused, never read into memory.
const (
	// MaxIndexSize caps credentials.json (10 000 credentials take ~6 MiB).
	MaxIndexSize = 64 << 20
	// MaxSecretFileSize caps an encrypted secrets file.
	MaxSecretFileSize = 16 << 20
)

// CheckDir checks that the config dir dir may be trusted, as ssh's
// StrictModes does: a directory (a symbolic link to one is followed)
// owned by the user or root and not writable by group or others. A dir
// that does not exist yet is fine: credwiz creates it with mode 0700.
func CheckDir(dir string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fileError("read", dir, err)
	}
	if !fi.IsDir() {
		return &UntrustedError{Path: dir, Problem: "is not a directory",
			Fix: fmt.Sprintf("move it away (mv %s %s.bad) or choose another directory with --config-dir", dir, dir)}
	}
	return checkOwnerMode(dir, fi, "replace the files that say where your secrets are sent", "700")
}

// checkFile checks an open file's FileInfo: a regular file owned by the
// user or root, not writable by group or others.
func checkFile(path string, fi os.FileInfo) error {
	switch m := fi.Mode(); {
	case m.IsDir():
		return &UntrustedError{Path: path, Problem: "is a directory, where credwiz keeps a file",
			Fix: fmt.Sprintf("move it away (mv %s %s.bad)", path, path)}
	case !m.IsRegular():
		return &UntrustedError{Path: path, Problem: fmt.Sprintf("is a %s, not a regular file", fileKind(m)),
			Fix: fmt.Sprintf("move it away (mv %s %s.bad)", path, path)}
	}
	return checkOwnerMode(path, fi, "change where your secrets are sent", "600")
}

// checkOwnerMode checks that path (described by fi) belongs to the user or
// root and is not writable by group or others, who could then do what
// risk says; mode is what chmod should set.
func checkOwnerMode(path string, fi os.FileInfo, risk, mode string) error {
	if err := checkOwner(path, fi); err != nil {
		return err
	}
	if fi.Mode().Perm()&0o022 != 0 && !isWindows {
		return &UntrustedError{Path: path,
			Problem: fmt.Sprintf("is writable by group or others (mode %04o), so another user could %s", fi.Mode().Perm(), risk),
			Fix:     "run chmod " + mode + " " + path}
	}
	return nil
}

// fileKind names a non-regular file's type.
func fileKind(m os.FileMode) string {
	switch {
	case m&os.ModeSymlink != 0:
		return "symbolic link"
	case m&os.ModeNamedPipe != 0:
		return "FIFO (named pipe)"
	case m&os.ModeSocket != 0:
		return "socket"
	case m&os.ModeDevice != 0:
		return "device"
	}
	return "special file"
}

// notRegular is checkFile's refusal of what is at path when it is not a
// regular file, else nil: for an open that failed where a socket or a
// device cannot be opened (ENXIO, "no such device or address"), to say
// what is there instead, as for a FIFO.
func notRegular(path string) error {
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
		return checkFile(path, fi)
	}
	return nil
}

// openTrusted opens path for reading without following a symbolic link
// and without blocking on a FIFO, then checks it (checkFile). A missing
// file is an error wrapping os.ErrNotExist.
func openTrusted(path string) (*os.File, os.FileInfo, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|openNoFollow|openNonBlock, 0)
	if err != nil {
		if isSymlinkErr(path, err) {
			return nil, nil, symlinkError(path)
		}
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil, err
		}
		if serr := notRegular(path); serr != nil {
			return nil, nil, serr
		}
		return nil, nil, fileError("read", path, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, fileError("read", path, err)
	}
	if err := checkFile(path, fi); err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

// readOptional is readTrusted for a file that may be missing: found is
// false, and err nil, when it is.
func readOptional(path string, max int64) (data []byte, found bool, err error) {
	data, _, err = readTrusted(path, max)
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, nil
	}
	return data, err == nil, err
}

// readTrusted reads a whole file opened with openTrusted, refusing one of
// more than max bytes.
func readTrusted(path string, max int64) ([]byte, os.FileInfo, error) {
	f, fi, err := openTrusted(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	if fi.Size() > max {
		return nil, nil, tooLarge(path, fi.Size(), max)
	}
	// One read into a buffer of the file's size (+1 to see growth).
	data := make([]byte, 0, fi.Size()+1)
	for {
		n, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, fileError("read", path, err)
		}
		if int64(len(data)) > max {
			break
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
	}
	if int64(len(data)) > max {
		return nil, nil, tooLarge(path, int64(len(data)), max)
	}
	return data, fi, nil
}

// tooLarge is the error for a file over its cap.
func tooLarge(path string, size, max int64) error {
	return &UntrustedError{Path: path,
		Problem: fmt.Sprintf("is larger (%d bytes) than credwiz reads (%s)", size, byteSize(max)),
		Fix:     fmt.Sprintf("move it away (mv %s %s.bad) and restore a backup", path, path)}
}

// byteSize says n bytes in the largest whole unit: "64 KiB", "1 MiB",
// "200 bytes".
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// symlinkError is the error for a symbolic link where credwiz keeps one of
// its own files.
func symlinkError(path string) error {
	return &UntrustedError{Path: path, Problem: "is a symbolic link, and credwiz does not follow links for its own files",
		Fix: fmt.Sprintf("replace the link by the file itself (cp --remove-destination \"$(readlink -f %s)\" %s) or remove it", path, path)}
}

// isSymlinkErr reports whether err, from an open with openNoFollow, means
// path is a symbolic link.
func isSymlinkErr(path string, err error) bool {
	if !errors.Is(err, errLoop) {
		return false
	}
	fi, lerr := os.Lstat(path)
	return lerr == nil && fi.Mode()&os.ModeSymlink != 0
}

// ensureDir creates the config dir (mode 0700) if needed and checks it.
func ensureDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fileError("create directory", dir, err)
	}
	return CheckDir(dir)
}

// staleTemp reports whether name, in the config dir, is a temporary file
// a write left behind (renameio's ".NAME123" files).
func staleTemp(name string) bool {
	for _, own := range []string{IndexFile, AgeFileName, migrationFileName} {
		if len(name) > len(own)+1 && name[0] == '.' && name[1:len(own)+1] == own {
			return true
		}
	}
	return false
}

// StaleTemps lists temporary files a killed write left in dir and in its
// secrets directory, and the older single secrets file left by a
// conversion interrupted after its commit (nothing reads it once the
// current layout exists). Call it under the index lock (doctor does): no
// live write has one then.
func StaleTemps(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fileError("read", dir, err)
	}
	var out []string
	for _, e := range ents {
		if staleTemp(e.Name()) && e.Type().IsRegular() {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	sdir := filepath.Join(dir, SecretsDirName)
	ents, err = os.ReadDir(sdir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fileError("read", sdir, err)
	}
	converted := false
	for _, e := range ents {
		name := e.Name()
		if name == identityFileName && e.Type().IsRegular() {
			converted = true
		}
		// renameio's temporary files, and those of linkIdentity.
		if len(name) > 1 && name[0] == '.' && e.Type().IsRegular() {
			out = append(out, filepath.Join(sdir, name))
		}
	}
	if fi, err := os.Lstat(filepath.Join(dir, AgeFileName)); converted && err == nil && fi.Mode().IsRegular() {
		out = append(out, filepath.Join(dir, AgeFileName))
	}
	return out, nil
}
