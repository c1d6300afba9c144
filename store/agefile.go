package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"
	"time"

	"filippo.io/age"
)

// AgeFile is the encrypted file store: one age file (secrets.age in the
// config dir), encrypted with an scrypt passphrase, holding every
// service's secret maps. Use Section for the Secrets of one service.
//
// Nothing is ever written in plaintext, not even a temp file: encryption
// streams into the temp file that atomically replaces the old one. Writes
// take an exclusive lock on a sibling file, like the index. The decrypted
// content is cached, keyed by a hash of the encrypted bytes, so a command
// that reads and writes decrypts at most once while the file is unchanged.
// The passphrase function is called at most once per AgeFile.
//
// A file that does not decrypt for another reason than a wrong passphrase
// is a *CorruptError and is never overwritten.
type AgeFile struct {
	path string
	pass func() (string, error)

	// WorkFactor is the scrypt work factor (log2 of N) used for writing;
	// zero means age's default (18, about a second and 256 MiB). Tests
	// lower it to run fast. Reading accepts what age accepts.
	WorkFactor int
	// LockTimeout bounds the wait for another process's write lock; zero
	// means DefaultLockTimeout.
	LockTimeout time.Duration

	mu       sync.Mutex
	cache    *ageCache
	decrypts int // scrypt decryptions done, for tests
}

// ageCache is the decrypted content of the file whose encrypted bytes hash
// to sum. content is never changed in place: writers copy it.
type ageCache struct {
	sum     [sha256.Size]byte
	content *ageContent
}

// ageContent is the plaintext inside the age file.
type ageContent struct {
	Version  int                                     `json:"version"`
	Services map[string]map[string]map[string]string `json:"services"`
}

// ageVersion is the plaintext schema version.
const ageVersion = 1

// NewAgeFile returns the encrypted file store at path. passphrase is asked
// when the file must be decrypted or first written; nil means none can be
// had, which is an error then.
func NewAgeFile(path string, passphrase func() (string, error)) *AgeFile {
	if passphrase == nil {
		passphrase = func() (string, error) {
			return "", noPassphrase("the encrypted file store needs a passphrase: set CREDWIZ_PASSPHRASE or run credwiz in a terminal")
		}
	}
	return &AgeFile{path: path, pass: sync.OnceValues(passphrase)}
}

// Path returns the file's path.
func (f *AgeFile) Path() string { return f.path }

// Exists reports whether the file exists, so that a prompt can ask for a
// new passphrase twice.
func (f *AgeFile) Exists() (bool, error) {
	_, err := os.Stat(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fileError("read", f.path, err)
	}
	return true, nil
}

// Section returns the Secrets (and Lister) of one service in the file.
func (f *AgeFile) Section(service string) Secrets {
	return &ageSection{f: f, service: service}
}

// load returns the file's content, decrypting only when the encrypted
// bytes differ from the cached ones; a missing file is empty content, for
// which no passphrase is asked. The caller holds f.mu.
func (f *AgeFile) load() (*ageContent, error) {
	data, _, err := readTrusted(f.path, MaxSecretFileSize)
	if errors.Is(err, fs.ErrNotExist) {
		return &ageContent{Version: ageVersion}, nil
	}
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	if f.cache != nil && f.cache.sum == sum {
		return f.cache.content, nil
	}
	id, err := f.identity()
	if err != nil {
		return nil, err
	}
	f.decrypts++
	r, err := age.Decrypt(bytes.NewReader(data), id)
	if errors.Is(err, age.ErrIncorrectIdentity) {
		return nil, fmt.Errorf("open %s: %w: check CREDWIZ_PASSPHRASE or type it again", f.path, ErrWrongPassphrase)
	}
	if err != nil {
		return nil, &CorruptError{Path: f.path, Err: err}
	}
	plain, err := io.ReadAll(r)
	if err != nil {
		return nil, &CorruptError{Path: f.path, Err: err}
	}
	defer clear(plain)
	c := new(ageContent)
	if err := json.Unmarshal(plain, c); err != nil {
		// The decoder's message could quote a secret: leave it out.
		return nil, &CorruptError{Path: f.path, Err: errors.New("the decrypted content is not valid JSON")}
	}
	if c.Version > ageVersion {
		return nil, fmt.Errorf("%s has schema version %d, %w (this one reads version %d): upgrade credwiz; this version will not change the file",
			f.path, c.Version, ErrNewerVersion, ageVersion)
	}
	f.cache = &ageCache{sum: sum, content: c}
	return c, nil
}

