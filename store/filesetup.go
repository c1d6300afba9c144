package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"filippo.io/age"
)

// recipients returns the store's recipients: its own identity's public
// key first, then recipients.txt's (an absent file lists none).
func (f *FileStore) recipients() ([]Recipient, error) {
	idf, err := f.identityFile()
	if err != nil {
		return nil, err
	}
	return f.recipientsOf(idf)
}

// recipientsOf is recipients with identity.age already read.
func (f *FileStore) recipientsOf(idf identityFile) ([]Recipient, error) {
	own, err := ParseRecipient(idf.PublicKey)
	if err != nil {
		return nil, &CorruptError{Path: f.IdentityPath(), Err: err}
	}
	own.Own, own.Comment = true, "(this store's identity, "+identityFileName+")"
	out := []Recipient{own}
	path := f.RecipientsPath()
	data, found, err := readOptional(path, maxRecipientsSize)
	if err != nil || !found {
		return out, err
	}
	more, err := parseRecipientsFile(path, data)
	if err != nil {
		return nil, err
	}
	for _, r := range more {
		if r.Key != own.Key {
			out = append(out, r)
		}
	}
	return out, nil
}

// writeRecipients returns the recipients a write encrypts to, creating
// the store first if there is none, or converting the older single file.
func (f *FileStore) writeRecipients() ([]Recipient, error) {
	rs, err := f.recipients()
	if errors.Is(err, os.ErrNotExist) {
		if err := f.setup(); err != nil {
			return nil, err
		}
		rs, err = f.recipients()
	}
	if err != nil {
		return nil, err
	}
	if err := f.confirmChosenPassphrase(); err != nil {
		return nil, err
	}
	return rs, nil
}

// confirmChosenPassphrase checks, before the first write, that a new
// passphrase chosen for a store that did not exist yet (asked before the
// index lock: Prepare) opens the store another credwiz created meanwhile,
// if one did: else the operator would believe that what this command
// saves is under the passphrase they just chose, and the store's
// passphrase would be one they never typed here. It costs one scrypt, in
// that race only; once checked, the identity it opened is kept.
func (f *FileStore) confirmChosenPassphrase() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.newPass == "" || f.created || f.newPassChecked {
		return nil
	}
	idf, err := f.identityFile()
	if err != nil {
		return err
	}
	id, err := unwrapIdentity(f.IdentityPath(), idf, f.newPass)
	switch {
	case errors.Is(err, ErrWrongPassphrase):
		return fmt.Errorf("another credwiz created the encrypted file store (%s) while this one was asking for a new passphrase, and the one given here does not open it: run the command again, and give that store's passphrase when asked", f.IdentityPath())
	case err != nil:
		return err
	}
	f.newPassChecked = true
	if f.ids == nil && f.idErr == nil {
		f.ids, f.idKeys, f.passphrase = []age.Identity{id}, []string{idf.PublicKey}, f.newPass
	}
	return nil
}

// Prepare does now what the first write would need of the operator, so
// that a command asks before it takes the index lock: for a store not yet
// created, the new passphrase; for the older single file, its passphrase
// (checked by decrypting it). For a store that exists it does nothing.
func (f *FileStore) Prepare() error {
	st, err := f.State()
	if err != nil {
		return err
	}
	switch st {
	case FileLegacy:
		_, err := f.legacyContent()
		return err
	case FileNone:
		_, err := f.chooseNewPassphrase()
		return err
	}
	return nil
}

// openForReading resolves now what reading the store's items needs (its
// passphrase, asked or from CREDWIZ_PASSPHRASE; or the identity file):
// the identity, or the older single file decrypted. A store not created
// yet needs nothing.
func (f *FileStore) openForReading() error {
	st, err := f.State()
	switch {
	case err != nil:
		return err
	case st == FileReady:
		_, err = f.identities()
	case st == FileLegacy:
		_, err = f.legacyContent()
	}
	return err
}

// chooseNewPassphrase returns the passphrase of a store to create, asking
// once.
func (f *FileStore) chooseNewPassphrase() (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.newPass != "" {
		return f.newPass, nil
	}
	p, err := f.pass.get(PassphraseRequest{Path: f.IdentityPath(), New: true, Attempt: 1})
	if err != nil {
		return "", err
	}
	f.newPass = p
	return p, nil
}

// setup creates the store, or converts the older single file, unless
// another goroutine or process did meanwhile.
func (f *FileStore) setup() error {
	f.setupMu.Lock()
	defer f.setupMu.Unlock()
	st, err := f.State()
	if err != nil {
		return err
	}
	switch st {
	case FileLegacy:
		return f.convert()
	case FileNone:
		return f.create()
	}
	return nil
}

// create makes a new store: a new identity, encrypted with a new
// passphrase, in identity.age. Creating the file is the commit: it is
// written beside and linked into place, so that two processes creating
// the store at once agree on one identity.
func (f *FileStore) create() error {
	p, err := f.chooseNewPassphrase()
	if err != nil {
		return err
	}
	id, data, err := f.newIdentity(p, "create", f.IdentityPath())
	if err != nil {
		return err
	}
	won, err := f.linkIdentity(data)
	if err != nil || !won {
		return err
	}
	f.mu.Lock()
	f.ids, f.idErr, f.passphrase, f.created = []age.Identity{id}, nil, p, true
	f.mu.Unlock()
	return nil
}

