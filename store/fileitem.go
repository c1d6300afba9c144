package store

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"filippo.io/age"
)

// An item of the encrypted file store is an age file encrypted to every
// recipient of the store. Its header carries, besides the recipients'
// stanzas, one stanza of credwiz's own:
//
//	-> credwiz-item SERVICE OWNER RECIPIENTS
//
// SERVICE is the item's service and OWNER its Owner ("DIR/REV"), both
// encoded as file names are (encodeFileName), or "none" for a zero owner;
// RECIPIENTS is a hash of the recipient set the item was encrypted to
// (recipientsHash), so that a change of recipients interrupted half-way
// can be finished without decrypting anything to find what is left. The
// stanza wraps no key: age identities skip it, so `age -d -i KEY FILE`
// decrypts an item. List and doctor read it without any key; Get checks
// it again, authenticated this time, since age's header MAC covers every
// stanza.
//
// The payload is the item's values as one JSON object of strings.
const itemStanzaType = "credwiz-item"

// noOwner stands for the zero Owner in the stanza (an encoded owner always
// holds "%2F", so it can never be "none").
const noOwner = "none"

// Caps on what the file store reads.
const (
	// maxItemSize caps an item file.
	maxItemSize = 1 << 20
	// maxHeaderSize caps the header List reads of an item.
	maxHeaderSize = 64 << 10
)

// ageMagic is the first line of an age file.
const ageMagic = "age-encryption.org/v1"

// itemHeader is what an item's header says in clear.
type itemHeader struct {
	Service    string
	Owner      Owner
	Recipients string
}

// args returns the stanza's arguments.
func (h itemHeader) args() []string {
	owner := noOwner
	if !h.Owner.IsZero() {
		owner = encodeFileName(h.Owner.String())
	}
	rc := h.Recipients
	if rc == "" {
		rc = "-"
	}
	return []string{encodeFileName(h.Service), owner, rc}
}

// parseItemArgs reads a credwiz-item stanza's arguments.
func parseItemArgs(args []string) (itemHeader, error) {
	if len(args) != 3 {
		return itemHeader{}, fmt.Errorf("its %s stanza has %d arguments, not 3", itemStanzaType, len(args))
	}
	var h itemHeader
	var ok bool
	if h.Service, ok = decodeFileName(args[0]); !ok || h.Service == "" {
		return itemHeader{}, fmt.Errorf("its %s stanza names no valid service", itemStanzaType)
	}
	if args[1] != noOwner {
		s, ok := decodeFileName(args[1])
		if !ok {
			return itemHeader{}, fmt.Errorf("its %s stanza has an invalid owner", itemStanzaType)
		}
		o, err := ParseOwner(s)
		if err != nil {
			return itemHeader{}, fmt.Errorf("its %s stanza has an invalid owner", itemStanzaType)
		}
		h.Owner = o
	}
	if args[2] != "-" {
		h.Recipients = args[2]
	}
	return h, nil
}

// itemRecipient adds the credwiz-item stanza to the header age writes. It
// wraps no key.
type itemRecipient struct{ h itemHeader }

// Wrap returns the credwiz-item stanza.
func (r itemRecipient) Wrap([]byte) ([]*age.Stanza, error) {
	return []*age.Stanza{{Type: itemStanzaType, Args: r.h.args()}}, nil
}

// encryptItem writes the item file of values, with header h, encrypted to
// rcpts, into w.
func encryptItem(w io.Writer, h itemHeader, values map[string]string, rcpts []age.Recipient) error {
	if values == nil {
		values = map[string]string{}
	}
	plain, err := json.Marshal(values)
	if err != nil {
		return err
	}
	defer clear(plain)
	all := append([]age.Recipient{itemRecipient{h}}, rcpts...)
	ew, err := age.Encrypt(w, all...)
	if err != nil {
		return err
	}
	if _, err := ew.Write(plain); err != nil {
		return err
	}
	return ew.Close()
}

// readItemHeader reads an age file's header from r, at most maxHeaderSize
// bytes, and returns its credwiz-item stanza. The error says what is
// wrong, never anything of the payload.
func readItemHeader(r io.Reader) (itemHeader, error) {
	br := bufio.NewReader(io.LimitReader(r, maxHeaderSize))
	line, err := br.ReadString('\n')
	if err != nil || strings.TrimSuffix(line, "\n") != ageMagic {
		return itemHeader{}, errors.New("it is not an age file")
	}
	var found []itemHeader
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return itemHeader{}, errors.New("its age header is cut short")
		}
		line = strings.TrimSuffix(line, "\n")
		if strings.HasPrefix(line, "---") {
			break
		}
		args, ok := strings.CutPrefix(line, "-> ")
		if !ok {
			continue // a stanza's body line
		}
		f := strings.Split(args, " ")
		if f[0] != itemStanzaType {
			continue
		}
		h, err := parseItemArgs(f[1:])
		if err != nil {
			return itemHeader{}, err
		}
		found = append(found, h)
	}
	switch len(found) {
	case 0:
		return itemHeader{}, fmt.Errorf("its age header has no %s stanza (not written by credwiz?)", itemStanzaType)
	case 1:
		return found[0], nil
	}
	return itemHeader{}, fmt.Errorf("its age header has %d %s stanzas", len(found), itemStanzaType)
}

// errNoIdentity marks an item that none of the identities decrypts.
var errNoIdentity = errors.New("no identity of this store decrypts it")

// decryptItem decrypts the item file data with ids and returns its
// header (authenticated by age's header MAC) and values.
func decryptItem(data []byte, ids []age.Identity) (itemHeader, map[string]string, error) {
	h, err := readItemHeader(bytes.NewReader(data))
	if err != nil {
		return itemHeader{}, nil, err
	}
	r, err := age.Decrypt(bytes.NewReader(data), ids...)
	var nomatch *age.NoIdentityMatchError
	if errors.As(err, &nomatch) {
		return itemHeader{}, nil, errNoIdentity
	}
	if err != nil {
		return itemHeader{}, nil, fmt.Errorf("it does not decrypt (%v)", err)
	}
	plain, err := io.ReadAll(io.LimitReader(r, maxItemSize))
	defer clear(plain)
	if err != nil {
		return itemHeader{}, nil, fmt.Errorf("its payload does not decrypt (%v)", err)
	}
	values := map[string]string{}
	if err := json.Unmarshal(plain, &values); err != nil {
		// The decoder's message could quote a secret: leave it out.
		return itemHeader{}, nil, errors.New("its decrypted content is not a JSON object of strings")
	}
	return h, values, nil
}
