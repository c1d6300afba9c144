package vaultkv

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Secret is one version of a key.
type Secret struct {
	// Data is the version's fields, without AuthorField.
	Data map[string]string
	// Version is the version number (1 for the first write).
	Version int
	// Created is when the version was written (zero if Vault did not say).
	Created time.Time
	// UpdatedBy is who wrote this version (user@host), from its
	// AuthorField; "" for a version not written by Write.
	UpdatedBy string
	// CustomMetadata is the key's custom metadata (shared by all its
	// versions), e.g. UpdatedByKey.
	CustomMetadata map[string]string
}

// versionMeta is a version's metadata in Vault's answers.
type versionMeta struct {
	Version        json.Number    `json:"version"`
	CreatedTime    any            `json:"created_time"`
	DeletionTime   any            `json:"deletion_time"`
	Destroyed      bool           `json:"destroyed"`
	CustomMetadata map[string]any `json:"custom_metadata"`
}

// readAnswer is the answer to a read of <mount>/data/<key>.
type readAnswer struct {
	Data *struct {
		Data     map[string]any `json:"data"`
		Metadata versionMeta    `json:"metadata"`
	} `json:"data"`
}

// Read returns the latest version of key. A key that does not exist, or
// whose latest version is deleted or destroyed, is a KindNotFound error
// (with Version set in the latter case). One request (after the mount
// check); needs "read" on <mount>/data/<path>/<key>.
func (c *Client) Read(ctx context.Context, key string) (*Secret, error) {
	return c.ReadVersion(ctx, key, 0)
}

// ReadVersion returns the given version of key; 0 means the latest.
func (c *Client) ReadVersion(ctx context.Context, key string, version int) (*Secret, error) {
	if err := validKey(key); err != nil {
		return nil, err
	}
	if version < 0 {
		return nil, &Error{Kind: KindInvalid, Op: "read", Detail: fmt.Sprintf("version %d is negative", version)}
	}
	if e := c.ensureMount(ctx); e != nil {
		return nil, e
	}
	s, e := c.read(ctx, key, version)
	if e != nil {
		return nil, e
	}
	return s, nil
}

func (c *Client) read(ctx context.Context, key string, version int) (*Secret, *Error) {
	o := op{name: "read", path: c.dataPath(key), capability: "read"}
	var q url.Values
	if version > 0 {
		q = url.Values{"version": {strconv.Itoa(version)}}
	}
	_, raw, e := c.send(ctx, o, http.MethodGet, q, nil)
	var ans readAnswer
	if e != nil {
		// A deleted or destroyed version still has its metadata.
		if e.Kind == KindNotFound && len(raw) > 0 && decode(o, raw, &ans) == nil && ans.Data != nil {
			c.gone(e, key, ans.Data.Metadata)
		}
		return nil, e
	}
	if e := decode(o, raw, &ans); e != nil {
		return nil, e
	}
	if ans.Data == nil {
		return nil, &Error{Kind: KindServer, Op: o.name, Path: o.path, Detail: "Vault's answer to read on " + o.path + " is empty",
			Hint: "check that the mount is a KV version 2 engine"}
	}
	m := ans.Data.Metadata
	if ans.Data.Data == nil {
		e := &Error{Kind: KindNotFound, Op: o.name, Path: o.path}
		c.gone(e, key, m)
		return nil, e
	}
	v, err := m.Version.Int64()
	if err != nil || v < 1 {
		return nil, &Error{Kind: KindServer, Op: o.name, Path: o.path, Detail: "Vault's answer to read on " + o.path + " has no valid version number",
			Hint: "check that the mount is a KV version 2 engine"}
	}
	s := &Secret{Data: make(map[string]string, len(ans.Data.Data)), Version: int(v), Created: parseTime(m.CreatedTime),
		CustomMetadata: stringMap(m.CustomMetadata)}
	for k, val := range ans.Data.Data {
		if k == AuthorField {
			s.UpdatedBy = stringify(val)
			continue
		}
		s.Data[k] = stringify(val)
	}
	return s, nil
}

// gone fills a KindNotFound error for a version that is deleted or
// destroyed.
func (c *Client) gone(e *Error, key string, m versionMeta) {
	v, _ := m.Version.Int64()
	if v < 1 {
		return
	}
	e.Version = int(v)
	where := c.mount + "/" + c.path + "/" + key
	if m.Destroyed {
		e.Detail = fmt.Sprintf("version %d of %s is destroyed", v, where)
		e.Hint = "it cannot be recovered; write the key again"
		return
	}
	e.Detail = fmt.Sprintf("version %d of %s is deleted", v, where)
	e.Hint = fmt.Sprintf("a Vault admin can recover it (vault kv undelete -mount=%s -versions=%d %s/%s)", c.mount, v, c.path, key)
}

// writeAnswer is the answer to a write of <mount>/data/<key>.
type writeAnswer struct {
	Data *struct {
		Version json.Number `json:"version"`
	} `json:"data"`
}

