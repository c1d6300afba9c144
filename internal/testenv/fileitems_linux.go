//go:build linux

package testenv

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// AgeFileName is the encrypted file store's file in the config dir.
const AgeFileName = "secrets.age"

// fileOwnerKey is the member of a file-store item that holds its owner
// ("DIR/REV"), where the keychain uses attributes.
const fileOwnerKey = "credwiz:owner"

// FileItems decrypts the sandbox's encrypted file store with its
// passphrase (one scrypt, about a second, in a process of its own) and
// returns its items, read without the store package. A missing file has
// none.
func (s *Sandbox) FileItems() Items {
	s.T.Helper()
	path := filepath.Join(s.ConfigDir, AgeFileName)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	cmd := exec.Command(helper(s.T, "agedecrypt"), path)
	cmd.Env = append(BaseEnv(), "CREDWIZ_PASSPHRASE="+s.Passphrase)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		s.T.Fatalf("decrypt %s: %v: %s", path, err, errOut.String())
	}
	items, err := parseAgeContent(out.Bytes())
	if err != nil {
		s.T.Fatalf("%s: %v", path, err)
	}
	return items
}

// parseAgeContent reads the decrypted content of the file store.
func parseAgeContent(plain []byte) (Items, error) {
	var doc struct {
		Version  int                                     `json:"version"`
		Services map[string]map[string]map[string]string `json:"services"`
	}
	if err := json.Unmarshal(plain, &doc); err != nil {
		return nil, fmt.Errorf("not credwiz's JSON: %w", err)
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
