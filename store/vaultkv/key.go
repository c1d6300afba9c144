package vaultkv

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxKeyLen is the longest key ValidKey accepts.
const MaxKeyLen = 64

// AuthorField is the data field, in every version Write creates, that
// names who wrote that version (user@host). Read and Versions return it
// as UpdatedBy, never in Data; Write refuses data that sets it.
const AuthorField = "_credwiz_updated_by"

// UpdatedByKey is the key's custom metadata entry that Write sets to the
// writer of the latest version, for people who browse Vault directly.
const UpdatedByKey = "updated_by"

// ValidKey returns nil when key can name a key under the client's folder:
// 1 to MaxKeyLen ASCII letters, digits, '.', '_' or '-', and not "." or
// ".." (which would address the folder or its parent). Otherwise it
// returns a KindInvalid *Error.
func ValidKey(key string) error {
	bad := key == "" || key == "." || key == ".." || len(key) > MaxKeyLen
	for _, r := range key {
		ok := 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '.' || r == '_' || r == '-'
		if !ok {
			bad = true
		}
	}
	if bad {
		return &Error{Kind: KindInvalid, Op: "validate", Detail: fmt.Sprintf("%q is not a valid Vault key name", visible(key, MaxKeyLen)),
			Hint: "use 1–64 characters: letters, digits, '.', '_' or '-' (not \".\" or \"..\")"}
	}
	return nil
}

// ReservedPrefix begins the keys a program keeps beside its named keys
// (credwiz's index of credentials, "@index"). No key that ValidKey accepts
// begins with it, so a reserved key never collides with a name; List
// leaves reserved keys out, and every other method accepts them.
const ReservedPrefix = "@"

// validKey accepts what ValidKey accepts, and ReservedPrefix followed by
// a key ValidKey accepts.
func validKey(key string) error {
	if rest, ok := strings.CutPrefix(key, ReservedPrefix); ok && ValidKey(rest) == nil {
		return nil
	}
	return ValidKey(key)
}

// validData checks the field names Write stores: non-empty valid UTF-8,
// at most 256 bytes, not AuthorField. Values may be anything valid UTF-8.
func validData(data map[string]string) error {
	for k, v := range data {
		why := ""
		switch {
		case k == "" || len(k) > 256 || !utf8.ValidString(k):
			why = fmt.Sprintf("the field name %q is empty, longer than 256 bytes or not UTF-8", visible(k, 40))
		case k == AuthorField:
			why = "the field name " + AuthorField + " is reserved for the writer's name"
		case !utf8.ValidString(v):
			why = fmt.Sprintf("the value of field %q is not valid UTF-8", visible(k, 40))
		}
		if why != "" {
			return &Error{Kind: KindInvalid, Op: "write", Detail: why, Hint: "rename the field or fix its value"}
		}
	}
	return nil
}

// paths of a key in the KV version 2 API.
func (c *Client) dataPath(key string) string     { return c.mount + "/data/" + c.path + "/" + key }
func (c *Client) metadataPath(key string) string { return c.mount + "/metadata/" + c.path + "/" + key }
func (c *Client) deletePath(key string) string   { return c.mount + "/delete/" + c.path + "/" + key }
func (c *Client) destroyPath(key string) string  { return c.mount + "/destroy/" + c.path + "/" + key }
func (c *Client) listPath() string               { return c.mount + "/metadata/" + c.path + "/" }
