package vaultkv

import (
	"context"
	"maps"
	"slices"
)

// KeyMeta is a key's metadata: its versions without their data.
type KeyMeta struct {
	// CurrentVersion is the latest version's number.
	CurrentVersion int
	// Versions are the numbers of the versions Vault keeps, ascending
	// (deleted and destroyed ones included).
	Versions []int
	// CustomMetadata is the key's custom metadata, e.g. UpdatedByKey.
	CustomMetadata map[string]string
}

// Meta returns key's metadata. A key that does not exist is a
// KindNotFound error. One request (after the mount check); needs "read" on
// <mount>/metadata/<path>/<key>.
func (c *Client) Meta(ctx context.Context, key string) (*KeyMeta, error) {
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
	return &KeyMeta{CurrentVersion: md.current, Versions: slices.Sorted(maps.Keys(md.versions)), CustomMetadata: md.custom}, nil
}
