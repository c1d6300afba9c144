package vaultkv

import (
	"context"
	"net/http"
	"strings"
)

// mountAnswer is the part of the mount preflight answer
// (sys/internal/ui/mounts/<path>, what the vault CLI asks before a kv
// command) that CheckMount uses.
type mountAnswer struct {
	Data *struct {
		Type     any            `json:"type"`
		Path     any            `json:"path"`
		Options  map[string]any `json:"options"`
		Accessor any            `json:"accessor"`
		UUID     any            `json:"uuid"`
	} `json:"data"`
}

// CheckMount returns nil when the client's mount is a KV version 2 engine
// that the token may use under its folder. Otherwise it returns a
// KindNoMount error (nothing mounted there, another engine, a mount at
// another path, or a token that may use nothing in the mount), a KindKVv1
// error, or the failure of the request. Every other method checks the
// mount once per Client before its first request, so a KV version 1 mount
// is never written to as if it were version 2 (one request, any token may
// send it).
func (c *Client) CheckMount(ctx context.Context) error {
	if err := c.checkMount(ctx); err != nil {
		return err
	}
	return nil
}

func (c *Client) checkMount(ctx context.Context) *Error {
	o := op{name: "check mount", path: "sys/internal/ui/mounts/" + c.mount + "/" + c.path, capability: "read"}
	where := c.mount + "/"
	_, raw, e := c.send(ctx, o, http.MethodGet, nil, nil)
	if e != nil {
		if e.Kind == KindPermission {
			// The preflight answers 403 both for a path no engine serves
			// and for one the token may not use (so that it cannot be used
			// to list mounts).
			e.Kind, e.Capability = KindNoMount, ""
			e.Detail = "no secrets engine is mounted at " + where + " on " + c.addr + ", or this token may use nothing in it"
			e.Hint = "check --vault-mount; a Vault admin can enable KV version 2 there (vault secrets enable -path=" + c.mount +
				" kv-v2) or grant your policy access to " + c.mount + "/data/" + c.path + "/*"
		}
		return e
	}
	var ans mountAnswer
	if e := decode(o, raw, &ans); e != nil {
		return e
	}
	if ans.Data == nil {
		return &Error{Kind: KindServer, Op: o.name, Path: o.path, Detail: "Vault's answer about the mount " + where + " is empty",
			Hint: "check that VAULT_ADDR points at Vault"}
	}
	typ, path := stringify(ans.Data.Type), stringify(ans.Data.Path)
	version := stringify(ans.Data.Options["version"])
	switch {
	case typ != "kv" && typ != "generic":
		return &Error{Kind: KindNoMount, Op: o.name, Path: o.path,
			Detail: where + " is a " + visible(typ, 40) + " secrets engine, not a KV engine",
			Hint:   "choose a KV version 2 mount with --vault-mount"}
	case strings.Trim(path, "/") != c.mount:
		return &Error{Kind: KindNoMount, Op: o.name, Path: o.path,
			Detail: "the KV engine serving " + c.mount + "/" + c.path + " is mounted at " + visible(path, 100) + ", not at " + where,
			Hint:   "set --vault-mount " + visible(strings.Trim(path, "/"), 100) + " and the folder below it with --vault-path"}
	case version != "2":
		return &Error{Kind: KindKVv1, Op: o.name, Path: o.path,
			Detail: where + " is a KV version 1 engine, which keeps no versions and has no check-and-set",
			Hint:   "a Vault admin can upgrade it (vault kv enable-versioning " + where + "), or choose a KV version 2 mount with --vault-mount"}
	}
	id := visible(stringify(ans.Data.Accessor), 100)
	if u := visible(stringify(ans.Data.UUID), 100); u != "" {
		id += "/" + u
	}
	c.mountID.Store(&id)
	return nil
}

// MountID identifies the mount as the server answered the mount check
// (its accessor and UUID, which a mount enabled anew, or another server,
// does not share), "" before a check succeeded or when the server does
// not say.
func (c *Client) MountID() string {
	if p := c.mountID.Load(); p != nil {
		return *p
	}
	return ""
}

// EnsureMount is CheckMount once per Client: it sends a request only until
// one succeeds. Every other method calls it first; a caller about to send
// several requests at once calls it before, so that they do not each
// check the mount.
func (c *Client) EnsureMount(ctx context.Context) error {
	if e := c.ensureMount(ctx); e != nil {
		return e
	}
	return nil
}

// ensureMount runs CheckMount once per Client (again after a failure).
func (c *Client) ensureMount(ctx context.Context) *Error {
	if c.mountOK.Load() {
		return nil
	}
	if e := c.checkMount(ctx); e != nil {
		return e
	}
	c.mountOK.Store(true)
	return nil
}
