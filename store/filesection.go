package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// OwnerReader is implemented by Secrets that can tell an item's owner
// without reading its values (which may need a key the process does not
// have, as the encrypted file store's do). Store uses it where it needs
// only the owner: before a delete, and to decide whether an item is this
// config dir's.
type OwnerReader interface {
	// Owner returns the owner of the item saved under account, or an
	// error wrapping ErrNotFound.
	Owner(account string) (Owner, error)
}

// Copier is implemented by Secrets that can copy an item to another
// account as it is (values and owner) without reading its values. Store
// uses it to rename a credential whose secret does not change.
type Copier interface {
	// Copy saves the item of account from under account to, replacing
	// what was there; an absent from is an error wrapping ErrNotFound.
	Copy(from, to string) error
}

// Prober is implemented by Secrets that can tell whether they work
// without reading an item. Probe uses it.
type Prober interface {
	// Probe returns nil when the store can be used.
	Probe() error
}

// fileSection is one service's Secrets in a FileStore.
type fileSection struct {
	f       *FileStore
	service string
}

// path returns the item file of account.
func (s *fileSection) path(account string) (string, error) {
	name, err := itemFileName(s.service, account)
	if err != nil {
		return "", err
	}
	return filepath.Join(s.f.dir, name), nil
}

// Get returns the item saved under account: its file is read and its
// header checked before any identity is looked for, so a missing item
// never asks for the passphrase.
func (s *fileSection) Get(account string) (Item, error) {
	st, err := s.f.State()
	if err != nil {
		return Item{}, err
	}
	if st == FileLegacy {
		return s.f.legacyItem(s.service, account)
	}
	path, err := s.path(account)
	if err != nil {
		return Item{}, err
	}
	data, _, err := readTrusted(path, maxItemSize)
	if errors.Is(err, os.ErrNotExist) {
		return Item{}, notFoundSecret(account)
	}
	if err != nil {
		return Item{}, err
	}
	clearHeader, err := s.header(path, bytes.NewReader(data))
	if err != nil {
		return Item{}, err
	}
	ids, err := s.f.identities()
	if err != nil {
		return Item{}, err
	}
	h, values, err := decryptItem(data, ids)
	switch {
	case errors.Is(err, errNoIdentity):
		return Item{}, s.f.noIdentityError(path, clearHeader)
	case err != nil:
		return Item{}, &CorruptError{Path: path, Err: err}
	case h.Service != s.service:
		return Item{}, &CorruptError{Path: path, Err: fmt.Errorf("it holds an item of service %q", h.Service)}
	}
	return Item{Values: values, Owner: h.Owner}, nil
}

// header reads and checks the clear header of the item file at path.
func (s *fileSection) header(path string, r interface{ Read([]byte) (int, error) }) (itemHeader, error) {
	h, err := readItemHeader(r)
	if err != nil {
		return itemHeader{}, &CorruptError{Path: path, Err: err}
	}
	if h.Service != s.service {
		return itemHeader{}, &CorruptError{Path: path, Err: fmt.Errorf("it holds an item of service %q", h.Service)}
	}
	return h, nil
}

// Set saves it under account, encrypted to every recipient. It needs no
// passphrase, except to create the store (a new passphrase) or convert
// the older single file (its passphrase).
func (s *fileSection) Set(account string, it Item) error {
	path, err := s.path(account)
	if err != nil {
		return err
	}
	rs, err := s.f.writeRecipients()
	if err != nil {
		return err
	}
	return s.f.writeItem(path, itemHeader{Service: s.service, Owner: it.Owner, Recipients: recipientsHash(rs)}, it.Values, rs)
}

// writeItem encrypts values into the item file at path, atomically.
func (f *FileStore) writeItem(path string, h itemHeader, values map[string]string, rs []Recipient) error {
	pf, err := newPendingFile(path)
	if err != nil {
		return fileError("write", path, err)
	}
	defer func() { _ = pf.Cleanup() }()
	if err := encryptItem(pf, h, values, ageRecipients(rs)); err != nil {
		return fileError("write", path, err)
	}
	if err := pf.CloseAtomicallyReplace(); err != nil {
		return fileError("write", path, err)
	}
	return nil
}

// Delete removes account's item file.
func (s *fileSection) Delete(account string) error {
	st, err := s.f.State()
	if err != nil {
		return err
	}
	if st == FileLegacy {
		if _, err := s.f.legacyItem(s.service, account); err != nil {
			return err
		}
		if _, err := s.f.writeRecipients(); err != nil { // converts
			return err
		}
	}
	path, err := s.path(account)
	if err != nil {
		return err
	}
	if st == FileNone {
		return notFoundSecret(account)
	}
	if err := os.Remove(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return notFoundSecret(account)
		}
		return fileError("remove", path, err)
	}
	return nil
}

