package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"filippo.io/age"

	"github.com/credwiz/credwiz/internal/kernelkeyring"
)

// DefaultUnlockFor is how long Unlock keeps the store open when asked for
// no duration.
const DefaultUnlockFor = 15 * time.Minute

// ErrNoSession: the system has no kernel keyring credwiz can keep an
// unlocked identity in (not Linux, or the keyctl calls are blocked).
var ErrNoSession = kernelkeyring.ErrUnsupported

// ready returns identity.age, or an error saying the store does not exist
// yet.
func (f *FileStore) ready() (identityFile, error) {
	idf, err := f.identityFile()
	if !errors.Is(err, os.ErrNotExist) {
		return idf, err
	}
	st, serr := f.State()
	if serr == nil && st == FileLegacy {
		return idf, fmt.Errorf("%s is in the older single-file format, which the first write converts: add or edit a credential first (or run credwiz doctor)", f.LegacyPath())
	}
	return idf, noStoreError{f.configDir}
}

// noStoreError says that the file store does not exist yet; it wraps
// os.ErrNotExist.
type noStoreError struct{ dir string }

func (e noStoreError) Error() string {
	return fmt.Sprintf("there is no encrypted file store in %s yet: the first credwiz add creates it", e.dir)
}

func (e noStoreError) Unwrap() error { return os.ErrNotExist }

// Unlock decrypts the identity with the passphrase (asked as needed) and
// keeps it in the Linux kernel keyring (a "user" key in the session
// keyring, never on disk) for d, so that later commands read secrets
// without asking. Unlocking again restarts the timeout. It returns the
// time the session ends.
func (f *FileStore) Unlock(d time.Duration) (time.Time, error) {
	if d <= 0 {
		d = DefaultUnlockFor
	}
	if err := kernelkeyring.Available(); err != nil {
		return time.Time{}, err
	}
	idf, err := f.ready()
	if err != nil {
		return time.Time{}, err
	}
	f.mu.Lock()
	id, err := f.unwrapWithPassphrase(idf)
	f.mu.Unlock()
	if err != nil {
		return time.Time{}, err
	}
	payload := []byte(id.String())
	defer clear(payload)
	until := time.Now().Add(d)
	if _, err := kernelkeyring.Put(sessionDescription(idf.PublicKey), payload, d); err != nil {
		return time.Time{}, err
	}
	// The kernel says the time left in whole units only ("7h" for 7h59m):
	// the deadline, kept beside it for as long, says it to the second.
	_, _ = kernelkeyring.Put(sessionUntilDescription(idf.PublicKey), []byte(until.UTC().Format(time.RFC3339)), d)
	return until, nil
}

