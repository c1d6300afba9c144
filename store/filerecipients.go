package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"filippo.io/age"
	"filippo.io/age/agessh"
)

// recipientsFileName lists, one a line, who besides the store's own
// identity can decrypt its items: age X25519 recipients ("age1…") and SSH
// public keys ("ssh-ed25519 …", "ssh-rsa …"), each optionally followed by
// a comment; '#' starts a comment line. The store's own public key is in
// identity.age and is always a recipient.
const recipientsFileName = "recipients.txt"

// maxRecipientsSize caps recipients.txt.
const maxRecipientsSize = 1 << 20

// Recipient is one public key the file store encrypts its items to.
type Recipient struct {
	// Key is the public key in its canonical form: "age1…", or an SSH
	// key's type and base64 ("ssh-ed25519 AAAA…") without its comment.
	Key string
	// Comment is what followed the key on its line (an SSH key's
	// "user@host"), or "" .
	Comment string
	// Own is set for the store's own identity (identity.age).
	Own bool

	r age.Recipient
}

// String returns the key and its comment, as recipients.txt holds it.
func (r Recipient) String() string {
	if r.Comment == "" {
		return r.Key
	}
	return r.Key + " " + r.Comment
}

// ErrPrivateKey refuses a private key given where a public key belongs;
// it never quotes it.
var ErrPrivateKey = errors.New("that is a private key, not a public key (it is not shown): give the public key instead (age-keygen -y KEYFILE, or the .pub file of an SSH key)")

// LooksPrivate reports whether s holds what looks like a private key,
// in any case and anywhere in s: an age identity ("AGE-SECRET-KEY-1…"), a
// PEM "PRIVATE KEY" block, or an OpenSSH key's body ("b3BlbnNzaC1rZXktdjE",
// "openssh-key-v1" in base64). credwiz never prints such a text back.
func LooksPrivate(s string) bool {
	u := strings.ToUpper(s)
	return strings.Contains(u, "AGE-SECRET-KEY-") || strings.Contains(u, "PRIVATE KEY") || strings.Contains(s, "b3BlbnNzaC1rZXktdjE")
}

// ParseRecipient parses one public key: an age X25519 recipient
// ("age1…") or an SSH public key line ("ssh-ed25519 AAAA… comment",
// "ssh-rsa …"), as in an authorized_keys or .pub file.
func ParseRecipient(line string) (Recipient, error) {
	if LooksPrivate(line) {
		return Recipient{}, ErrPrivateKey
	}
	line = strings.TrimSpace(line)
	f := strings.Fields(line)
	switch {
	case len(f) == 0:
		return Recipient{}, fmt.Errorf("an empty line is not a public key")
	case strings.HasPrefix(f[0], "age1") && strings.LastIndex(f[0], "1") != 3:
		// bech32 data never holds a '1': a later one ends a longer
		// prefix, a post-quantum ("age1pq1…") or plugin recipient's.
		if strings.HasPrefix(f[0], "age1pq1") {
			return Recipient{}, fmt.Errorf("%q is a post-quantum age recipient, which credwiz does not support yet: use an X25519 one (age-keygen) or an SSH key", clip(f[0], 24))
		}
		return Recipient{}, fmt.Errorf("%q is an age plugin recipient, which credwiz does not support: use an X25519 one (age-keygen) or an SSH key", clip(f[0], 24))
	case strings.HasPrefix(f[0], "age1"):
		r, err := age.ParseX25519Recipient(f[0])
		if err != nil {
			return Recipient{}, fmt.Errorf("%q is not a valid age recipient: %v", clip(f[0], 24), err)
		}
		return Recipient{Key: r.String(), Comment: strings.Join(f[1:], " "), r: r}, nil
	case f[0] == "ssh-ed25519" || f[0] == "ssh-rsa":
		if len(f) < 2 {
			return Recipient{}, fmt.Errorf("the %s key has no base64 part", f[0])
		}
		key := f[0] + " " + f[1]
		r, err := agessh.ParseRecipient(key)
		if err != nil {
			// Not err: age's SSH parser quotes the whole input.
			return Recipient{}, fmt.Errorf("not a valid %s public key: its base64 part does not parse as one", f[0])
		}
		return Recipient{Key: key, Comment: strings.Join(f[2:], " "), r: r}, nil
	case strings.HasPrefix(f[0], "ssh-") || strings.HasPrefix(f[0], "ecdsa-") || strings.HasPrefix(f[0], "sk-"):
		return Recipient{}, fmt.Errorf("%s keys cannot be age recipients: use an ssh-ed25519 or ssh-rsa key, or an age key (age-keygen)", f[0])
	}
	return Recipient{}, fmt.Errorf("%q is not a public key: use an age recipient (age1…) or an SSH public key (ssh-ed25519 …, ssh-rsa …)", clip(f[0], 24))
}

// ParseRecipients parses a file of public keys, one a line (blank lines
// and '#' comments skipped), as recipients.txt, a .pub, authorized_keys or
// age recipients file holds them. On a line that is no public key it
// returns that line's 1-based number and ParseRecipient's error
// (ErrPrivateKey for a private key, which is never quoted).
func ParseRecipients(data []byte) ([]Recipient, int, error) {
	var out []Recipient
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		r, err := ParseRecipient(line)
		if err != nil {
			return nil, i + 1, err
		}
		out = append(out, r)
	}
	return out, 0, nil
}

// parseRecipientsFile parses recipients.txt's bytes.
func parseRecipientsFile(path string, data []byte) ([]Recipient, error) {
	out, line, err := ParseRecipients(data)
	if err != nil {
		return nil, &CorruptError{Path: path, Line: line, Err: err}
	}
	return out, nil
}

// formatRecipientsFile returns recipients.txt's text for rs (the store's
// own identity left out).
func formatRecipientsFile(rs []Recipient) []byte {
	var b bytes.Buffer
	b.WriteString("# Who can decrypt this credwiz store besides its own identity (identity.age):\n")
	b.WriteString("# age recipients and SSH public keys, one a line. Change it with credwiz recipients.\n")
	for _, r := range rs {
		if !r.Own {
			b.WriteString(r.String() + "\n")
		}
	}
	return b.Bytes()
}

// recipientsHash returns a short hash of the set of keys in rs, for the
// item stanza: items whose hash differs were encrypted to another set.
func recipientsHash(rs []Recipient) string {
	keys := make([]string, len(rs))
	for i, r := range rs {
		keys[i] = r.Key
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	h := sha256.Sum256([]byte(strings.Join(keys, "\n")))
	return hex.EncodeToString(h[:8])
}

// ageRecipients returns the age recipients of rs.
func ageRecipients(rs []Recipient) []age.Recipient {
	out := make([]age.Recipient, len(rs))
	for i, r := range rs {
		out[i] = r.r
	}
	return out
}