// Write stores data as a new version of key, only if key is at version
// cas: 0 means "only if key does not exist yet" (nor has deleted
// versions). Otherwise the result is a KindCASMismatch error that names the
// current version and its writer when Vault tells them.
//
// Who wrote the version is recorded in two places. In the version's own
// data, as AuthorField: KV v2 keeps custom metadata per key, not per
// version, so only the data can say who wrote each version, and there it
// is written in the same check-and-set request, so no crash or race can
// separate a version from its author. And in the key's custom metadata,
// as UpdatedByKey (a second request, a JSON merge patch that keeps other
// entries), for people who browse Vault: if only that second request
// fails, Write returns the new version with an *Error whose Written is
// that version.
//
// Needs "create" (cas 0) or "update" on <mount>/data/<path>/<key> and
// "patch" on <mount>/metadata/<path>/<key>. Two requests after the mount
// check, one more to name the current version after a mismatch.
func (c *Client) Write(ctx context.Context, key string, data map[string]string, cas int) (int, error) {
	return c.write(ctx, key, data, cas, true)
}

// WriteUntracked is Write without the second request: the version's data
// still names its writer (AuthorField), but the key's custom metadata is
// left as it is. For entries that people do not browse, such as an index
// that every write rewrites. One request after the mount check; needs
// "create" (cas 0) or "update" on <mount>/data/<path>/<key>.
func (c *Client) WriteUntracked(ctx context.Context, key string, data map[string]string, cas int) (int, error) {
	return c.write(ctx, key, data, cas, false)
}

// write is Write; track says whether to set the key's UpdatedByKey.
func (c *Client) write(ctx context.Context, key string, data map[string]string, cas int, track bool) (int, error) {
	if err := validKey(key); err != nil {
		return 0, err
	}
	if err := validData(data); err != nil {
		return 0, err
	}
	if cas < 0 {
		return 0, &Error{Kind: KindInvalid, Op: "write", Detail: fmt.Sprintf("check-and-set version %d is negative", cas)}
	}
	if e := c.ensureMount(ctx); e != nil {
		return 0, e
	}
	fields := maps.Clone(data)
	if fields == nil {
		fields = map[string]string{}
	}
	fields[AuthorField] = c.author
	o := op{name: "write", path: c.dataPath(key), capability: "update", secrets: slices.Collect(maps.Values(data))}
	if cas == 0 {
		o.capability = "create"
	}
	body := map[string]any{"options": map[string]any{"cas": cas}, "data": fields}
	_, raw, e := c.send(ctx, o, http.MethodPut, nil, body)
	if e != nil {
		if e.Kind == KindCASMismatch {
			c.explainMismatch(ctx, e, key, cas)
		}
		return 0, e
	}
	var ans writeAnswer
	if e := decode(o, raw, &ans); e != nil {
		return 0, e
	}
	var v int64
	if ans.Data != nil {
		v, _ = ans.Data.Version.Int64()
	}
	if v < 1 {
		return 0, &Error{Kind: KindServer, Op: o.name, Path: o.path, Detail: "Vault's answer to write on " + o.path + " has no version number",
			Hint: "check the key with `vault kv metadata get`"}
	}
	if !track {
		return int(v), nil
	}
	mo := op{name: "set updated_by", path: c.metadataPath(key), capability: "patch"}
	_, _, e = c.send(ctx, mo, http.MethodPatch, nil, map[string]any{"custom_metadata": map[string]any{UpdatedByKey: c.author}})
	if e != nil {
		e.Written = int(v)
		e.Detail = fmt.Sprintf("version %d of %s/%s/%s was written, but its %s could not be set: %s", v, c.mount, c.path, key, UpdatedByKey, e.Detail)
		return int(v), e
	}
	return int(v), nil
}

// explainMismatch fills a KindCASMismatch error with the current version
// and its writer, when the key's metadata can be read.
func (c *Client) explainMismatch(ctx context.Context, e *Error, key string, cas int) {
	where := c.mount + "/" + c.path + "/" + key
	md, _ := c.metadata(ctx, key)
	if md != nil {
		e.Version = md.current
		e.By = visible(md.custom[UpdatedByKey], 128)
	}
	now := ""
	if e.Version > 0 {
		now = fmt.Sprintf(": version %d is current", e.Version)
		if e.By != "" {
			now += ", written by " + e.By
		}
	}
	if cas == 0 {
		e.Detail = where + " already exists" + now
		e.Hint = "someone else created it meanwhile: read it, then decide whether to replace it"
		return
	}
	e.Detail = fmt.Sprintf("%s changed since version %d was read%s", where, cas, now)
	e.Hint = "someone else changed it meanwhile: read it again and redo your change"
}

// listAnswer is the answer to a list of <mount>/metadata/<path>/.
type listAnswer struct {
	Data *struct {
		Keys []any `json:"keys"`
	} `json:"data"`
}

// List returns the keys under the client's folder, sorted. Sub-folders
// and names that ValidKey refuses are left out; a folder that does not
// exist yet is empty. One request (after the mount check); needs "list"
// on <mount>/metadata/<path>/.
func (c *Client) List(ctx context.Context) ([]string, error) {
	if e := c.ensureMount(ctx); e != nil {
		return nil, e
	}
	o := op{name: "list", path: c.listPath(), capability: "list"}
	_, raw, e := c.send(ctx, o, http.MethodGet, url.Values{"list": {"true"}}, nil)
	if e != nil {
		if e.Kind == KindNotFound {
			return []string{}, nil
		}
		return nil, e
	}
	var ans listAnswer
	if e := decode(o, raw, &ans); e != nil {
		return nil, e
	}
	keys := []string{}
	if ans.Data != nil {
		for _, k := range ans.Data.Keys {
			s, ok := k.(string)
			if ok && !strings.HasSuffix(s, "/") && ValidKey(s) == nil {
				keys = append(keys, s)
			}
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys), nil
}
