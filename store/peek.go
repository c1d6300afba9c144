package store

import (
	"errors"
	"io/fs"
	"strconv"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// indexHead is what Open needs from the index: the recorded store kind,
// the config dir ID and whether any credential exists.
type indexHead struct {
	kind     Kind
	id       string
	hasCreds bool
	vault    *VaultSettings
}

// peek reads the head of the index without decoding the credentials.
// credwiz writes version, id, store and revision before credentials, so
// for its own files this reads a few hundred bytes whatever the number of
// credentials. On any surprise it falls back to a full read, which
// reports problems.
func (ix *Index) peek() (indexHead, error) {
	if err := CheckDir(ix.dir); err != nil {
		return indexHead{}, err
	}
	f, fi, err := openTrusted(ix.path)
	if errors.Is(err, fs.ErrNotExist) {
		return indexHead{}, nil
	}
	if err != nil {
		return indexHead{}, err
	}
	defer f.Close()
	if fi.Size() <= MaxIndexSize {
		if h, ok := peekHead(jsontext.NewDecoder(f)); ok {
			return h, nil
		}
	}
	doc, _, err := ix.read()
	if err != nil {
		return indexHead{}, err
	}
	return indexHead{kind: doc.Store, id: doc.ID, hasCreds: len(doc.Credentials) > 0, vault: doc.Vault}, nil
}

// peekHead walks the top-level members up to the credentials. ok is false
// when the file needs a full read: a parse problem, an unexpected order or
// shape, or a version this credwiz does not read as is.
func peekHead(dec *jsontext.Decoder) (h indexHead, ok bool) {
	if t, err := dec.ReadToken(); err != nil || t.Kind() != '{' {
		return h, false
	}
	sawVersion := false
	for dec.PeekKind() == '"' {
		name, err := dec.ReadToken()
		if err != nil {
			return h, false
		}
		key := name.String() // the token is void after the next read
		switch key {
		case "version":
			v, err := dec.ReadValue()
			if err != nil {
				return h, false
			}
			n, err := strconv.Atoi(string(v))
			if err != nil || n != indexVersion {
				return h, false
			}
			sawVersion = true
		case "id", "store":
			t, err := dec.ReadToken()
			if err != nil || t.Kind() != '"' {
				return h, false
			}
			if key == "id" {
				h.id = t.String()
			} else {
				h.kind = Kind(t.String())
			}
		case "vault":
			v, err := dec.ReadValue()
			if err != nil {
				return h, false
			}
			h.vault = new(VaultSettings)
			if json.Unmarshal(v, h.vault) != nil {
				return h, false
			}
		case "credentials":
			if t, err := dec.ReadToken(); err != nil || t.Kind() != '[' {
				return h, false
			}
			h.hasCreds = dec.PeekKind() != ']'
			if sawVersion && h.id != "" && h.kind != "" {
				return h, true
			}
			// A hand-edited order: the rest may still name them.
			for dec.PeekKind() != ']' {
				if err := dec.SkipValue(); err != nil {
					return h, false
				}
			}
			if _, err := dec.ReadToken(); err != nil {
				return h, false
			}
		default:
			if err := dec.SkipValue(); err != nil {
				return h, false
			}
		}
	}
	if t, err := dec.ReadToken(); err != nil || t.Kind() != '}' {
		return h, false
	}
	return h, sawVersion
}
