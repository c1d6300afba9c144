package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strings"
)

// indexVersion is the schema version this credwiz reads and writes.
const indexVersion = 1

// indexDoc is the decoded index file.
type indexDoc struct {
	version     int
	store       Kind
	credentials []Credential // sorted by name
	extra       map[string]json.RawMessage
}

// fileJSON is the index file's known shape, for the strict fast path.
type fileJSON struct {
	Version     int              `json:"version"`
	Store       Kind             `json:"store,omitempty"`
	Credentials []credentialJSON `json:"credentials"`
}

// fileKeys are the top-level JSON keys this version knows.
var fileKeys = jsonKeys(reflect.TypeFor[fileJSON]())

// decodeIndex parses the index file at path holding text, with
// fastDecodeIndex when it can and encoding/json otherwise.
//
// The encoding/json path is one strict decode that rejects unknown fields;
// only a file that has some takes the slower path that keeps them.
func decodeIndex(path string, text string) (*indexDoc, error) {
	if strings.TrimSpace(text) == "" {
		return nil, &CorruptError{Path: path, Err: errors.New("the file is empty")}
	}
	if doc, ok := fastDecodeIndex(text); ok {
		if err := checkVersion(path, doc.version); err != nil {
			return nil, err
		}
		return doc, nil
	}
	return decodeIndexJSON(path, []byte(text))
}

// decodeIndexJSON is decodeIndex with encoding/json: the reference
// fastDecodeIndex must agree with, and the source of precise errors.
func decodeIndexJSON(path string, data []byte) (*indexDoc, error) {
	var f fileJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(&f)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			return nil, &CorruptError{Path: path, Line: lineOf(data, dec.InputOffset()),
				Err: errors.New("unexpected data after the top-level object")}
		}
		if err := checkVersion(path, f.Version); err != nil {
			return nil, err
		}
		creds := make([]Credential, len(f.Credentials))
		for i := range f.Credentials {
			creds[i] = Credential(f.Credentials[i])
		}
		return newIndexDoc(f.Version, f.Store, creds, nil), nil
	}
	if serr, ok := errors.AsType[*json.SyntaxError](err); ok {
		return nil, &CorruptError{Path: path, Line: lineOf(data, serr.Offset), Err: err}
	}
	// The file is JSON; before reporting a shape problem, see whether a
	// newer credwiz wrote it.
	var v struct{ Version json.RawMessage }
	if json.Unmarshal(data, &v) == nil {
		var n int
		if json.Unmarshal(v.Version, &n) == nil && n > indexVersion {
			return nil, checkVersion(path, n)
		}
	}
	if !isUnknownFieldError(err) {
		return nil, corruptShape(path, data, err)
	}
	return decodeIndexSlow(path, data)
}

// decodeIndexSlow decodes an index that has fields this version does not
// know, keeping them. Records without unknown fields still take a single
// strict decode each.
func decodeIndexSlow(path string, data []byte) (*indexDoc, error) {
	var top struct {
		Version     int               `json:"version"`
		Store       Kind              `json:"store"`
		Credentials []json.RawMessage `json:"credentials"`
	}
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, corruptShape(path, data, err)
	}
	if err := checkVersion(path, top.Version); err != nil {
		return nil, err
	}
	extra, err := unknownFields(data, fileKeys)
	if err != nil {
		return nil, corruptShape(path, data, err)
	}
	creds := make([]Credential, len(top.Credentials))
	for i, raw := range top.Credentials {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode((*credentialJSON)(&creds[i])); err == nil {
			continue
		} else if !isUnknownFieldError(err) {
			return nil, &CorruptError{Path: path, Err: fmt.Errorf("credential %d: %w", i+1, err)}
		}
		creds[i] = Credential{}
		if err := creds[i].UnmarshalJSON(raw); err != nil {
			return nil, &CorruptError{Path: path, Err: fmt.Errorf("credential %d: %w", i+1, err)}
		}
	}
	return newIndexDoc(top.Version, top.Store, creds, extra), nil
}

// newIndexDoc returns the document, its credentials sorted by name.
func newIndexDoc(version int, kind Kind, creds []Credential, extra map[string]json.RawMessage) *indexDoc {
	if creds == nil {
		creds = []Credential{}
	}
	if !slices.IsSortedFunc(creds, compareByName) {
		slices.SortStableFunc(creds, compareByName)
	}
	return &indexDoc{version: version, store: kind, credentials: creds, extra: extra}
}

func compareByName(a, b Credential) int { return strings.Compare(a.Name, b.Name) }

// checkVersion refuses schema versions this credwiz does not know. A
// missing version (0) is read as version 1.
func checkVersion(path string, v int) error {
	switch {
	case v > indexVersion:
		return fmt.Errorf("%s has schema version %d, %w (this one reads version %d): upgrade credwiz; this version will not change the file",
			path, v, ErrNewerVersion, indexVersion)
	case v < 0:
		return &CorruptError{Path: path, Err: fmt.Errorf("invalid schema version %d", v)}
	}
	return nil
}

// corruptShape reports valid JSON that is not a credwiz index.
func corruptShape(path string, data []byte, err error) error {
	line := 0
	if terr, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		line = lineOf(data, terr.Offset)
	}
	return &CorruptError{Path: path, Line: line, Err: fmt.Errorf("not a credwiz index: %w", err)}
}

// isUnknownFieldError reports the error encoding/json's
// DisallowUnknownFields returns, which has no type of its own.
func isUnknownFieldError(err error) bool {
	return err != nil && strings.HasPrefix(err.Error(), "json: unknown field ")
}

// lineOf returns the 1-based line holding byte offset off of data.
func lineOf(data []byte, off int64) int {
	off = min(max(off, 0), int64(len(data)))
	return bytes.Count(data[:off], []byte{'\n'}) + 1
}

// encodeIndex renders doc: the header fields on their own lines, then one
// credential per line (readable, diffable and grep-able).
func encodeIndex(doc *indexDoc) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(64 + 512*len(doc.credentials))
	fmt.Fprintf(&b, "{\n  \"version\": %d,\n", indexVersion)
	if doc.store != "" {
		b.WriteString("  \"store\": ")
		b.Write(appendJSONString(nil, string(doc.store), false))
		b.WriteString(",\n")
	}
	for _, k := range slices.Sorted(maps.Keys(doc.extra)) {
		b.WriteString("  ")
		b.Write(appendJSONString(nil, k, false))
		b.WriteString(": ")
		b.Write(doc.extra[k])
		b.WriteString(",\n")
	}
	b.WriteString("  \"credentials\": [")
	out := b.Bytes()
	for i := range doc.credentials {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, "\n    "...)
		var err error
		if out, err = appendCredential(out, &doc.credentials[i], false); err != nil {
			return nil, fmt.Errorf("encode credential %q: %w", doc.credentials[i].Name, err)
		}
	}
	if len(doc.credentials) > 0 {
		out = append(out, "\n  "...)
	}
	return append(out, "]\n}\n"...), nil
}
