package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// DefaultProbeTimeout bounds auto's keychain probe when Options gives none.
const DefaultProbeTimeout = time.Second

// Options say which secret store Open returns.
type Options struct {
	// Dir is the config dir; "" means DefaultDir().
	Dir string
	// Kind is the store asked for: KindAuto (or ""), KindKeychain, KindFile
	// or KindMemory (tests).
	Kind Kind
	// Passphrase asks for the encrypted file store's passphrase; it is
	// used only when CREDWIZ_PASSPHRASE is unset. nil means nobody can be
	// asked: reading a secret then needs an unlocked session or
	// CREDWIZ_IDENTITY_FILE, and creating the store CREDWIZ_PASSPHRASE.
	Passphrase PassphraseFunc
	// WorkFactor is the scrypt work factor of the identity files the
	// encrypted file store writes; zero means DefaultWorkFactor.
	WorkFactor int
	// Timeout bounds each keychain call; zero means DefaultKeychainTimeout.
	Timeout time.Duration
	// ProbeTimeout bounds auto's keychain probe; zero means
	// DefaultProbeTimeout.
	ProbeTimeout time.Duration
	// Vault configures the Vault store (Kind vault, or recorded).
	Vault VaultOptions
	// Context is the context of the Vault store's calls that take none
	// (Store.Secret, Store.CachedToken, its Catalog); nil means
	// context.Background().
	Context context.Context
	// SecretKeys returns the keys of the secret fields of the connector
	// called id (nil when it knows no such connector). The Vault store,
	// whose entries anyone with write access can edit, takes these keys
	// for secrets whatever an entry's bookkeeping says: it never shows
	// them, nor copies them into its index. nil trusts the bookkeeping.
	SecretKeys func(connectorID string) []string

	// services are the keychain services, [secrets, tokens]; zero means
	// SecretService and TokenService. Tests set their own.
	services [2]string
}

// Store is the metadata index plus the secret store of the resolved kind.
// Build one with Open, or, in tests, as a literal over a Memory (or with
// NewStore).
type Store struct {
	// Index holds the metadata.
	Index *Index
	// Secrets holds each credential's secret map (service "credwiz").
	Secrets Secrets
	// Tokens holds cached access tokens (service "credwiz-token").
	Tokens Secrets
	// Kind is the resolved kind: KindKeychain, KindFile or KindMemory.
	Kind Kind
	// Reason says how Kind was chosen, for doctor and status lines
	// ("recorded in credentials.json", "keychain answered in 2ms", …).
	Reason string
	// Fallback, when auto chose the encrypted file because no keychain
	// answered, is why the keychain did not (an *UnavailableError).
	Fallback error
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Hook, when set, is called after each write step of a change, so
	// that tests can stop a process between two writes. nil does nothing.
	Hook func(Step)
	// Location says, for the Vault store, which folder of which server
	// holds the credentials ("secret/credwiz on https://vault:8200"); ""
	// for the local stores.
	Location string

	// remote, when set, keeps the credentials whole (the Vault store);
	// Index then records only the store's settings and Tokens is the
	// local cache of access tokens.
	remote backend

	// File is the encrypted file store when Kind is KindFile (its
	// identity, recipients and sessions), else nil.
	File *FileStore

	// opts are the options Open was given, for Migrate.
	opts Options
}

// probeName is the account Probe reads. It is not a valid credential name,
// so it never collides with one.
const probeName = "(credwiz-probe)"

// ParseKind checks a --store or CREDWIZ_STORE value: "", auto, keychain,
// file or vault ("" is auto). memory is accepted for tests.
func ParseKind(s string) (Kind, error) {
	switch k := Kind(s); k {
	case "", KindAuto:
		return KindAuto, nil
	case KindKeychain, KindFile, KindMemory, KindVault:
		return k, nil
	}
	return "", fmt.Errorf("unknown secret store %q: use auto, keychain, file or vault", s)
}

