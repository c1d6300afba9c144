package ui

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/credwiz/credwiz/store"
)

// maxRecipientFile caps a file of public keys given to recipients add.
const maxRecipientFile = 1 << 20

// parseRecipientKey parses one public key (age1…, ssh-…) as recipients
// list prints it.
func parseRecipientKey(a string) ([]store.Recipient, error) {
	r, err := store.ParseRecipient(a)
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	return []store.Recipient{r}, nil
}

// parseRecipientArg parses a recipients add argument: a public key, or a
// file of them (one a line, '#' comments), as an .pub, authorized_keys or
// age recipients file.
func parseRecipientArg(a string) ([]store.Recipient, error) {
	a = strings.TrimSpace(a)
	if store.LooksPrivate(a) {
		// Never echoed: it is a secret the operator pasted by mistake.
		return nil, usagef("that argument is a private key, not a public one (it is not shown): give the public key instead (age-keygen -y KEYFILE, or the .pub file of an SSH key)")
	}
	if strings.HasPrefix(a, "age1") || strings.HasPrefix(a, "ssh-") {
		return parseRecipientKey(a)
	}
	// Non-blocking: a FIFO given by mistake must not hang the command
	// (it is refused as not a regular file below).
	notAFile := func() error { return usagef("%s is not a regular file of public keys", a) }
	fh, err := os.OpenFile(a, os.O_RDONLY|openNonBlock, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil, usagef("%s is neither a public key (age1…, ssh-ed25519 …, ssh-rsa …) nor a file", clipArg(a))
	}
	if err != nil {
		if fi, serr := os.Stat(a); serr == nil && !fi.Mode().IsRegular() {
			return nil, notAFile() // a socket cannot be opened (ENXIO)
		}
		return nil, fmt.Errorf("read %s: %w", a, err)
	}
	defer fh.Close()
	if fi, err := fh.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil, notAFile()
	}
	data, err := io.ReadAll(io.LimitReader(fh, maxRecipientFile+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", a, err)
	}
	if len(data) > maxRecipientFile {
		return nil, usagef("%s is larger than a file of public keys (over 1 MiB)", a)
	}
	out, line, err := store.ParseRecipients(data)
	switch {
	case errors.Is(err, store.ErrPrivateKey):
		return nil, usagef("%s holds a private key: give the public key (the .pub file, or age-keygen -y)", a)
	case err != nil:
		return nil, usagef("%s, line %d: %v", a, line, err)
	case len(out) == 0:
		return nil, usagef("%s holds no public key", a)
	}
	return out, nil
}

// clipArg quotes an argument for an error, its first 40 characters only,
// so that a long paste (a key, a token) is not printed back whole.
func clipArg(a string) string {
	if r := []rune(a); len(r) > 40 || strings.ContainsAny(a, "\n\r") {
		a, _, _ = strings.Cut(a, "\n")
		if r := []rune(a); len(r) > 40 {
			a = string(r[:40])
		}
		return strconv.Quote(a) + "…"
	}
	return strconv.Quote(a)
}
