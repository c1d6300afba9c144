//go:build linux

package testenv

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
)

// The encrypted file store's files: the secrets directory in the config
// dir holds the identity (encrypted with the passphrase), the recipients,
// and one age file per item; the older single-file format kept everything
// in one file in the config dir.
const (
	SecretsDirName     = "secrets"
	IdentityFileName   = "identity.age"
	RecipientsFileName = "recipients.txt"
	LegacyFileName     = "secrets.age"
)

// FileItems reads the sandbox's encrypted file store without the store
// package: it unwraps identity.age with the sandbox's passphrase in a
// process of its own (internal/testenv/ageidentity: one scrypt, done once
// per identity file and passphrase for the whole test process), then
// decrypts every item file with that identity. An item's service and
// account come from its file name, its owner from the credwiz-item stanza
// of its header, which must name the same service. No secrets directory
// means no items. Temporary files (dot files) are not items; any other
// file the harness does not understand fails the test.
func (s *Sandbox) FileItems() Items {
	s.T.Helper()
	return readFileItems(s.T, s.ConfigDir, s.Passphrase)
}

// readFileItems reads the file store of configDir with passphrase.
func readFileItems(t testing.TB, configDir, passphrase string) Items {
	t.Helper()
	dir := filepath.Join(configDir, SecretsDirName)
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		if _, err := os.Lstat(filepath.Join(configDir, LegacyFileName)); err == nil {
			t.Fatalf("%s holds the older single-file format (%s), which the harness does not read", configDir, LegacyFileName)
		}
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	type itemFile struct{ path, service, account string }
	var files []itemFile
	for _, e := range ents {
		name := e.Name()
		switch {
		case name == IdentityFileName || name == RecipientsFileName || strings.HasPrefix(name, "."):
			continue
		case !e.Type().IsRegular():
			t.Fatalf("%s: not a regular file, and not of the file store", filepath.Join(dir, name))
		}
		svc, acct, ok := ParseItemFileName(name)
		if !ok {
			t.Fatalf("%s: not an item file name of the file store (SERVICE.ACCOUNT.age, escaped)", filepath.Join(dir, name))
		}
		files = append(files, itemFile{filepath.Join(dir, name), svc, acct})
	}
	if len(files) == 0 {
		return nil
	}
	id := fileIdentity(t, filepath.Join(dir, IdentityFileName), passphrase)
	var out Items
	for _, f := range files {
		data, err := os.ReadFile(f.path)
		if errors.Is(err, os.ErrNotExist) {
			continue // deleted since the listing
		}
		if err != nil {
			t.Fatal(err)
		}
		it, err := decryptItemFile(data, id)
		if err != nil {
			t.Fatalf("%s: %v", f.path, err)
		}
		if it.Service != f.service {
			t.Fatalf("%s: its header names service %q, its file name %q", f.path, it.Service, f.service)
		}
		it.Account = f.account
		out = append(out, it)
	}
	sortItems(out)
	return out
}

// identities caches the identities unwrapped, by identity file content
// and passphrase: an identity file does not change while its store lives,
// and each unwrapping costs a scrypt.
var identities memo[[sha256.Size]byte, *age.X25519Identity]

// fileIdentity returns the identity of the identity file at path, which
// passphrase unwraps.
func fileIdentity(t testing.TB, path, passphrase string) *age.X25519Identity {
	t.Helper()
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s is missing, yet the secrets directory holds items", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	h.Write(data)
	h.Write([]byte{0})
	h.Write([]byte(passphrase))
	var key [sha256.Size]byte
	h.Sum(key[:0])
	id, err := identities.get(key, func() (*age.X25519Identity, error) { return unwrapIdentity(t, data, passphrase) })
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return id
}

// unwrapIdentity runs ageidentity on the identity file's bytes.
func unwrapIdentity(t testing.TB, data []byte, passphrase string) (*age.X25519Identity, error) {
	cmd := exec.Command(helper(t, "ageidentity"))
	cmd.Env = append(BaseEnv(), "CREDWIZ_PASSPHRASE="+passphrase)
	cmd.Stdin = bytes.NewReader(data)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("ageidentity: %v: %s", err, strings.TrimSpace(errOut.String()))
	}
	id, err := age.ParseX25519Identity(strings.TrimSpace(out.String()))
	if err != nil {
		return nil, fmt.Errorf("ageidentity printed no X25519 identity: %v", err)
	}
	return id, nil
}

// decryptItemFile decrypts an item file with id and returns its service,
// owner, values and plaintext (the Account is left to the caller). The
// header's credwiz-item stanza is read in clear first, then authenticated
// by age's header MAC while decrypting.
func decryptItemFile(data []byte, id age.Identity) (Item, error) {
	svc, owner, err := ItemHeader(data)
	if err != nil {
		return Item{}, err
	}
	r, err := age.Decrypt(bytes.NewReader(data), id)
	if err != nil {
		return Item{}, fmt.Errorf("the store's identity does not decrypt it: %v", err)
	}
	plain, err := io.ReadAll(r)
	if err != nil {
		return Item{}, fmt.Errorf("its payload does not decrypt: %v", err)
	}
	it := Item{Service: svc, Owner: owner, Raw: string(plain)}
	if json.Valid(plain) {
		it.Values = decodeValues(it.Raw)
	}
	return it, nil
}

// Items returns the items of the sandbox's secret store: for a Keychain
// sandbox, every item of its Keyring (other config dirs' included); for
// a File sandbox, its encrypted file store's (FileItems).
func (s *Sandbox) Items() Items {
	s.T.Helper()
	if s.Store == File {
		return s.FileItems()
	}
	return s.Keyring.Items(s.T)
}