// Open resolves the secret store and returns it with the index. It writes
// nothing (the first Save records the kind) and reads only the index's
// head.
//
// Resolution: a kind recorded in the index wins over auto, so a later run
// never silently switches stores and "loses" secrets. An explicit kind
// that differs from the recorded one while credentials exist is an error
// wrapping ErrStoreMismatch. With nothing recorded, auto probes the
// keychain (Probe, bounded by ProbeTimeout): keychain if it answers, else
// the encrypted file. Never plaintext.
func Open(o Options) (*Store, error) {
	dir := o.Dir
	if dir == "" {
		d, err := DefaultDir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	want, err := ParseKind(string(o.Kind))
	if err != nil {
		return nil, err
	}
	ix := NewIndex(dir)
	head, err := ix.peek()
	if err != nil {
		return nil, err
	}
	var kind Kind
	var reason string
	var fallback error
	switch {
	case head.kind != "" && want == KindAuto:
		kind, reason = head.kind, "recorded in "+ix.Path()
	case head.kind != "" && want != head.kind && (head.hasCreds || head.kind == KindVault):
		return nil, fmt.Errorf("%w: %s records the %s store for its credentials, but the %s store was asked for: drop --store/CREDWIZ_STORE (or use --store %s) to keep using them, move them with credwiz migrate --to %s, or choose another --config-dir",
			ErrStoreMismatch, ix.Path(), head.kind, want, head.kind, want)
	case want != KindAuto:
		kind, reason = want, "asked for"
	default:
		probe := o.ProbeTimeout
		if probe <= 0 {
			probe = DefaultProbeTimeout
		}
		d, err := Probe(NewKeychain(SecretService, probe))
		if err == nil {
			kind, reason = KindKeychain, fmt.Sprintf("auto: the keychain answered in %s", d.Round(time.Millisecond))
		} else {
			kind, reason, fallback = KindFile, "auto: no keychain answered", err
		}
	}

	if kind == KindVault {
		return openVault(ix, head, o, reason)
	}
	s := &Store{Index: ix, Reason: reason, Fallback: fallback, opts: o}
	s.opts.Dir = dir
	if err := s.useKind(kind); err != nil {
		return nil, fmt.Errorf("%s records an unknown secret store %q (written by a newer credwiz?): upgrade credwiz", ix.Path(), kind)
	}
	return s, nil
}

// useKind sets the store's secret backends to those of kind.
func (s *Store) useKind(kind Kind) error {
	sec, tok, file, err := openBackend(kind, s.opts)
	if err != nil {
		return err
	}
	s.Kind, s.Secrets, s.Tokens, s.File = kind, sec, tok, file
	if file != nil {
		file.hook = s.step
	}
	return nil
}

// openBackend returns the secret backends of kind for o (o.Dir set).
func openBackend(kind Kind, o Options) (secrets, tokens Secrets, file *FileStore, err error) {
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultKeychainTimeout
	}
	switch kind {
	case KindKeychain:
		svc := o.services
		if svc[0] == "" {
			svc = [2]string{SecretService, TokenService}
		}
		return NewKeychain(svc[0], timeout), NewKeychain(svc[1], timeout), nil, nil
	case KindFile:
		env, hasEnv := os.LookupEnv("CREDWIZ_PASSPHRASE")
		f := NewFileStore(o.Dir, FileOptions{Passphrase: o.Passphrase, IdentityFile: os.Getenv("CREDWIZ_IDENTITY_FILE"),
			EnvPassphrase: env, HasEnvPassphrase: hasEnv})
		f.WorkFactor = o.WorkFactor
		return f.Section(SecretService), f.Section(TokenService), f, nil
	case KindMemory:
		return NewMemory(), NewMemory(), nil, nil
	}
	return nil, nil, nil, fmt.Errorf("unknown secret store %q", kind)
}

// Probe reads one probe account from s and returns how long that took. A
// not-found answer counts as answering: the error is nil. Otherwise it is
// the store's error (for a keychain, wrapping ErrUnavailable). A store
// that can check itself without reading an item (a Prober: the encrypted
// file store, which would need its passphrase) does that instead.
func Probe(s Secrets) (time.Duration, error) {
	start := time.Now()
	if p, ok := s.(Prober); ok {
		err := p.Probe()
		return time.Since(start), err
	}
	_, err := s.Get(probeName)
	d := time.Since(start)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return d, err
	}
	return d, nil
}

// step calls the hook, if any.
func (s *Store) step(st Step) {
	if s.Hook != nil {
		s.Hook(st)
	}
}

// now returns the time for timestamps, to the second.
func (s *Store) now() time.Time {
	n := time.Now
	if s.Now != nil {
		n = s.Now
	}
	return n().UTC().Truncate(time.Second)
}
