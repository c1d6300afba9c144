package vaultkv

import (
	"context"
	"net/http"
	"slices"
	"strings"
)

// Need is a capability a token must hold on one path of a key, for
// Require.
type Need struct {
	// Area is the KV version 2 API area of the path: "data", "metadata",
	// "delete" or "destroy".
	Area string
	// Key is the key under the client's folder.
	Key string
	// AnyOf lists capabilities of which one suffices, e.g. create or
	// update; the first is the one an error names.
	AnyOf []string
}

// capabilitiesAnswer is the answer of sys/capabilities-self.
type capabilitiesAnswer struct {
	Data map[string][]string `json:"data"`
}

// Require returns nil when the token holds every need (a root token holds
// them all), else a KindPermission *Error naming the first path and the
// capability missing, so that a command can refuse before it does
// anything. One request (sys/capabilities-self, which every token's
// default policy allows), after the mount check.
func (c *Client) Require(ctx context.Context, needs ...Need) error {
	if len(needs) == 0 {
		return nil
	}
	paths := make([]string, len(needs))
	for i, n := range needs {
		if err := validKey(n.Key); err != nil {
			return err
		}
		switch n.Area {
		case "data", "metadata", "delete", "destroy":
		default:
			return &Error{Kind: KindInvalid, Op: "capabilities", Detail: "unknown KV area " + visible(n.Area, 20)}
		}
		paths[i] = c.mount + "/" + n.Area + "/" + c.path + "/" + n.Key
	}
	if e := c.ensureMount(ctx); e != nil {
		return e
	}
	o := op{name: "capabilities", path: "sys/capabilities-self", capability: "update"}
	_, raw, e := c.send(ctx, o, http.MethodPut, nil, map[string]any{"paths": paths})
	if e != nil {
		return e
	}
	var ans capabilitiesAnswer
	if e := decode(o, raw, &ans); e != nil {
		return e
	}
	for i, n := range needs {
		held := ans.Data[paths[i]]
		if slices.Contains(held, "root") {
			continue
		}
		if slices.ContainsFunc(n.AnyOf, func(c string) bool { return slices.Contains(held, c) }) {
			continue
		}
		want := strings.Join(n.AnyOf, "\" or \"")
		return &Error{Kind: KindPermission, Op: "capabilities", Path: paths[i], Capability: n.AnyOf[0],
			Detail: "Vault denies " + n.AnyOf[0] + " on " + paths[i] + " to this token",
			Hint:   "ask a Vault admin for a policy that grants \"" + want + "\" on " + paths[i] + " to your token"}
	}
	return nil
}
