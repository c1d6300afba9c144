package vaultkv

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"

	"github.com/hashicorp/vault/api"
)

// op describes one request, for its error: what it does, the API path
// (without /v1/), the capability that path needs, and values that the
// request carries which no error text may contain.
type op struct {
	name       string
	path       string
	capability string
	secrets    []string
}

// send runs one request to o.path within the client's timeout and returns
// the answer's status and body. A status of 400 or more, or a failure to
// get an answer, is returned as a classified *Error; the status and body
// are returned with it (for a 404 that still describes a deleted version).
func (c *Client) send(ctx context.Context, o op, method string, query url.Values, body any) (int, []byte, *Error) {
	if err := ctx.Err(); err != nil {
		return 0, nil, c.classify(ctx, o, err)
	}
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return 0, nil, &Error{Kind: KindConfig, Op: o.name, Path: o.path, Detail: "cannot encode the request: " + err.Error()}
		}
	}
	rctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var resp *api.Response
	var err error
	l := c.api.Logical()
	switch method {
	case http.MethodGet:
		resp, err = l.ReadRawWithDataWithContext(rctx, o.path, query)
	case http.MethodPut:
		resp, err = l.WriteRawWithContext(rctx, o.path, payload)
	case http.MethodDelete:
		resp, err = l.DeleteRawWithContext(rctx, o.path)
	case http.MethodPatch:
		data, _ := body.(map[string]any)
		_, err = l.JSONMergePatch(rctx, o.path, data)
	default:
		panic("vaultkv: unsupported method " + method)
	}
	status := 0
	var raw []byte
	if resp != nil {
		status = resp.StatusCode
		if resp.Body != nil {
			var rerr error
			raw, rerr = io.ReadAll(resp.Body)
			resp.Body.Close()
			if rerr != nil && err == nil {
				err = rerr
			}
		}
	}
	if err != nil {
		return status, raw, c.classify(ctx, o, err)
	}
	if status >= 300 && status < 400 {
		return status, raw, &Error{Kind: KindServer, Op: o.name, Path: o.path,
			Detail: "Vault at " + c.addr + " answered with a redirect, which credwiz does not follow with a token",
			Hint:   "set VAULT_ADDR to the address of the active Vault node"}
	}
	return status, raw, nil
}

// decode parses an answer's JSON body into v; a body that does not parse
// is a KindServer error.
func decode(o op, raw []byte, v any) *Error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return &Error{Kind: KindServer, Op: o.name, Path: o.path,
			Detail: "Vault's answer to " + o.name + " on " + o.path + " is not what a KV version 2 engine sends",
			Hint:   "check that the mount is a KV version 2 engine, and that VAULT_ADDR points at Vault", cause: errors.New(visible(err.Error(), 200))}
	}
	return nil
}

// tokenValid asks Vault whether the client's token is valid (a lookup of
// itself, which every token's default policy allows). It reports true
// when the answer is anything but a refusal, so that a doubtful case is
// reported as the original error.
func (c *Client) tokenValid(ctx context.Context) bool {
	rctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	resp, err := c.api.Logical().ReadRawWithContext(rctx, "auth/token/lookup-self")
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	var re *api.ResponseError
	if errors.As(err, &re) && re.StatusCode == http.StatusForbidden {
		return false
	}
	return true
}
