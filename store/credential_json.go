package store

import (
	"bytes"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
)

// credentialJSON has Credential's fields and JSON tags but not its
// methods, so encoding/json handles it field by field (and can reject
// unknown fields on the fast path of index decoding).
type credentialJSON Credential

// credentialKeys are the JSON keys Credential knows, from its tags.
var credentialKeys = jsonKeys(reflect.TypeFor[Credential]())

// jsonKeys returns the JSON object keys of struct type t's exported fields.
func jsonKeys(t reflect.Type) []string {
	var keys []string
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = f.Name
		}
		keys = append(keys, name)
	}
	return keys
}

// knownKey reports whether k names one of keys. encoding/json matches
// object keys case-insensitively, so this does too.
func knownKey(keys []string, k string) bool {
	for _, known := range keys {
		if strings.EqualFold(known, k) {
			return true
		}
	}
	return false
}

// MarshalJSON encodes c with the fields this version knows followed by any
// unknown fields read from the index, verbatim, in key order.
func (c Credential) MarshalJSON() ([]byte, error) {
	return marshalCredential(&c, true)
}

// UnmarshalJSON decodes c, keeping JSON fields this version does not know
// so that MarshalJSON writes them back.
func (c *Credential) UnmarshalJSON(data []byte) error {
	var cj credentialJSON
	if err := json.Unmarshal(data, &cj); err != nil {
		return err
	}
	extra, err := unknownFields(data, credentialKeys)
	if err != nil {
		return err
	}
	*c = Credential(cj)
	c.extra = extra
	return nil
}

// unknownFields returns the members of the JSON object data whose keys are
// not among keys, each compacted to one line; nil when there are none.
func unknownFields(data []byte, keys []string) (map[string]json.RawMessage, error) {
	var all map[string]json.RawMessage
	if err := json.Unmarshal(data, &all); err != nil {
		return nil, err
	}
	var extra map[string]json.RawMessage
	for k, v := range all {
		if knownKey(keys, k) {
			continue
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, v); err != nil {
			return nil, err
		}
		if extra == nil {
			extra = make(map[string]json.RawMessage)
		}
		extra[k] = buf.Bytes()
	}
	return extra, nil
}

// marshalCredential encodes c on one line: known fields, then c.extra.
func marshalCredential(c *Credential, escapeHTML bool) ([]byte, error) {
	return appendCredential(make([]byte, 0, 512), c, escapeHTML)
}

// clone returns a deep copy of c, so that changing the copy's maps or
// slices leaves c as it was.
func (c Credential) clone() Credential {
	c.Fields = maps.Clone(c.Fields)
	c.SecretKeys = slices.Clone(c.SecretKeys)
	if c.LastTest != nil {
		t := *c.LastTest
		t.Warnings = slices.Clone(t.Warnings)
		c.LastTest = &t
	}
	c.extra = maps.Clone(c.extra)
	return c
}

// AppendJSON appends c's JSON encoding to b: the same object as
// MarshalJSON, on one line, but without escaping <, > and & and without
// reflection, several times faster than encoding/json. It is meant for
// output of thousands of credentials (`credwiz list --json`).
func (c *Credential) AppendJSON(b []byte) ([]byte, error) {
	return appendCredential(b, c, false)
}
