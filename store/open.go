package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
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
	// Passphrase prompts for the file store's passphrase; it is used only
	// when CREDWIZ_PASSPHRASE is unset. nil means no prompt is possible:
	// the file store then fails with an error saying to set
	// CREDWIZ_PASSPHRASE.
	Passphrase func() (string, error)
	// Timeout bounds each keychain call; zero means DefaultKeychainTimeout.
	Timeout time.Duration
	// ProbeTimeout bounds auto's keychain probe; zero means
	// DefaultProbeTimeout.
	ProbeTimeout time.Duration
	// WorkFactor is the scrypt work factor of the encrypted file the file
	// store writes; zero means age's default.
	WorkFactor int
	// Vault configures the Vault store (Kind vault, or recorded).
	Vault VaultOptions
	// Context is the context of the Vault store's calls that take none
	// (Store.Secret, Store.CachedToken, its Catalog); nil means
	// context.Background().
	Context context.Context
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
}

// Step names a point right after one write of the protocol.
type Step string

// The steps. A change calls the hook after each write it makes, in the
// order it makes them; which steps a change passes depends on the change.
const (
	// StepIDCommitted: the config dir ID was committed (first write only).
	StepIDCommitted Step = "id-committed"
	// StepSecretStaged: the new secret is written in a staged item.
	StepSecretStaged Step = "secret-staged"
	// StepSecretWritten: the canonical item holds the new secret.
	StepSecretWritten Step = "secret-written"
	// StepIndexCommitted: the index holding the change is committed.
	StepIndexCommitted Step = "index-committed"
	// StepIndexSettled: the index points back to the canonical item.
	StepIndexSettled Step = "index-settled"
	// StepStagedDeleted: the staged item is deleted.
	StepStagedDeleted Step = "staged-deleted"
	// StepOldSecretDeleted: a renamed or deleted credential's item is deleted.
	StepOldSecretDeleted Step = "old-secret-deleted"
	// StepTokenDeleted: a cached token is deleted.
	StepTokenDeleted Step = "token-deleted"
	// StepTokenWritten: a cached token is written.
	StepTokenWritten Step = "token-written"
	// StepRepaired: doctor finished or removed one item.
	StepRepaired Step = "repaired"
)

// Steps lists every step, for tests that stop at each.
var Steps = []Step{StepIDCommitted, StepSecretStaged, StepSecretWritten, StepIndexCommitted,
	StepIndexSettled, StepStagedDeleted, StepOldSecretDeleted, StepTokenDeleted, StepTokenWritten, StepRepaired}

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
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultKeychainTimeout
	}

	var kind Kind
	var reason string
	var fallback error
	switch {
	case head.kind != "" && want == KindAuto:
		kind, reason = head.kind, "recorded in "+ix.Path()
	case head.kind != "" && want != head.kind && (head.hasCreds || head.kind == KindVault):
		return nil, fmt.Errorf("%w: %s records the %s store for its credentials, but the %s store was asked for: drop --store/CREDWIZ_STORE (or use --store %s) to keep using them, or choose another --config-dir",
			ErrStoreMismatch, ix.Path(), head.kind, want, head.kind)
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
	s := &Store{Index: ix, Kind: kind, Reason: reason, Fallback: fallback}
	switch kind {
	case KindKeychain:
		s.Secrets = NewKeychain(SecretService, timeout)
		s.Tokens = NewKeychain(TokenService, timeout)
	case KindFile:
		af := NewAgeFile(filepath.Join(dir, AgeFileName), passphraseSource(o.Passphrase))
		af.WorkFactor = o.WorkFactor
		s.Secrets = af.Section(SecretService)
		s.Tokens = af.Section(TokenService)
	case KindMemory:
		s.Secrets, s.Tokens = NewMemory(), NewMemory()
	default:
		return nil, fmt.Errorf("%s records an unknown secret store %q (written by a newer credwiz?): upgrade credwiz", ix.Path(), kind)
	}
	return s, nil
}

// passphraseSource returns CREDWIZ_PASSPHRASE when it is set, else prompt.
func passphraseSource(prompt func() (string, error)) func() (string, error) {
	if p, ok := os.LookupEnv("CREDWIZ_PASSPHRASE"); ok {
		return func() (string, error) {
			if p == "" {
				return "", noPassphrase("CREDWIZ_PASSPHRASE is set but empty: set it to the encrypted file's passphrase")
			}
			return p, nil
		}
	}
	if prompt == nil {
		return func() (string, error) {
			return "", noPassphrase("the encrypted file store needs a passphrase and cannot prompt here: set CREDWIZ_PASSPHRASE")
		}
	}
	return prompt
}

// Probe reads one probe account from s and returns how long that took. A
// not-found answer counts as answering: the error is nil. Otherwise it is
// the store's error (for a keychain, wrapping ErrUnavailable).
func Probe(s Secrets) (time.Duration, error) {
	start := time.Now()
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
