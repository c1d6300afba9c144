package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"filippo.io/age"
)

// AgeFileName is the encrypted file store of credwiz before per-item
// files: one age file encrypted with the passphrase (scrypt), holding
// every item as JSON. credwiz reads it, and converts it to the current
// layout (keeping its passphrase) on the first write; it never writes it.
const AgeFileName = "secrets.age"

// legacyContent is the plaintext of secrets.age: service → account →
// values, the owner kept in the values' reserved ownerKey member.
type legacyContent struct {
	Version  int                                     `json:"version"`
	Services map[string]map[string]map[string]string `json:"services"`
}

// legacyVersion is the newest plaintext schema of secrets.age.
const legacyVersion = 1

// readLegacy decrypts secrets.age's bytes with passphrase. A passphrase
// that does not open it is an error wrapping ErrWrongPassphrase (the file
// has no checksum, so one flipped byte of its header cannot be told from a
// wrong passphrase: the message says both); anything else wrong is a
// *CorruptError.
func readLegacy(path string, data []byte, passphrase string) (*legacyContent, error) {
	defer releaseScrypt()
	sid, err := age.NewScryptIdentity(passphrase)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	sid.SetMaxWorkFactor(maxWorkFactor)
	r, err := age.Decrypt(bytes.NewReader(data), sid)
	if errors.Is(err, age.ErrIncorrectIdentity) {
		return nil, fmt.Errorf("open %s: %w (or its header is damaged: this older file has no checksum to tell)", path, ErrWrongPassphrase)
	}
	if err != nil {
		return nil, &CorruptError{Path: path, Err: err}
	}
	plain, err := io.ReadAll(io.LimitReader(r, MaxSecretFileSize))
	defer clear(plain)
	if err != nil {
		return nil, &CorruptError{Path: path, Err: err}
	}
	c := new(legacyContent)
	if err := json.Unmarshal(plain, c); err != nil {
		// The decoder's message could quote a secret: leave it out.
		return nil, &CorruptError{Path: path, Err: errors.New("the decrypted content is not valid JSON")}
	}
	if c.Version > legacyVersion {
		return nil, fmt.Errorf("%s has schema version %d, %w (this one reads version %d): upgrade credwiz; this version will not change the file",
			path, c.Version, ErrNewerVersion, legacyVersion)
	}
	return c, nil
}

// item returns service's item account of c.
func (c *legacyContent) item(service, account string) (Item, bool) {
	v, ok := c.Services[service][account]
	if !ok {
		return Item{}, false
	}
	m := make(map[string]string, len(v))
	for k, x := range v {
		m[k] = x
	}
	values, o := splitOwner(m)
	return Item{Values: values, Owner: o}, true
}
