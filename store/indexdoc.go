package store

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// indexVersion is the schema version this credwiz writes. Version 1 (no
// config dir ID, no revisions) is read and converted on the first write.
const indexVersion = 2

// indexDoc is the whole index file. credwiz writes version, id, store and
// revision before credentials, so that Open reads only the head.
type indexDoc struct {
	// Version is the schema version, kept as written for a clear error
	// when it is not a small integer.
	Version jsontext.Value `json:"version"`
	// ID is the config dir's random ID, set on the first write.
	ID string `json:"id,omitempty"`
	// Dir is where the config dir was when it got its ID (or when an
	// index without it was first written): a copy elsewhere keeps the ID
	// but is not there.
	Dir *dirPlace `json:"dir,omitempty"`
	// Store is the recorded secret store kind.
	Store Kind `json:"store,omitempty"`
	// Vault says where the Vault store keeps the credentials (recorded
	// with Store "vault", kept as it is otherwise).
	Vault *VaultSettings `json:"vault,omitempty"`
	// Move, while set, records a migration between the Vault store and a
	// local one that has begun and not finished (see vaultmove.go).
	Move *vaultMove `json:"vault_migration,omitempty"`
	// Revision is the last revision given to a credential.
	Revision int64 `json:"revision,omitzero"`
	// Credentials are sorted by name.
	Credentials []Credential `json:"credentials"`
	// Unknown holds members this version does not know, verbatim.
	Unknown jsontext.Value `json:",embed"`

	// version is Version decoded.
	version int
}

// VaultSettings are the Vault store's settings recorded in the index: the
// KV version 2 mount and the folder under it, and the server they are on.
// The server and the token come from Vault's own environment (VAULT_ADDR,
// VAULT_TOKEN, VAULT_NAMESPACE, ...); the server is recorded with the
// first write, so that a config dir never follows VAULT_ADDR to another
// server.
type VaultSettings struct {
	// Mount is the KV version 2 mount path, e.g. "secret".
	Mount string `json:"mount"`
	// Path is the folder under the mount, e.g. "credwiz".
	Path string `json:"path"`
	// Address is the server's address as credwiz compares it
	// (ServerAddress); "" in an index written before it was recorded.
	Address string `json:"address,omitempty"`
	// Namespace is the Vault namespace ("" for the root one).
	Namespace string `json:"namespace,omitempty"`
	// Unknown holds members this version does not know, verbatim.
	Unknown jsontext.Value `json:",embed"`
}

// String returns "MOUNT/PATH".
func (v VaultSettings) String() string { return v.Mount + "/" + v.Path }

// Server names the server for messages: "https://vault:8200", with
// " (namespace NS)" when there is one.
func (v VaultSettings) Server() string {
	if v.Namespace != "" {
		return v.Address + " (namespace " + v.Namespace + ")"
	}
	return v.Address
}

// sameServer reports whether v and o are on the same server, as far as v
// records one (an index written before the server was recorded is on any).
func (v VaultSettings) sameServer(o VaultSettings) bool {
	return v.Address == "" || (v.Address == o.Address && v.Namespace == o.Namespace)
}

// sameFolder reports whether v and o name the same folder.
func (v VaultSettings) sameFolder(o VaultSettings) bool {
	return v.Mount == o.Mount && v.Path == o.Path
}

// v1JournalKey is version 1's journal of pending secrets, dropped on
// conversion: ownership is now recorded in the items themselves.
const v1JournalKey = "pending_secrets"

// newIndexDoc returns an empty document of the current version.
func newIndexDoc() *indexDoc {
	return &indexDoc{Version: jsontext.Value(strconv.Itoa(indexVersion)), version: indexVersion, Credentials: []Credential{}}
}

// decodeIndex parses the index file's text. Errors name the file and,
// where known, the line.
func decodeIndex(path string, data []byte) (*indexDoc, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &CorruptError{Path: path, Err: errors.New("the file is empty")}
	}
	doc := new(indexDoc)
	if err := json.Unmarshal(data, doc); err != nil {
		// A newer schema may not decode at all: say that rather than
		// "damaged".
		var head struct {
			Version jsontext.Value `json:"version"`
			Rest    jsontext.Value `json:",embed"`
		}
		if json.Unmarshal(data, &head) == nil {
			if v, verr := parseVersion(path, head.Version); verr != nil || v > indexVersion {
				return nil, cmpErr(verr, versionError(path, v))
			}
		}
		return nil, corrupt(path, data, err)
	}
	v, err := parseVersion(path, doc.Version)
	if err != nil {
		return nil, err
	}
	if v > indexVersion {
		return nil, versionError(path, v)
	}
	doc.version = v
	if doc.Credentials == nil {
		doc.Credentials = []Credential{}
	}
	if !slices.IsSortedFunc(doc.Credentials, compareByName) {
		slices.SortStableFunc(doc.Credentials, compareByName)
	}
	return doc, nil
}

