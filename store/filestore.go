package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"golang.org/x/crypto/ssh"

	"github.com/credwiz/credwiz/internal/kernelkeyring"
)

// SecretsDirName is the encrypted file store's directory in the config
// dir. It holds identity.age (the store's age identity, encrypted with the
// passphrase), recipients.txt (who else can decrypt) and one age file per
// item, "SERVICE.ACCOUNT.age" (see itemFileName), encrypted to every
// recipient.
const SecretsDirName = "secrets"

// FileStore is the encrypted file store. Writing an item (Set, Delete,
// Copy) needs no passphrase and no key: items are encrypted to public
// keys. Reading one (Get) needs an identity, found in this order:
// CREDWIZ_IDENTITY_FILE, a session opened by Unlock (the Linux kernel
// keyring), the passphrase (CREDWIZ_PASSPHRASE or the PassphraseFunc,
// asked at most MaxPassphraseTries times). List and Owner read the items'
// clear headers only.
//
// Every file is read through the trust checks (openTrusted, readTrusted:
// no symbolic link, no special file, owner and mode checked, size capped)
// and written atomically next to its target. An attacker who could write
// the secrets directory could replace items or add a recipient; the trust
// checks refuse a directory or file that anyone but the user (or root)
// can write, and such an attacker could replace credwiz itself anyway.
//
// A config dir whose secrets are in the older single file (secrets.age)
// is read from it, and converted on the first write (see convert).
//
// The zero FileStore is not usable; use NewFileStore. It is safe for
// concurrent use.
type FileStore struct {
	configDir string
	dir       string
	pass      passphraseSource
	idFile    string

	// WorkFactor is the scrypt work factor of the identity files it
	// writes; zero means DefaultWorkFactor. Tests lower it.
	WorkFactor int
	// hook is the Store's step hook, nil when none.
	hook func(Step)

	mu         sync.Mutex
	ids        []age.Identity // resolved identities
	idKeys     []string       // their public keys, canonical (Recipient.Key)
	idErr      error          // why they could not be resolved (sticky)
	passphrase string         // the passphrase, once known
	newPass    string         // the passphrase chosen for a new store
	// created: this FileStore created the store (with newPass);
	// newPassChecked: newPass was found to open a store another process
	// created meanwhile (see confirmChosenPassphrase).
	created, newPassChecked bool
	legacy                  *legacyContent // secrets.age, once decrypted
	setupMu                 sync.Mutex     // serialises create and convert
}

// FileOptions configure NewFileStore.
type FileOptions struct {
	// Passphrase asks for the passphrase when CREDWIZ_PASSPHRASE is unset;
	// nil means nobody can be asked.
	Passphrase PassphraseFunc
	// IdentityFile is an age identity file or an unencrypted SSH private
	// key that is a recipient of the store (CREDWIZ_IDENTITY_FILE); "" for
	// none.
	IdentityFile string
	// Passphrase from the environment: set when CREDWIZ_PASSPHRASE is.
	EnvPassphrase    string
	HasEnvPassphrase bool
}

// NewFileStore returns the encrypted file store of config dir configDir.
// It touches nothing on disk.
func NewFileStore(configDir string, o FileOptions) *FileStore {
	return &FileStore{
		configDir: configDir,
		dir:       filepath.Join(configDir, SecretsDirName),
		pass:      passphraseSource{env: o.EnvPassphrase, hasEnv: o.HasEnvPassphrase, ask: o.Passphrase},
		idFile:    o.IdentityFile,
	}
}

// Dir returns the secrets directory.
func (f *FileStore) Dir() string { return f.dir }

// IdentityPath returns the path of identity.age.
func (f *FileStore) IdentityPath() string { return filepath.Join(f.dir, identityFileName) }

// RecipientsPath returns the path of recipients.txt.
func (f *FileStore) RecipientsPath() string { return filepath.Join(f.dir, recipientsFileName) }

// LegacyPath returns the path of the older single file, secrets.age.
func (f *FileStore) LegacyPath() string { return filepath.Join(f.configDir, AgeFileName) }

// Section returns the Secrets of one service (SecretService,
// TokenService). It also implements Lister, OwnerReader, Copier and
// Prober.
func (f *FileStore) Section(service string) Secrets {
	return &fileSection{f: f, service: service}
}

// State says what the config dir holds.
type FileState int

// The states of a file store.
const (
	// FileNone: nothing yet; the first write creates the store.
	FileNone FileState = iota
	// FileLegacy: only the older single file; the first write converts it.
	FileLegacy
	// FileReady: the current layout.
	FileReady
)

// State reports what the config dir holds.
func (f *FileStore) State() (FileState, error) {
	_, err := f.identityFile()
	switch {
	case err == nil:
		return FileReady, nil
	case !errors.Is(err, os.ErrNotExist):
		return FileNone, err
	}
	_, err = os.Lstat(f.LegacyPath())
	switch {
	case err == nil:
		return FileLegacy, nil
	case errors.Is(err, os.ErrNotExist):
		return FileNone, nil
	}
	return FileNone, fileError("read", f.LegacyPath(), err)
}

// checkDirs checks the config dir and the secrets dir (CheckDir).
func (f *FileStore) checkDirs() error {
	if err := CheckDir(f.configDir); err != nil {
		return err
	}
	return CheckDir(f.dir)
}

// identityFile reads identity.age's clear part and checks its checksum;
// an absent file is an error wrapping os.ErrNotExist.
func (f *FileStore) identityFile() (identityFile, error) {
	if err := f.checkDirs(); err != nil {
		return identityFile{}, err
	}
	path := f.IdentityPath()
	data, _, err := readTrusted(path, maxIdentitySize)
	if err != nil {
		return identityFile{}, err
	}
	return decodeIdentityFile(path, data)
}

