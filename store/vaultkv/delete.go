package vaultkv

import (
	"context"
	"fmt"
	"net/http"
)

// Delete soft-deletes a version of key: Vault keeps its data, and an admin
// can undelete it. version 0 deletes the latest version whatever it is
// (one request; "delete" on <mount>/data/<path>/<key>; deleting a key that
// does not exist is no error). version > 0 deletes exactly that version
// ("update" on <mount>/delete/<path>/<key>), then checks that it was the
// latest ("read" on <mount>/metadata/...): if someone wrote a newer one,
// the result is a KindCASMismatch error, and the key lives on with it.
func (c *Client) Delete(ctx context.Context, key string, version int) error {
	if err := validKey(key); err != nil {
		return err
	}
	if version < 0 {
		return &Error{Kind: KindInvalid, Op: "delete", Detail: fmt.Sprintf("version %d is negative", version)}
	}
	if e := c.ensureMount(ctx); e != nil {
		return e
	}
	if version == 0 {
		o := op{name: "delete", path: c.dataPath(key), capability: "delete"}
		if _, _, e := c.send(ctx, o, http.MethodDelete, nil, nil); e != nil {
			return e
		}
		return nil
	}
	o := op{name: "delete", path: c.deletePath(key), capability: "update"}
	if _, _, e := c.send(ctx, o, http.MethodPut, nil, map[string]any{"versions": []int{version}}); e != nil {
		return e
	}
	md, e := c.metadata(ctx, key)
	if e != nil {
		return e
	}
	if md.current != version {
		where := c.mount + "/" + c.path + "/" + key
		by := visible(md.custom[UpdatedByKey], 128)
		detail := fmt.Sprintf("version %d of %s was deleted, but version %d is newer and remains", version, where, md.current)
		if by != "" {
			detail += " (written by " + by + ")"
		}
		return &Error{Kind: KindCASMismatch, Op: "delete", Path: c.dataPath(key), Version: md.current, By: by, Detail: detail,
			Hint: "someone else changed it meanwhile: read it again and decide whether to delete it"}
	}
	return nil
}

// Destroy removes key with every version and its metadata, for good.
// Destroying a key that does not exist is no error. One request (after
// the mount check); needs "delete" on <mount>/metadata/<path>/<key>.
func (c *Client) Destroy(ctx context.Context, key string) error {
	if err := validKey(key); err != nil {
		return err
	}
	if e := c.ensureMount(ctx); e != nil {
		return e
	}
	o := op{name: "destroy", path: c.metadataPath(key), capability: "delete"}
	if _, _, e := c.send(ctx, o, http.MethodDelete, nil, nil); e != nil {
		return e
	}
	return nil
}

// DestroyVersions destroys the data of the given versions of key for
// good, keeping the key's metadata: its version numbers go on from where
// they were if the key is written again, and Versions still lists the
// destroyed ones. Versions that do not exist (or no longer) are ignored.
// One request (after the mount check); needs "update" on
// <mount>/destroy/<path>/<key>.
func (c *Client) DestroyVersions(ctx context.Context, key string, versions []int) error {
	return c.putVersions(ctx, "destroy", c.destroyPath, key, versions)
}

// DeleteVersions soft-deletes the given versions of key (an admin can
// undelete them); versions that do not exist are ignored. One request
// (after the mount check); needs "update" on <mount>/delete/<path>/<key>.
func (c *Client) DeleteVersions(ctx context.Context, key string, versions []int) error {
	return c.putVersions(ctx, "delete", c.deletePath, key, versions)
}

// putVersions sends {"versions": versions} to path(key), as operation
// name: the request of DestroyVersions and DeleteVersions.
func (c *Client) putVersions(ctx context.Context, name string, path func(string) string, key string, versions []int) error {
	if err := validKey(key); err != nil {
		return err
	}
	for _, v := range versions {
		if v < 1 {
			return &Error{Kind: KindInvalid, Op: name, Detail: fmt.Sprintf("version %d is not a version number", v)}
		}
	}
	if len(versions) == 0 {
		return nil
	}
	if e := c.ensureMount(ctx); e != nil {
		return e
	}
	o := op{name: name, path: path(key), capability: "update"}
	if _, _, e := c.send(ctx, o, http.MethodPut, nil, map[string]any{"versions": versions}); e != nil {
		return e
	}
	return nil
}
