package vaultkv

import "errors"

// Kind classifies an *Error. The zero Kind is never used.
type Kind int

// The kinds of failure. A Kind is an error too, that errors.Is matches
// against any *Error of that kind.
const (
	// KindConfig: the settings are unusable (a malformed VAULT_ADDR, an
	// unreadable VAULT_CACERT, VAULT_SKIP_VERIFY, a bad mount or path).
	KindConfig Kind = iota + 1
	// KindNoToken: no token in VAULT_TOKEN or the token file, and no AppRole.
	KindNoToken
	// KindBadToken: Vault refused the token as invalid or expired, or
	// refused the AppRole login.
	KindBadToken
	// KindUnreachable: no answer from Vault: connection refused, a host
	// name that does not resolve, a failed TLS handshake, or no answer
	// within the timeout.
	KindUnreachable
	// KindSealed: the server answers but is sealed.
	KindSealed
	// KindPermission: the token's policies lack a capability on a path
	// (Error.Capability on Error.Path).
	KindPermission
	// KindCASMismatch: the key is not at the version the write was based
	// on: someone else changed (or created) it since it was read.
	KindCASMismatch
	// KindNotFound: no such key, or its latest version is deleted or
	// destroyed (Error.Version then says which version).
	KindNotFound
	// KindKVv1: the mount is a KV version 1 engine, which has neither
	// versions nor check-and-set.
	KindKVv1
	// KindNoMount: no KV engine is mounted at the mount path (or the
	// token may use nothing under it).
	KindNoMount
	// KindServer: any other refusal or malformed answer from the server.
	KindServer
	// KindCanceled: the caller's context was canceled (Ctrl-C).
	KindCanceled
	// KindInvalid: the caller passed a key or data that cannot be stored
	// (nothing was sent).
	KindInvalid
)

var kindNames = map[Kind]string{
	KindConfig:      "config",
	KindNoToken:     "no_token",
	KindBadToken:    "bad_token",
	KindUnreachable: "unreachable",
	KindSealed:      "sealed",
	KindPermission:  "permission_denied",
	KindCASMismatch: "cas_mismatch",
	KindNotFound:    "not_found",
	KindKVv1:        "kv_v1_mount",
	KindNoMount:     "no_mount",
	KindServer:      "server",
	KindCanceled:    "canceled",
	KindInvalid:     "invalid",
}

// String returns the kind's snake_case name, stable for --json output.
func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return "unknown"
}

// Error makes a Kind its own sentinel: errors.Is(err, KindSealed) matches
// any *Error of that kind.
func (k Kind) Error() string { return k.String() }

// Error is every failure of this package. Its message is complete (what
// happened, then what to do next) so callers print it as it is; the fields
// are for callers that branch or render differently. No field holds a
// secret value or a token.
type Error struct {
	// Kind says what went wrong.
	Kind Kind
	// Op is the operation: "login", "check mount", "read", "write",
	// "set updated_by", "list", "versions", "delete" or "destroy".
	Op string
	// Path is the Vault API path involved, e.g. secret/data/credwiz/prod-db.
	Path string
	// Capability is, for KindPermission, the policy capability that Path
	// needs ("read", "create", "update", "patch", "list", "delete").
	Capability string
	// Version is, for KindCASMismatch, the version now current (0 when
	// unknown); for KindNotFound, the deleted or destroyed latest version
	// (0 when the key does not exist at all).
	Version int
	// By is, for KindCASMismatch, who wrote the current version (the key's
	// updated_by), when known.
	By string
	// Written is, when non-zero, the version that Write did create before
	// this error (which then concerns only the key's custom metadata).
	Written int
	// Detail says what happened, in one clause.
	Detail string
	// Hint says what to do next.
	Hint string
	// cause is an underlying error without secrets (context or network),
	// for errors.Is; nil when none.
	cause error
}

// Error returns "Detail: Hint" (or Detail alone).
func (e *Error) Error() string {
	if e.Hint == "" {
		return e.Detail
	}
	return e.Detail + ": " + e.Hint
}

// Unwrap returns the Kind and the underlying cause, so that
// errors.Is(err, KindSealed) and errors.Is(err, context.Canceled) work.
func (e *Error) Unwrap() []error {
	out := []error{e.Kind}
	if e.cause != nil {
		out = append(out, e.cause)
	}
	return out
}

// KindOf returns the Kind of the first *Error in err's chain, or 0.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}
