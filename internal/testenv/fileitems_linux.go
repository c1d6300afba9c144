//go:build linux

package testenv

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"filippo.io/age"
)

// AgeFileName is the encrypted file store's file in the config dir.
const AgeFileName = "secrets.age"

// fileOwnerKey is the member of a file-store item that holds its owner
// ("DIR/REV"), where the keychain uses attributes.
const fileOwnerKey = "credwiz:owner"

// FileItems decrypts the sandbox's encrypted file store with its
// passphrase (one scrypt, about a second) and returns its items, read
// without the store package. A missing file has none.
func (s *Sandbox) FileItems() Items {
	s.T.Helper()
	items, err := ReadAgeFile(filepath.Join(s.ConfigDir, AgeFileName), s.Passphrase)
	if err != nil {
		s.T.Fatal(err)
	}
	return items
}

// ReadAgeFile decrypts an encrypted file store with passphrase.
func ReadAgeFile(path, passphrase string) (Items, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	id, err := age.NewScryptIdentity(passphrase)
	if err != nil {
		return nil, err
	}
	r, err := age.Decrypt(bytes.NewReader(data), id)
	if err != nil {
		return nil, fmt.Errorf("decrypt %s: %w", path, err)
	}
	plain, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("decrypt %s: %w", path, err)
	}
	var doc struct {
		Version  int                                     `json:"version"`
		Services map[string]map[string]map[string]string `json:"services"`
	}
	if err := json.Unmarshal(plain, &doc); err != nil {
		return nil, fmt.Errorf("%s does not hold credwiz's JSON: %w", path, err)
	}
	var out Items
	for svc, accounts := range doc.Services {
		for acct, m := range accounts {
			it := Item{Service: svc, Account: acct, Values: map[string]string{}}
			for k, v := range m {
				if k == fileOwnerKey {
					dir, rev, _ := strings.Cut(v, "/")
					n, err := strconv.ParseInt(rev, 10, 64)
					if err == nil && dir != "" {
						it.Owner = Owner{Dir: dir, Rev: n}
					}
					continue
				}
				it.Values[k] = v
			}
			raw, _ := json.Marshal(it.Values)
			it.Raw = string(raw)
			out = append(out, it)
		}
	}
	sortItems(out)
	return out, nil
}

// Items returns the items of the sandbox's secret store: for a Keychain
// sandbox, every item of its Keyring (other config dirs' included); for
// a File sandbox, the decrypted file's.
func (s *Sandbox) Items() Items {
	s.T.Helper()
	if s.Store == File {
		return s.FileItems()
	}
	return s.Keyring.Items(s.T)
}

// ReadFileTB is os.ReadFile that fails t on an error other than a missing
// file (nil then).
func ReadFileTB(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return b
}
