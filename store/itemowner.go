package store

import "errors"

// itemOwner returns the owner of the item saved under account, reading
// only the owner where the backend can (an OwnerReader), else the item.
func (s *Store) itemOwner(account string) (Owner, error) {
	if r, ok := s.Secrets.(OwnerReader); ok {
		return r.Owner(account)
	}
	it, err := s.Secrets.Get(account)
	return it.Owner, err
}

// ItemOwner returns the owner of sec's item account without reading its
// values where sec can (an OwnerReader), else by reading it.
func ItemOwner(sec Secrets, account string) (Owner, error) {
	if r, ok := sec.(OwnerReader); ok {
		return r.Owner(account)
	}
	it, err := sec.Get(account)
	return it.Owner, err
}

// copySource returns the account whose item a rename of c may copy as it
// is (a Copier backend, the item this config dir's and of owner
// {id, rev}): then the secret is never decrypted. ok is false when the
// item must be read and written anew.
func (s *Store) copySource(id string, c Credential, rev int64) (account string, ok bool) {
	if _, isCopier := s.Secrets.(Copier); !isCopier {
		return "", false
	}
	if _, isReader := s.Secrets.(OwnerReader); !isReader {
		return "", false
	}
	account = c.secretAccount()
	o, err := s.itemOwner(account)
	if errors.Is(err, ErrNotFound) && c.SecretItem != "" {
		account = c.Name // settled since c was read
		o, err = s.itemOwner(account)
	}
	if err != nil || checkItemOwner(c, o, id) != nil || o != (Owner{Dir: id, Rev: rev}) {
		return "", false
	}
	return account, true
}