// Lock forgets the session Unlock opened; ok is false when there was none.
func (f *FileStore) Lock() (ok bool, err error) {
	idf, err := f.ready()
	if err != nil {
		return false, err
	}
	f.mu.Lock()
	f.ids, f.idErr = nil, nil
	f.mu.Unlock()
	_ = kernelkeyring.Remove(sessionUntilDescription(idf.PublicKey))
	err = kernelkeyring.Remove(sessionDescription(idf.PublicKey))
	if errors.Is(err, kernelkeyring.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Session says whether an unlocked session is open, and for how long
// still (left is 0 when not known).
func (f *FileStore) Session() (open bool, left time.Duration, err error) {
	idf, err := f.identityFile()
	if errors.Is(err, os.ErrNotExist) {
		return false, 0, nil
	}
	if err != nil {
		return false, 0, err
	}
	if sessionIdentity(idf.PublicKey) == nil {
		return false, 0, nil
	}
	left, _, _ = kernelkeyring.Remaining(sessionDescription(idf.PublicKey))
	if b, err := kernelkeyring.Get(sessionUntilDescription(idf.PublicKey)); err == nil {
		if until, err := time.Parse(time.RFC3339, string(b)); err == nil {
			if exact := time.Until(until); exact > 0 && (left == 0 || exact >= left) {
				left = exact
			}
		}
	}
	return true, left, nil
}

// sessionUntilDescription names the kernel key that holds the deadline of
// the session of the identity whose public key is pub.
func sessionUntilDescription(pub string) string { return "credwiz-until:" + pub }

// ChangePassphrase re-encrypts the identity with a new passphrase: the
// current one is asked as needed (an unlocked session does not count: the
// operator proves they know it), then newPass is called for the new one.
// Only identity.age changes, atomically; items and sessions stay valid.
func (f *FileStore) ChangePassphrase(newPass func() (string, error)) error {
	idf, err := f.ready()
	if err != nil {
		return err
	}
	path := f.IdentityPath()
	var id *age.X25519Identity
	err = f.pass.withPassphrase(PassphraseRequest{Path: path}, func(p string) error {
		var err error
		id, err = unwrapIdentity(path, idf, p)
		return err
	})
	if err != nil {
		return err
	}
	p, err := newPass()
	if err != nil {
		return err
	}
	if p == "" {
		return errors.New("the new passphrase is empty: choose one")
	}
	data, err := wrapIdentity(id, p, f.WorkFactor)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o200 == 0 {
		return readOnlyError(path)
	}
	if err := replaceFile(path, data); err != nil {
		return err
	}
	f.mu.Lock()
	f.passphrase = p
	f.mu.Unlock()
	return nil
}

// Recipients returns the store's recipients, its own identity first.
func (f *FileStore) Recipients() ([]Recipient, error) {
	if _, err := f.ready(); err != nil {
		return nil, err
	}
	return f.recipients()
}

// Stale returns the item files (path → service and account) not
// encrypted to the current recipients: left by an interrupted change of
// recipients.
func (f *FileStore) Stale() ([]string, error) {
	rs, err := f.Recipients()
	if err != nil {
		return nil, err
	}
	want := recipientsHash(rs)
	var out []string
	err = f.eachItem(func(path string, _ fileSection, h itemHeader) error {
		if h.Recipients != want {
			out = append(out, path)
		}
		return nil
	})
	return out, err
}

// eachItem calls fn for every item file of the store with its header.
func (f *FileStore) eachItem(fn func(path string, s fileSection, h itemHeader) error) error {
	ents, err := os.ReadDir(f.dir)
	if err != nil {
		return fileError("read", f.dir, err)
	}
	for _, e := range ents {
		svc, _, ok := parseItemFileName(e.Name())
		if !ok || !e.Type().IsRegular() {
			continue
		}
		s := fileSection{f: f, service: svc}
		path := filepath.Join(f.dir, e.Name())
		h, err := s.readHeader(path)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if err := fn(path, s, h); err != nil {
			return err
		}
	}
	return nil
}

// RecipientsChange is what ChangeRecipients did.
type RecipientsChange struct {
	// Added and Removed are the keys that changed: set only once the
	// recipients list holding the change is written.
	Added, Removed []Recipient
	// Reencrypted counts the items encrypted anew.
	Reencrypted int
}

// ChangeRecipients adds and removes recipients of the file store, then
// encrypts anew every item not encrypted to the resulting set, all under
// the index lock (no write runs meanwhile). It decrypts those items
// first: when the identity in use cannot read one of them (a key of
// CREDWIZ_IDENTITY_FILE that is not a recipient yet), an addition is
// refused with nothing changed, since the new key would get a list entry
// but not the secrets. A removal goes ahead whatever it could decrypt
// (revoking a key matters more), and so does a sync. recipients.txt then
// changes, so writes after it use the new set; an interruption leaves
// items encrypted to the old set, which the next call (even with nothing
// to add or remove: a sync) finishes. It needs the identity (the
// passphrase, an unlocked session or CREDWIZ_IDENTITY_FILE), resolved
// before the lock is taken. The store's own identity cannot be removed.
func (s *Store) ChangeRecipients(ctx context.Context, add []Recipient, remove []string) (RecipientsChange, error) {
	var ch RecipientsChange
	f := s.File
	if f == nil {
		return ch, fmt.Errorf("recipients are the encrypted file store's, and this config dir uses the %s store: %w", s.Kind, ErrStoreMismatch)
	}
	if _, err := f.ready(); err != nil {
		return ch, err
	}
	if _, err := f.identities(); err != nil {
		return ch, err
	}
	err := s.Index.Update(ctx, func(tx *Tx) error {
		cur, err := f.recipients()
		if err != nil {
			return err
		}
		next, added, removed, err := applyRecipients(cur, add, remove)
		if err != nil {
			return err
		}
		items, unread, err := f.decryptStale(recipientsHash(next))
		if err != nil {
			return err
		}
		if unread != nil && len(added) > 0 && len(removed) == 0 {
			return f.refuseAdd(unread)
		}
		if len(added)+len(removed) > 0 {
			if err := replaceFile(f.RecipientsPath(), formatRecipientsFile(next)); err != nil {
				return err
			}
			ch.Added, ch.Removed = added, removed
			s.step(StepRecipientsWritten)
		}
		n, err := f.reencrypt(items, next)
		ch.Reencrypted = n
		return errors.Join(unread, err)
	})
	return ch, err
}

// refuseAdd is the error of an addition refused because unread items
// could not be decrypted.
func (f *FileStore) refuseAdd(unread error) error {
	n := countErrors(unread)
	if errors.Is(unread, ErrNotRecipient) {
		return fmt.Errorf("nothing was changed: %s cannot decrypt %d of the secrets (%w), so they could not be encrypted to the new key too; add it where the store opens with its passphrase or credwiz unlock, without CREDWIZ_IDENTITY_FILE",
			f.identityInUse(), n, ErrNotRecipient)
	}
	return fmt.Errorf("nothing was changed: %d of the secrets could not be decrypted, so they could not be encrypted to the new key too: %w", n, firstError(unread))
}

// identityInUse names the identity the store decrypts with, for messages.
func (f *FileStore) identityInUse() string {
	if f.idFile != "" {
		return "the key of CREDWIZ_IDENTITY_FILE (" + f.idFile + ")"
	}
	return "this store's identity"
}

// countErrors counts the errors joined in err.
func countErrors(err error) int {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return len(j.Unwrap())
	}
	if err != nil {
		return 1
	}
	return 0
}

// firstError returns the first of the errors joined in err.
func firstError(err error) error {
	if j, ok := err.(interface{ Unwrap() []error }); ok && len(j.Unwrap()) > 0 {
		return j.Unwrap()[0]
	}
	return err
}

// staleItem is an item to encrypt anew, decrypted.
type staleItem struct {
	path   string
	header itemHeader
	values map[string]string
}

// decryptStale decrypts every item whose header says it was encrypted to
// another set than want. Items the identities cannot decrypt, or that
// are damaged, are left out and reported in unread; err is for a store
// that cannot be read at all.
func (f *FileStore) decryptStale(want string) (items []staleItem, unread, err error) {
	ids, err := f.identities()
	if err != nil {
		return nil, nil, err
	}
	var errs []error
	err = f.eachItem(func(path string, _ fileSection, h itemHeader) error {
		if h.Recipients == want {
			return nil
		}
		data, _, err := readTrusted(path, maxItemSize)
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		dh, values, err := decryptItem(data, ids)
		switch {
		case errors.Is(err, errNoIdentity):
			errs = append(errs, f.notRecipient(path))
		case err != nil:
			errs = append(errs, &CorruptError{Path: path, Err: err})
		default:
			items = append(items, staleItem{path: path, header: dh, values: values})
		}
		return nil
	})
	return items, errors.Join(errs...), err
}

// applyRecipients returns cur with add added and remove removed, and what
// actually changed.
func applyRecipients(cur, add []Recipient, remove []string) (next, added, removed []Recipient, err error) {
	next = append([]Recipient(nil), cur...)
	for _, key := range remove {
		r, err := ParseRecipient(key)
		if err != nil {
			return nil, nil, nil, err
		}
		i := indexRecipient(next, r.Key)
		switch {
		case i < 0:
			return nil, nil, nil, fmt.Errorf("%s is not a recipient of this store (credwiz recipients list shows them)", clip(r.Key, 40))
		case next[i].Own:
			return nil, nil, nil, errors.New("the store's own identity cannot be removed: it is what the passphrase and credwiz unlock open")
		}
		removed = append(removed, next[i])
		next = append(next[:i], next[i+1:]...)
	}
	for _, r := range add {
		if indexRecipient(next, r.Key) >= 0 {
			continue
		}
		next = append(next, r)
		added = append(added, r)
	}
	return next, added, removed, nil
}

func indexRecipient(rs []Recipient, key string) int {
	for i, r := range rs {
		if r.Key == key {
			return i
		}
	}
	return -1
}

// reencrypt writes items anew, encrypted to rs, keeping their values
// and owners; it returns how many it wrote.
func (f *FileStore) reencrypt(items []staleItem, rs []Recipient) (int, error) {
	want := recipientsHash(rs)
	n := 0
	var errs []error
	for _, it := range items {
		h := it.header
		h.Recipients = want
		if err := f.writeItem(it.path, h, it.values, rs); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
		f.step(StepReencrypted)
	}
	return n, errors.Join(errs...)
}

// replaceFile writes data as path atomically (mode 0600).
func replaceFile(path string, data []byte) error {
	pf, err := newPendingFile(path)
	if err != nil {
		return fileError("write", path, err)
	}
	defer func() { _ = pf.Cleanup() }()
	if _, err := pf.Write(data); err != nil {
		return fileError("write", path, err)
	}
	if err := pf.CloseAtomicallyReplace(); err != nil {
		return fileError("write", path, err)
	}
	return nil
}