// PublicKey returns the store's own public key ("age1…"); an error
// wrapping os.ErrNotExist before the store exists.
func (f *FileStore) PublicKey() (string, error) {
	idf, err := f.identityFile()
	return idf.PublicKey, err
}

// sessionDescription is the kernel keyring key that holds the identity of
// public key pub while unlocked.
func sessionDescription(pub string) string { return "credwiz:" + pub }

// identities returns the identities that decrypt items, resolving them on
// the first call (which may ask for the passphrase). A failure is
// remembered: the operator is not asked again by the same process.
func (f *FileStore) identities() ([]age.Identity, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ids == nil && f.idErr == nil {
		f.ids, f.idKeys, f.idErr = f.resolveIdentities()
	}
	return f.ids, f.idErr
}

// identityKeys returns the public keys of the identities resolved.
func (f *FileStore) identityKeys() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.idKeys
}

// resolveIdentities finds the identities and their public keys:
// CREDWIZ_IDENTITY_FILE's (and an unlocked session's, if any), else the
// session's, else the passphrase's. The caller holds f.mu.
func (f *FileStore) resolveIdentities() ([]age.Identity, []string, error) {
	idf, err := f.identityFile()
	if err != nil && (f.idFile == "" || !errors.Is(err, os.ErrNotExist)) {
		return nil, nil, err
	}
	var session *age.X25519Identity
	if err == nil {
		session = sessionIdentity(idf.PublicKey)
	}
	if f.idFile != "" {
		ids, keys, err := loadIdentityFile(f.idFile)
		if err != nil {
			return nil, nil, err
		}
		if session != nil {
			ids, keys = append(ids, session), append(keys, idf.PublicKey)
		}
		return ids, keys, nil
	}
	if session != nil {
		return []age.Identity{session}, []string{idf.PublicKey}, nil
	}
	id, err := f.unwrapWithPassphrase(idf)
	if err != nil {
		return nil, nil, err
	}
	return []age.Identity{id}, []string{idf.PublicKey}, nil
}

// unwrapWithPassphrase decrypts identity.age with the passphrase, asking
// for it as needed. The caller holds f.mu.
func (f *FileStore) unwrapWithPassphrase(idf identityFile) (*age.X25519Identity, error) {
	path := f.IdentityPath()
	var id *age.X25519Identity
	try := func(p string) error {
		var err error
		id, err = unwrapIdentity(path, idf, p)
		if err == nil {
			f.passphrase = p
		}
		return err
	}
	if f.passphrase != "" {
		if err := try(f.passphrase); err == nil {
			return id, nil
		}
	}
	err := f.pass.withPassphrase(PassphraseRequest{Path: path}, try)
	return id, err
}

// sessionIdentity returns the identity of public key pub kept in the
// kernel keyring by Unlock, or nil when there is none (never unlocked,
// expired, locked, no kernel keyring, or a key that is not that identity).
func sessionIdentity(pub string) *age.X25519Identity {
	payload, err := kernelkeyring.Get(sessionDescription(pub))
	if err != nil {
		return nil
	}
	defer clear(payload)
	id, err := parseOwnIdentity("the kernel keyring", payload, pub)
	if err != nil {
		return nil
	}
	return id
}

// maxIdentityFileSize caps CREDWIZ_IDENTITY_FILE.
const maxIdentityFileSize = 64 << 10

// loadIdentityFile reads CREDWIZ_IDENTITY_FILE: an age identity file
// ("AGE-SECRET-KEY-1…" lines) or an unencrypted SSH private key (ed25519
// or RSA). It is read through the trust checks, as ssh reads its keys. It
// returns the identities and their public keys (canonical, as
// Recipient.Key).
func loadIdentityFile(path string) ([]age.Identity, []string, error) {
	data, _, err := readTrusted(path, maxIdentityFileSize)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, fmt.Errorf("CREDWIZ_IDENTITY_FILE names %s, which does not exist: set it to an age identity file or an SSH private key", path)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("CREDWIZ_IDENTITY_FILE: %w", err)
	}
	defer clear(data)
	if bytes.Contains(data, []byte("-----BEGIN")) {
		id, err := agessh.ParseIdentity(data)
		if err != nil {
			return nil, nil, fmt.Errorf("CREDWIZ_IDENTITY_FILE (%s) is not an unencrypted ed25519 or RSA SSH private key (%v): use one without a passphrase, or an age identity file (age-keygen)", path, err)
		}
		return []age.Identity{id}, []string{sshPublicKey(data)}, nil
	}
	ids, err := age.ParseIdentities(bytes.NewReader(data))
	if err != nil {
		return nil, nil, fmt.Errorf("CREDWIZ_IDENTITY_FILE (%s) is neither an age identity file nor an SSH private key: %v", path, err)
	}
	var keys []string
	for _, id := range ids {
		if x, ok := id.(*age.X25519Identity); ok {
			keys = append(keys, x.Recipient().String())
		}
	}
	return ids, keys, nil
}

// sshPublicKey returns the public key of an SSH private key in
// authorized_keys form without comment ("ssh-ed25519 AAAA…"), or "".
func sshPublicKey(pemBytes []byte) string {
	k, err := ssh.ParseRawPrivateKey(pemBytes)
	if err != nil {
		return ""
	}
	signer, err := ssh.NewSignerFromKey(k)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(signer.PublicKey())))
}

// step calls the hook, if any.
func (f *FileStore) step(s Step) {
	if f.hook != nil {
		f.hook(s)
	}
}