// cmpErr returns the first non-nil error.
func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// parseVersion reads the version member: absent means 1 (the first
// files); anything but a non-negative integer is damage.
func parseVersion(path string, raw jsontext.Value) (int, error) {
	if len(raw) == 0 {
		return 1, nil
	}
	s := string(raw)
	v, err := strconv.Atoi(s)
	if err != nil || v < 0 {
		return 0, &CorruptError{Path: path,
			Err: fmt.Errorf("its schema version is %s, not a version number (this credwiz reads 1 to %d)", clip(s, 24), indexVersion)}
	}
	if v == 0 {
		v = 1
	}
	return v, nil
}

// versionError is the error for a schema newer than this credwiz reads.
func versionError(path string, v int) error {
	return fmt.Errorf("%s has schema version %d, %w (this one reads up to version %d): upgrade credwiz; this version will not change the file",
		path, v, ErrNewerVersion, indexVersion)
}

// corrupt wraps a decode error with the line it happened on.
func corrupt(path string, data []byte, err error) error {
	line := 0
	var serr *jsontext.SyntacticError
	var merr *json.SemanticError
	switch {
	case errors.As(err, &serr):
		line = lineOf(data, serr.ByteOffset)
		err = fmt.Errorf("not valid JSON: %w", serr.Err)
	case errors.As(err, &merr):
		line = lineOf(data, merr.ByteOffset)
		what := "unexpected value"
		if merr.JSONPointer != "" {
			what += " at " + string(merr.JSONPointer)
		}
		if merr.GoType != nil {
			what += fmt.Sprintf(" (%s expected)", jsonKindName(merr.GoType.Kind().String()))
		}
		err = errors.New("not a credwiz index: " + what)
	}
	return &CorruptError{Path: path, Line: line, Err: err}
}

// jsonKindName names a Go kind as the JSON an operator would write.
func jsonKindName(k string) string {
	switch {
	case k == "string":
		return "a string"
	case strings.HasPrefix(k, "int"), strings.HasPrefix(k, "uint"), strings.HasPrefix(k, "float"):
		return "a number"
	case k == "bool":
		return "true or false"
	case k == "slice":
		return "an array"
	case k == "map", k == "struct", k == "ptr":
		return "an object"
	}
	return k
}

// clip shortens s to at most n bytes for a message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// lineOf returns the 1-based line of byte offset off.
func lineOf(data []byte, off int64) int {
	off = min(max(off, 0), int64(len(data)))
	return bytes.Count(data[:off], []byte{'\n'}) + 1
}

// compareByName orders credentials by name.
func compareByName(a, b Credential) int { return strings.Compare(a.Name, b.Name) }

// encodeIndex returns the file text of doc, always in the current schema.
func encodeIndex(doc *indexDoc) ([]byte, error) {
	doc.Version = jsontext.Value(strconv.Itoa(indexVersion))
	b, err := json.Marshal(doc, json.Deterministic(true), jsontext.WithIndent("  "))
	if err != nil {
		return nil, fmt.Errorf("encode the index: %w", err)
	}
	return append(b, '\n'), nil
}

// find returns the position of the credential called name.
func (d *indexDoc) find(name string) (int, bool) {
	return slices.BinarySearchFunc(d.Credentials, name, func(c Credential, n string) int {
		return strings.Compare(c.Name, n)
	})
}

// convert brings a version 1 document to the current schema: a config dir
// ID, a revision per credential (its last test certifies it), and no
// journal.
func (d *indexDoc) convert() {
	if d.version >= indexVersion {
		return
	}
	for i := range d.Credentials {
		c := &d.Credentials[i]
		if c.Revision == 0 {
			d.Revision++
			c.Revision = d.Revision
			if c.LastTest != nil {
				c.LastTest.Revision = c.Revision
			}
		}
	}
	if len(d.Unknown) > 0 {
		var m map[string]jsontext.Value
		if json.Unmarshal(d.Unknown, &m) == nil {
			delete(m, v1JournalKey)
			if len(m) == 0 {
				d.Unknown = nil
			} else if b, err := json.Marshal(m, json.Deterministic(true)); err == nil {
				d.Unknown = b
			}
		}
	}
	d.version = indexVersion
}
