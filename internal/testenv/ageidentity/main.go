// Command ageidentity prints the age identity that the encrypted file
// store keeps in identity.age under the passphrase, for credwiz's tests:
// the harness decrypts the store's items with it, without credwiz's store
// package, and unwraps it in a process of its own because the race
// detector the tests run under makes scrypt about eight times slower.
//
//	CREDWIZ_PASSPHRASE=… ageidentity < SECRETS_DIR/identity.age
//
// identity.age is three lines of text (the magic line, "public-key
// age1…", "sha256 HEX" over the first two lines and the rest) followed by
// an age file encrypted with the passphrase (scrypt) whose plaintext is an
// age identity file holding the one X25519 identity of that public key.
// ageidentity checks all of that and prints the identity
// ("AGE-SECRET-KEY-1…") on stdout; anything wrong is one line on stderr
// and exit 1. The passphrase comes from the environment, never the
// command line.
package main

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"filippo.io/age"
)

// Caps: the identity file is a few hundred bytes.
const (
	maxFileSize   = 64 << 10
	maxWorkFactor = 22
	identityMagic = "credwiz-identity v1"
)

func main() {
	if len(os.Args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: CREDWIZ_PASSPHRASE=… ageidentity < identity.age")
		os.Exit(2)
	}
	id, err := unwrap(os.Stdin, os.Getenv("CREDWIZ_PASSPHRASE"))
	if err != nil {
		fmt.Fprintf(os.Stderr, "ageidentity: identity.age: %v\n", err)
		os.Exit(1)
	}
	fmt.Println(id)
}

// unwrap reads an identity file from r and returns its identity.
func unwrap(r io.Reader, passphrase string) (*age.X25519Identity, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("larger than %d bytes", maxFileSize)
	}
	pub, payload, err := parse(data)
	if err != nil {
		return nil, err
	}
	sid, err := age.NewScryptIdentity(passphrase)
	if err != nil {
		return nil, err
	}
	sid.SetMaxWorkFactor(maxWorkFactor)
	pr, err := age.Decrypt(bytes.NewReader(payload), sid)
	if err != nil {
		return nil, fmt.Errorf("the passphrase does not open it: %w", err)
	}
	text, err := io.ReadAll(io.LimitReader(pr, maxFileSize))
	if err != nil {
		return nil, fmt.Errorf("its payload does not decrypt: %w", err)
	}
	ids, err := age.ParseIdentities(bytes.NewReader(text))
	if err != nil {
		return nil, fmt.Errorf("its plaintext is not an age identity file: %w", err)
	}
	if len(ids) != 1 {
		return nil, fmt.Errorf("it holds %d identities, not 1", len(ids))
	}
	id, ok := ids[0].(*age.X25519Identity)
	if !ok {
		return nil, fmt.Errorf("it holds a %T, not an X25519 identity", ids[0])
	}
	if got := id.Recipient().String(); got != pub {
		return nil, fmt.Errorf("its identity is of %s, its public-key line says %s", got, pub)
	}
	return id, nil
}

// parse checks the three lines of text and returns the public key and
// the age file behind them.
func parse(data []byte) (pub string, payload []byte, err error) {
	var lines [3]string
	rest := data
	for i := range lines {
		line, after, ok := bytes.Cut(rest, []byte{'\n'})
		if !ok {
			return "", nil, errors.New("cut short before its age file")
		}
		lines[i], rest = string(line), after
	}
	if lines[0] != identityMagic {
		return "", nil, fmt.Errorf("first line %q, want %q", lines[0], identityMagic)
	}
	pub, ok := strings.CutPrefix(lines[1], "public-key ")
	if !ok {
		return "", nil, errors.New("no public-key line")
	}
	sum, ok := strings.CutPrefix(lines[2], "sha256 ")
	if !ok {
		return "", nil, errors.New("no sha256 line")
	}
	// The sum covers the two lines above it and the age file.
	covered := append([]byte(lines[0]+"\n"+lines[1]+"\n"), rest...)
	if got := fmt.Sprintf("%x", sha256.Sum256(covered)); got != sum {
		return "", nil, fmt.Errorf("checksum %s, its sha256 line says %s", got, sum)
	}
	if _, err := age.ParseX25519Recipient(pub); err != nil {
		return "", nil, fmt.Errorf("public key %q: %w", pub, err)
	}
	return pub, rest, nil
}