// newIdentity generates a new identity and returns it with its file's
// content, the identity encrypted with passphrase p; it also makes the
// store's directories. A failure to encrypt names op and path.
func (f *FileStore) newIdentity(p string, op, path string) (*age.X25519Identity, []byte, error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, nil, err
	}
	data, err := wrapIdentity(id, p, f.WorkFactor)
	if err != nil {
		return nil, nil, fmt.Errorf("%s %s: %w", op, path, err)
	}
	if err := f.makeDirs(); err != nil {
		return nil, nil, err
	}
	return id, data, nil
}

// makeDirs creates the config dir and the secrets dir (mode 0700) and
// checks them.
func (f *FileStore) makeDirs() error {
	if err := ensureDir(f.configDir); err != nil {
		return err
	}
	return ensureDir(f.dir)
}

// linkIdentity writes data as identity.age unless one exists: it writes a
// temporary file beside it and hard-links it into place, which fails if
// the name is taken. won is false when another process got there first.
func (f *FileStore) linkIdentity(data []byte) (won bool, err error) {
	path := f.IdentityPath()
	tmp, err := os.CreateTemp(f.dir, "."+identityFileName+"*")
	if err != nil {
		return false, fileError("write", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return false, fileError("write", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return false, fileError("write", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return false, fileError("write", path, err)
	}
	if err := tmp.Close(); err != nil {
		return false, fileError("write", path, err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return false, nil
		}
		return false, fileError("write", path, err)
	}
	syncDir(f.dir)
	return true, nil
}

// legacyContent returns secrets.age decrypted, asking for its passphrase
// (at most MaxPassphraseTries times) on the first call.
func (f *FileStore) legacyContent() (*legacyContent, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.legacy != nil {
		return f.legacy, nil
	}
	path := f.LegacyPath()
	if err := CheckDir(f.configDir); err != nil {
		return nil, err
	}
	data, _, err := readTrusted(path, MaxSecretFileSize)
	if err != nil {
		return nil, err
	}
	var c *legacyContent
	try := func(p string) error {
		var err error
		if c, err = readLegacy(path, data, p); err == nil {
			f.passphrase = p
		}
		return err
	}
	if f.passphrase != "" && try(f.passphrase) == nil {
		f.legacy = c
		return c, nil
	}
	if err := f.pass.withPassphrase(PassphraseRequest{Path: path}, try); err != nil {
		return nil, err
	}
	f.legacy = c
	return c, nil
}

// convert turns the older single file into the current layout, keeping
// its passphrase: a new identity encrypted with that passphrase, and one
// item file per item, owners kept. The items are written first (under
// their final names: without identity.age nothing reads them, and a
// conversion interrupted here starts again), identity.age is linked into
// place (the commit point: from then on the new layout is read), and only
// then is secrets.age removed. A crash after the commit leaves
// secrets.age, which nothing reads any more: doctor --fix removes it.
func (f *FileStore) convert() error {
	c, err := f.legacyContent()
	if err != nil {
		return err
	}
	f.mu.Lock()
	p := f.passphrase
	f.mu.Unlock()
	id, data, err := f.newIdentity(p, "convert", f.LegacyPath())
	if err != nil {
		return err
	}
	if err := f.removeItemFiles(); err != nil { // an interrupted conversion's
		return err
	}
	own, err := ParseRecipient(id.Recipient().String())
	if err != nil {
		return err
	}
	rs := []Recipient{own}
	hash := recipientsHash(rs)
	for service, items := range c.Services {
		for account := range items {
			name, err := itemFileName(service, account)
			if err != nil {
				return fmt.Errorf("convert %s: %w", f.LegacyPath(), err)
			}
			it, _ := c.item(service, account)
			h := itemHeader{Service: service, Owner: it.Owner, Recipients: hash}
			if err := f.writeItem(filepath.Join(f.dir, name), h, it.Values, rs); err != nil {
				return fmt.Errorf("convert %s: %w", f.LegacyPath(), err)
			}
		}
	}
	won, err := f.linkIdentity(data)
	if err != nil {
		return fmt.Errorf("convert %s: %w", f.LegacyPath(), err)
	}
	if !won {
		return nil // another process converted it meanwhile
	}
	f.mu.Lock()
	f.ids, f.idErr = []age.Identity{id}, nil
	f.mu.Unlock()
	f.step(StepConverted)
	if err := os.Remove(f.LegacyPath()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%s is converted to %s, but %w: %w", f.LegacyPath(), f.dir, ErrCleanup, fileError("remove", f.LegacyPath(), err))
	}
	_ = os.Remove(f.LegacyPath() + lockSuffix)
	return nil
}

// removeItemFiles removes every item file of the secrets dir; used only
// while identity.age does not exist, when none of them is read.
func (f *FileStore) removeItemFiles() error {
	ents, err := os.ReadDir(f.dir)
	if err != nil {
		return fileError("read", f.dir, err)
	}
	for _, e := range ents {
		if _, _, ok := parseItemFileName(e.Name()); ok && e.Type().IsRegular() {
			p := filepath.Join(f.dir, e.Name())
			if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fileError("remove", p, err)
			}
		}
	}
	return nil
}

// syncDir flushes a directory's entries to disk, best effort.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}
