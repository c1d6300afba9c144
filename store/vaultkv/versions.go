package vaultkv

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// VersionInfo describes one version of a key, for a history.
type VersionInfo struct {
	// Version is the version number.
	Version int
	// Created is when it was written (zero if Vault did not say).
	Created time.Time
	// Deleted is when it was soft-deleted; zero if it is not.
	Deleted time.Time
	// Destroyed says its data is gone for good.
	Destroyed bool
	// UpdatedBy is who wrote it (user@host); "" when unknown: deleted,
	// destroyed, or not written by Write.
	UpdatedBy string
	// Changed holds the names (never values) of the fields this version
	// added, removed or changed compared with the version before it,
	// sorted; every field for version 1. Nil when unknown: this or the
	// version before is deleted, destroyed or no longer kept.
	Changed []string
}

// History is a key's metadata and versions.
type History struct {
	// CurrentVersion is the latest version's number.
	CurrentVersion int
	// CustomMetadata is the key's custom metadata, e.g. UpdatedByKey.
	CustomMetadata map[string]string
	// Versions are the versions Vault keeps, oldest first.
	Versions []VersionInfo
}

// metadataAnswer is the answer to a read of <mount>/metadata/<key>.
type metadataAnswer struct {
	Data *struct {
		CurrentVersion json.Number            `json:"current_version"`
		CustomMetadata map[string]any         `json:"custom_metadata"`
		Versions       map[string]versionMeta `json:"versions"`
	} `json:"data"`
}

// keyMetadata is a key's decoded metadata.
type keyMetadata struct {
	current  int
	custom   map[string]string
	versions map[int]versionMeta
}

// keyMeta checks key and the mount, then reads key's metadata.
func (c *Client) keyMeta(ctx context.Context, key string) (*keyMetadata, error) {
	if err := validKey(key); err != nil {
		return nil, err
	}
	if e := c.ensureMount(ctx); e != nil {
		return nil, e
	}
	md, e := c.metadata(ctx, key)
	if e != nil {
		return nil, e
	}
	return md, nil
}

// metadata reads key's metadata: one request, "read" on
// <mount>/metadata/<path>/<key>.
func (c *Client) metadata(ctx context.Context, key string) (*keyMetadata, *Error) {
	o := op{name: "versions", path: c.metadataPath(key), capability: "read"}
	_, raw, e := c.send(ctx, o, http.MethodGet, nil, nil)
	if e != nil {
		return nil, e
	}
	var ans metadataAnswer
	if e := decode(o, raw, &ans); e != nil {
		return nil, e
	}
	if ans.Data == nil {
		return nil, &Error{Kind: KindNotFound, Op: o.name, Path: o.path, Detail: "no key at " + o.path, Hint: "check the name"}
	}
	cur, _ := ans.Data.CurrentVersion.Int64()
	md := &keyMetadata{current: int(cur), custom: stringMap(ans.Data.CustomMetadata), versions: map[int]versionMeta{}}
	for k, m := range ans.Data.Versions {
		n, err := strconv.Atoi(k)
		if err == nil && n > 0 {
			md.versions[n] = m
		}
	}
	return md, nil
}

// Versions returns key's history: every version Vault keeps, with when,
// who and which fields changed. It reads the key's metadata (one request,
// "read" on <mount>/metadata/<path>/<key>) and then each version that is
// neither deleted nor destroyed (one request each, "read" on
// <mount>/data/<path>/<key>), since only a version's own data says who
// wrote it (see Write). A key that does not exist is a KindNotFound error.
func (c *Client) Versions(ctx context.Context, key string) (*History, error) {
	md, err := c.keyMeta(ctx, key)
	if err != nil {
		return nil, err
	}
	h := &History{CurrentVersion: md.current, CustomMetadata: md.custom}
	nums := slices.Sorted(maps.Keys(md.versions))
	var prev map[string]string // data of version n-1 when it was read
	prevNum := 0
	for _, n := range nums {
		m := md.versions[n]
		vi := VersionInfo{Version: n, Created: parseTime(m.CreatedTime), Deleted: parseTime(m.DeletionTime), Destroyed: m.Destroyed}
		var data map[string]string
		if vi.Deleted.IsZero() && !vi.Destroyed {
			s, e := c.read(ctx, key, n)
			switch {
			case e == nil:
				data, vi.UpdatedBy = s.Data, s.UpdatedBy
			case e.Kind == KindNotFound:
				// Deleted or destroyed since the metadata was read.
			default:
				return nil, e
			}
		}
		switch {
		case data != nil && n == 1:
			vi.Changed = slices.Sorted(maps.Keys(data))
		case data != nil && prev != nil && prevNum == n-1:
			vi.Changed = changedFields(prev, data)
		}
		prev, prevNum = data, n
		h.Versions = append(h.Versions, vi)
	}
	return h, nil
}

// changedFields returns the sorted names of fields added, removed or
// changed from a to b.
func changedFields(a, b map[string]string) []string {
	out := []string{}
	for k, v := range b {
		if old, ok := a[k]; !ok || old != v {
			out = append(out, k)
		}
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}
