package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"

	"filippo.io/age"
)

// The identity file, identity.age in the secrets directory, holds the
// store's age X25519 identity encrypted with the passphrase (scrypt: the
// only scrypt of the file store). It is an age file behind three lines of
// text:
//
//	credwiz-identity v1
//	public-key age1…
//	sha256 HEX
//
// The public key lets writers encrypt without the passphrase and find an
// unlocked session; the checksum (SHA-256 of the first two lines and the
// age file) tells a damaged file from a wrong passphrase, which scrypt
// alone cannot: one flipped byte of its salt looks exactly like another
// passphrase. `tail -n +4 identity.age | age -d` prints the identity.
const (
	identityFileName = "identity.age"
	identityMagic    = "credwiz-identity v1"
	// maxIdentitySize caps identity.age.
	maxIdentitySize = 64 << 10
)

// DefaultWorkFactor is the scrypt work factor (log2 of N) of a new
// identity file: age's default, about a second and 256 MiB.
const DefaultWorkFactor = 18

// maxWorkFactor is the largest work factor credwiz reads (age's default
// cap): a file asking for more is damaged or hostile.
const maxWorkFactor = 22

// identityFile is identity.age, parsed.
type identityFile struct {
	// PublicKey is the identity's recipient, "age1…".
	PublicKey string
	// Payload is the age file (scrypt).
	Payload []byte
}

// encodeIdentityFile returns the bytes of identity.age.
func encodeIdentityFile(f identityFile) []byte {
	head := identityMagic + "\npublic-key " + f.PublicKey + "\n"
	sum := sha256.New()
	sum.Write([]byte(head))
	sum.Write(f.Payload)
	var b bytes.Buffer
	b.WriteString(head)
	b.WriteString("sha256 " + hex.EncodeToString(sum.Sum(nil)) + "\n")
	b.Write(f.Payload)
	return b.Bytes()
}

// decodeIdentityFile parses identity.age's bytes; anything wrong is a
// *CorruptError.
func decodeIdentityFile(path string, data []byte) (identityFile, error) {
	damaged := func(why string) (identityFile, error) {
		return identityFile{}, &CorruptError{Path: path, Err: errors.New(why)}
	}
	rest := data
	var lines [3]string
	for i := range lines {
		line, after, ok := bytes.Cut(rest, []byte{'\n'})
		if !ok {
			return damaged("it is cut short")
		}
		lines[i], rest = string(line), after
	}
	if lines[0] != identityMagic {
		return damaged("it does not start with " + identityMagic + " (not a credwiz identity file)")
	}
	pub, ok := strings.CutPrefix(lines[1], "public-key ")
	if !ok {
		return damaged("its public-key line is missing")
	}
	sum, ok := strings.CutPrefix(lines[2], "sha256 ")
	if !ok {
		return damaged("its checksum line is missing")
	}
	h := sha256.New()
	h.Write([]byte(lines[0] + "\n" + lines[1] + "\n"))
	h.Write(rest)
	if hex.EncodeToString(h.Sum(nil)) != sum {
		return damaged("its checksum does not match its content (changed or corrupted on disk; a wrong passphrase cannot cause this)")
	}
	if _, err := age.ParseX25519Recipient(pub); err != nil {
		return damaged("its public key is not an age X25519 recipient")
	}
	return identityFile{PublicKey: pub, Payload: rest}, nil
}

// wrapIdentity encrypts id with passphrase at work factor wf (0 means
// DefaultWorkFactor) and returns identity.age's bytes.
func wrapIdentity(id *age.X25519Identity, passphrase string, wf int) ([]byte, error) {
	defer releaseScrypt()
	r, err := age.NewScryptRecipient(passphrase)
	if err != nil {
		return nil, err
	}
	if wf <= 0 {
		wf = DefaultWorkFactor
	}
	r.SetWorkFactor(wf)
	pub := id.Recipient().String()
	var payload bytes.Buffer
	w, err := age.Encrypt(&payload, r)
	if err != nil {
		return nil, err
	}
	text := fmt.Sprintf("# created: %s\n# public key: %s\n%s\n", time.Now().UTC().Format(time.RFC3339), pub, id)
	if _, err := io.WriteString(w, text); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return encodeIdentityFile(identityFile{PublicKey: pub, Payload: payload.Bytes()}), nil
}

// unwrapIdentity decrypts identity.age with passphrase. A passphrase that
// does not open it is an error wrapping ErrWrongPassphrase; a file whose
// content is not what it should be, a *CorruptError.
func unwrapIdentity(path string, f identityFile, passphrase string) (*age.X25519Identity, error) {
	defer releaseScrypt()
	sid, err := age.NewScryptIdentity(passphrase)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	sid.SetMaxWorkFactor(maxWorkFactor)
	r, err := age.Decrypt(bytes.NewReader(f.Payload), sid)
	if errors.Is(err, age.ErrIncorrectIdentity) {
		return nil, fmt.Errorf("open %s: %w", path, ErrWrongPassphrase)
	}
	if err != nil {
		return nil, &CorruptError{Path: path, Err: fmt.Errorf("it does not decrypt (%v)", err)}
	}
	plain, err := io.ReadAll(io.LimitReader(r, maxIdentitySize))
	defer clear(plain)
	if err != nil {
		return nil, &CorruptError{Path: path, Err: fmt.Errorf("it does not decrypt (%v)", err)}
	}
	return parseOwnIdentity(path, plain, f.PublicKey)
}

// parseOwnIdentity parses an identity file's text (age's format) that must
// hold exactly the X25519 identity of public key pub.
func parseOwnIdentity(path string, text []byte, pub string) (*age.X25519Identity, error) {
	ids, err := age.ParseIdentities(bytes.NewReader(text))
	if err != nil || len(ids) != 1 {
		return nil, &CorruptError{Path: path, Err: errors.New("its content is not one age identity")}
	}
	id, ok := ids[0].(*age.X25519Identity)
	if !ok || id.Recipient().String() != pub {
		return nil, &CorruptError{Path: path, Err: errors.New("the identity inside does not match its public key")}
	}
	return id, nil
}

// releaseScrypt returns scrypt's buffer (256 MiB at the default work
// factor) to the heap at once, so that a command doing scrypt twice
// (changing the passphrase, converting the old file) does not hold two.
func releaseScrypt() { runtime.GC() }
