package vaultkv

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"syscall"

	"github.com/hashicorp/vault/api"
)

// classify turns a failed request into an *Error: a refusal by Vault by
// its status and message, anything else as unreachable or canceled.
func (c *Client) classify(ctx context.Context, o op, err error) *Error {
	var re *api.ResponseError
	if errors.As(err, &re) {
		return c.classifyResponse(ctx, o, re.StatusCode, re.Errors)
	}
	e := &Error{Kind: KindUnreachable, Op: o.name, Path: o.path}
	var dnsErr *net.DNSError
	var netErr net.Error
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalidErr x509.CertificateInvalidError
	var verifyErr *tls.CertificateVerificationError
	var recordErr tls.RecordHeaderError
	var alertErr tls.AlertError
	switch {
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		e.Kind, e.cause = KindCanceled, context.Canceled
		e.Detail = "the request to Vault was canceled"
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		e.cause = context.DeadlineExceeded
		e.Detail = fmt.Sprintf("Vault at %s did not answer within %s", c.addr, c.timeout)
		e.Hint = "check that the server is up and reachable from here, or allow more time with --timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		e.cause = syscall.ECONNREFUSED
		e.Detail = "Vault at " + c.addr + " refused the connection"
		e.Hint = "check VAULT_ADDR and that the Vault server is running"
	case errors.As(err, &dnsErr):
		e.Detail = "cannot resolve the host of VAULT_ADDR " + c.addr
		e.Hint = "check VAULT_ADDR for typos, and this machine's DNS"
	case errors.As(err, &unknownCA), errors.As(err, &hostErr), errors.As(err, &invalidErr),
		errors.As(err, &verifyErr), errors.As(err, &recordErr), errors.As(err, &alertErr),
		errors.Is(err, http.ErrSchemeMismatch):
		e.Detail = "the TLS handshake with Vault at " + c.addr + " failed (" + c.safe(o, err.Error()) + ")"
		e.Hint = "set VAULT_CACERT to the file of the CA that signed the server's certificate, or check VAULT_ADDR's host name and scheme"
	case errors.Is(err, errTooLarge):
		e.Kind = KindServer
		e.Detail = errTooLarge.Error() + " (" + o.name + " on " + o.path + ")"
		e.Hint = "check that VAULT_ADDR points at Vault"
	default:
		e.Detail = "cannot reach Vault at " + c.addr + " (" + c.safe(o, err.Error()) + ")"
		e.Hint = "check VAULT_ADDR, the network and the server"
	}
	return e
}

// classifyResponse classifies a refusal by status and Vault's messages.
func (c *Client) classifyResponse(ctx context.Context, o op, status int, msgs []string) *Error {
	e := &Error{Kind: KindServer, Op: o.name, Path: o.path}
	lower := strings.ToLower(strings.Join(msgs, " "))
	switch {
	case status == http.StatusServiceUnavailable && strings.Contains(lower, "sealed"):
		e.Kind = KindSealed
		e.Detail = "Vault at " + c.addr + " is sealed"
		e.Hint = "ask a Vault operator to unseal it (vault operator unseal), then retry"
	case status == http.StatusForbidden && (strings.Contains(lower, "invalid token") || !c.tokenValid(ctx)):
		c.badToken(e)
	case status == http.StatusForbidden:
		e.Kind = KindPermission
		e.Capability = o.capability
		e.Detail = "Vault denied " + o.capability + " on " + o.path
		e.Hint = "ask a Vault admin for a policy that grants \"" + o.capability + "\" on " + o.path + " to your token"
	case status == http.StatusBadRequest && strings.Contains(lower, "check-and-set"):
		e.Kind = KindCASMismatch
		e.Detail = o.path + " changed since it was read"
		e.Hint = "someone else changed it: read it again and redo your change"
	case status == http.StatusNotFound:
		e.Kind = KindNotFound
		e.Detail = "no key at " + o.path
		e.Hint = "check the name; a Vault admin can recover a deleted version"
	case status == http.StatusTooManyRequests:
		e.Detail = "Vault at " + c.addr + " is rate-limiting requests (" + o.name + " on " + o.path + ")"
		e.Hint = "retry in a moment"
	default:
		e.Detail = fmt.Sprintf("Vault refused %s on %s (HTTP %d: %s)", o.name, o.path, status, c.safe(o, strings.Join(msgs, "; ")))
		e.Hint = "if it persists, show this message to a Vault admin"
	}
	return e
}

// badToken makes e a KindBadToken error.
func (c *Client) badToken(e *Error) {
	e.Kind = KindBadToken
	e.Capability = ""
	e.Detail = "Vault at " + c.addr + " refused the token (from " + c.auth + ") as invalid or expired"
	e.Hint = "log in again (`vault login`) or set a fresh VAULT_TOKEN; for AppRole check VAULT_ROLE_ID and VAULT_SECRET_ID"
}

// safe returns text from outside (Vault's messages, network errors) fit
// for an error: withheld when it holds the token or a value being written.
func (c *Client) safe(o op, text string) string {
	return safeServerText([]string{text}, slices.Concat(c.secrets, o.secrets))
}