// identity returns the scrypt identity of the passphrase.
func (f *AgeFile) identity() (*age.ScryptIdentity, error) {
	p, err := f.passphrase()
	if err != nil {
		return nil, err
	}
	id, err := age.NewScryptIdentity(p)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", f.path, err)
	}
	if f.WorkFactor > 22 {
		id.SetMaxWorkFactor(f.WorkFactor)
	}
	return id, nil
}

// passphrase returns the passphrase, asking at most once.
func (f *AgeFile) passphrase() (string, error) {
	p, err := f.pass()
	if err != nil {
		return "", err
	}
	if p == "" {
		return "", noPassphrase("the passphrase for " + f.path + " is empty: set CREDWIZ_PASSPHRASE or type one")
	}
	return p, nil
}

// update changes service's map under the write lock: fn gets a copy of it
// and reports whether it changed it. The file is written only then.
func (f *AgeFile) update(service string, fn func(m map[string]map[string]string) (bool, error)) error {
	if err := ensureDir(dirOf(f.path)); err != nil {
		return err
	}
	timeout := f.LockTimeout
	if timeout <= 0 {
		timeout = DefaultLockTimeout
	}
	unlock, err := lockFile(context.Background(), f.path+lockSuffix, lockOptions{timeout: timeout})
	if err != nil {
		return err
	}
	defer unlock()
	f.mu.Lock()
	defer f.mu.Unlock()
	old, err := f.load()
	if err != nil {
		return err
	}
	next := &ageContent{Version: ageVersion, Services: make(map[string]map[string]map[string]string, len(old.Services)+1)}
	for k, v := range old.Services {
		next.Services[k] = v
	}
	m := make(map[string]map[string]string, len(old.Services[service])+1)
	for k, v := range old.Services[service] {
		m[k] = v
	}
	changed, err := fn(m)
	if err != nil || !changed {
		return err
	}
	if len(m) == 0 {
		delete(next.Services, service)
	} else {
		next.Services[service] = m
	}
	return f.write(next)
}

// write encrypts c into a temp file that replaces the file. The caller
// holds the lock and f.mu.
func (f *AgeFile) write(c *ageContent) error {
	if fi, err := os.Stat(f.path); err == nil && fi.Mode().Perm()&0o200 == 0 {
		return readOnlyError(f.path)
	}
	p, err := f.passphrase()
	if err != nil {
		return err
	}
	rcpt, err := age.NewScryptRecipient(p)
	if err != nil {
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	if f.WorkFactor > 0 {
		rcpt.SetWorkFactor(f.WorkFactor)
	}
	pf, err := newPendingFile(f.path)
	if err != nil {
		return fileError("write", f.path, err)
	}
	defer func() { _ = pf.Cleanup() }()
	h := sha256.New()
	w, err := age.Encrypt(io.MultiWriter(pf, h), rcpt)
	if err != nil {
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	if err := json.NewEncoder(w).Encode(c); err != nil {
		return fileError("write", f.path, err)
	}
	if err := w.Close(); err != nil {
		return fileError("write", f.path, err)
	}
	if err := pf.CloseAtomicallyReplace(); err != nil {
		return fileError("write", f.path, err)
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	f.cache = &ageCache{sum: sum, content: c}
	return nil
}
