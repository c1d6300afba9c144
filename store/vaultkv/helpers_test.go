package vaultkv

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/credwiz/credwiz/internal/vaulttest"
)

// Thin names for the shared helpers of internal/vaulttest.
var (
	requireVault    = vaulttest.Require
	rootAPI         = vaulttest.API
	admin           = vaulttest.Admin
	randomHex       = vaulttest.RandomHex
	testFolder      = vaulttest.Folder
	tokenWithPolicy = vaulttest.TokenWithPolicy
	readOnlyRules   = vaulttest.ReadOnlyRules
)

// fakeToken is a token of the shape Vault issues, for servers that do not
// check it.
const fakeToken = "hvs.CAESIFakeTestTokenForCredwizTests0123"

// newClient returns a Client of the shared dev server on a fresh test
// folder, with the root token unless cfg says otherwise.
func newClient(t testing.TB, cfg Config) *Client {
	t.Helper()
	addr, root := requireVault(t)
	if cfg.Address == "" {
		cfg.Address = addr
	}
	if cfg.Token == "" {
		cfg.Token = root
	}
	if cfg.Path == "" {
		cfg.Path = testFolder(t)
	}
	if cfg.Author == "" {
		cfg.Author = "tester@test-host"
	}
	c, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// wantKind fails the test unless err is an *Error of kind k that
// errors.Is matches with k.
func wantKind(t testing.TB, err error, k Kind) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want a %v *Error, got %T: %v", k, err, err)
	}
	if e.Kind != k || !errors.Is(err, k) {
		t.Fatalf("want kind %v, got %v: %v", k, e.Kind, err)
	}
	if e.Error() == "" || e.Hint == "" && k != KindInvalid && k != KindCanceled {
		t.Fatalf("%v error without message or hint: %q", k, e.Error())
	}
	return e
}

// ctxT returns a context bounded by 60 s (every test call returns well
// before, or the test is stuck).
func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}