// Owner returns the owner of account's item from its clear header.
func (s *fileSection) Owner(account string) (Owner, error) {
	st, err := s.f.State()
	if err != nil {
		return Owner{}, err
	}
	if st == FileLegacy {
		it, err := s.f.legacyItem(s.service, account)
		return it.Owner, err
	}
	path, err := s.path(account)
	if err != nil {
		return Owner{}, err
	}
	h, err := s.readHeader(path)
	if errors.Is(err, os.ErrNotExist) {
		return Owner{}, notFoundSecret(account)
	}
	return h.Owner, err
}

// readHeader opens the item file at path and reads its header.
func (s *fileSection) readHeader(path string) (itemHeader, error) {
	file, _, err := openTrusted(path)
	if err != nil {
		return itemHeader{}, err
	}
	defer file.Close()
	return s.header(path, file)
}

// Copy copies from's item file to to's as it is.
func (s *fileSection) Copy(from, to string) error {
	if _, err := s.f.writeRecipients(); err != nil { // creates or converts the store
		return err
	}
	src, err := s.path(from)
	if err != nil {
		return err
	}
	dst, err := s.path(to)
	if err != nil {
		return err
	}
	data, _, err := readTrusted(src, maxItemSize)
	if errors.Is(err, os.ErrNotExist) {
		return notFoundSecret(from)
	}
	if err != nil {
		return err
	}
	if _, err := s.header(src, bytes.NewReader(data)); err != nil {
		return err
	}
	return replaceFile(dst, data)
}

// List returns every item of the service with its owner, from the clear
// headers: no identity is needed.
func (s *fileSection) List() ([]Listed, error) {
	st, err := s.f.State()
	if err != nil {
		return nil, err
	}
	switch st {
	case FileNone:
		return nil, nil
	case FileLegacy:
		return s.f.legacyList(s.service)
	}
	ents, err := os.ReadDir(s.f.dir)
	if err != nil {
		return nil, fileError("read", s.f.dir, err)
	}
	var out []Listed
	for _, e := range ents {
		svc, acct, ok := parseItemFileName(e.Name())
		if !ok || svc != s.service || !e.Type().IsRegular() {
			continue
		}
		h, err := s.readHeader(filepath.Join(s.f.dir, e.Name()))
		if errors.Is(err, os.ErrNotExist) {
			continue // deleted meanwhile
		}
		if err != nil {
			return nil, err
		}
		out = append(out, Listed{Account: acct, Owner: h.Owner})
	}
	return out, nil
}

// Probe checks the store without reading an item: the directories, and
// identity.age and recipients.txt when they exist. It needs no
// passphrase.
func (s *fileSection) Probe() error {
	st, err := s.f.State()
	if err != nil || st != FileReady {
		return err
	}
	_, err = s.f.recipients()
	return err
}

// noIdentityError explains an item none of the identities in use
// decrypts: those identities are not recipients of the store at all; or
// the item was encrypted to the current recipients, which include them,
// so it is damaged; or it was encrypted to an older set of recipients.
func (f *FileStore) noIdentityError(path string, h itemHeader) error {
	rs, err := f.recipients()
	if err != nil {
		return err
	}
	keys := f.identityKeys()
	known := false
	for _, k := range keys {
		known = known || indexRecipient(rs, k) >= 0
	}
	switch {
	case !known && f.idFile != "":
		return fmt.Errorf("%s is %w: the key of CREDWIZ_IDENTITY_FILE (%s) is not a recipient of this store: add its public key with credwiz recipients add where the store can be unlocked", path, ErrNotRecipient, f.idFile)
	case h.Recipients == recipientsHash(rs):
		return &CorruptError{Path: path, Err: errors.New("it was encrypted to this store's recipients, yet none of them opens it")}
	}
	return f.notRecipient(path)
}

// notRecipient is the error for an item encrypted to an older set of
// recipients that does not include the identity in use.
func (f *FileStore) notRecipient(path string) error {
	return fmt.Errorf("%s is %w (%s): it was written before that key became a recipient: run credwiz recipients sync where the store can be unlocked",
		path, ErrNotRecipient, f.identityInUse())
}

// legacyList lists service's items of the older single file.
func (f *FileStore) legacyList(service string) ([]Listed, error) {
	c, err := f.legacyContent()
	if err != nil {
		return nil, err
	}
	var out []Listed
	for _, acct := range sortedKeys(c.Services[service]) {
		it, _ := c.item(service, acct)
		out = append(out, Listed{Account: acct, Owner: it.Owner})
	}
	return out, nil
}

// legacyItem returns service's item account of the older single file.
func (f *FileStore) legacyItem(service, account string) (Item, error) {
	c, err := f.legacyContent()
	if err != nil {
		return Item{}, err
	}
	it, ok := c.item(service, account)
	if !ok {
		return Item{}, notFoundSecret(account)
	}
	return it, nil
}
