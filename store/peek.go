package store

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
)

// indexHead is what Open needs from the index: the recorded store kind and
// whether any credential exists.
type indexHead struct {
	kind     Kind
	hasCreds bool
}

// peek reads the head of the index without decoding the credentials.
// credwiz writes "version" and "store" before "credentials", so for its own
// files this reads a few hundred bytes whatever the number of credentials.
// On any parse problem it falls back to a full read, which reports it.
func (ix *Index) peek() (indexHead, error) {
	f, err := os.Open(ix.path)
	if errors.Is(err, fs.ErrNotExist) {
		return indexHead{}, nil
	}
	if err != nil {
		return indexHead{}, fileError("read", ix.path, err)
	}
	defer f.Close()
	h, ok := peekHead(json.NewDecoder(f))
	if ok {
		return h, nil
	}
	doc, _, err := ix.read()
	if err != nil {
		return indexHead{}, err
	}
	return indexHead{kind: doc.store, hasCreds: len(doc.credentials) > 0}, nil
}

// peekHead walks the top-level members of the index. ok is false when the
// file needs a full read: a parse problem, an unexpected shape, or a
// version this credwiz does not read.
func peekHead(dec *json.Decoder) (h indexHead, ok bool) {
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return h, false
	}
	var sawVersion, sawStore bool
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return h, false
		}
		switch t {
		case "version":
			var v int
			if dec.Decode(&v) != nil || v < 0 || v > indexVersion {
				return h, false
			}
			sawVersion = true
		case "store":
			if dec.Decode(&h.kind) != nil {
				return h, false
			}
			sawStore = true
		case "credentials":
			if t, err := dec.Token(); err != nil || t != json.Delim('[') {
				return h, false
			}
			h.hasCreds = dec.More()
			if sawVersion && sawStore {
				return h, true
			}
			for dec.More() {
				var skip json.RawMessage
				if dec.Decode(&skip) != nil {
					return h, false
				}
			}
			if t, err := dec.Token(); err != nil || t != json.Delim(']') {
				return h, false
			}
		default:
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return h, false
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return h, false
	}
	return h, true
}
