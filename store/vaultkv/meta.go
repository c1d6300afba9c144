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
	md, err := c.keyMeta(ctx, key)
	if err != nil {
		return nil, err
	}
	return &KeyMeta{CurrentVersion: md.current, Versions: slices.Sorted(maps.Keys(md.versions)), CustomMetadata: md.custom}, nil
}
