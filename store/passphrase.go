package store

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
)

// MaxPassphraseTries is how many times the file store asks for its
// passphrase before it gives up.
const MaxPassphraseTries = 3

// ErrLocked: the encrypted file store needs its passphrase (or an
// identity) to read a secret, and none can be had: no unlocked session,
// no CREDWIZ_PASSPHRASE or CREDWIZ_IDENTITY_FILE, no prompt possible.
var ErrLocked = errors.New("the encrypted file store is locked")

// ErrNotRecipient: an item of the encrypted file store is not encrypted
// to the identity in use.
var ErrNotRecipient = errors.New("not encrypted to the identity in use")

// PassphraseRequest says why the encrypted file store asks for its
// passphrase.
type PassphraseRequest struct {
	// Path is the file the passphrase opens or protects.
	Path string
	// New is set when the passphrase chosen now will protect a new store:
	// ask it twice.
	New bool
	// Attempt counts the requests for this passphrase, from 1.
	Attempt int
	// Retry is why the previous attempt failed (an error wrapping
	// ErrWrongPassphrase); nil on the first.
	Retry error
}

// PassphraseFunc asks the operator for the passphrase. After a wrong one
// it is called again with Retry set, up to MaxPassphraseTries times in
// all; a source that cannot be asked again (a line read from a pipe)
// returns req.Retry then.
type PassphraseFunc func(req PassphraseRequest) (string, error)

// passphraseSource is where a FileStore gets its passphrase:
// CREDWIZ_PASSPHRASE when set, else ask, else nothing.
type passphraseSource struct {
	env    string
	hasEnv bool
	ask    PassphraseFunc
}

// get returns a passphrase for req.
func (s passphraseSource) get(req PassphraseRequest) (string, error) {
	if s.hasEnv {
		switch {
		case req.Retry != nil:
			return "", fmt.Errorf("CREDWIZ_PASSPHRASE does not open %s: %w: set it to the store's passphrase", req.Path, ErrWrongPassphrase)
		case s.env == "":
			return "", noPassphrase("CREDWIZ_PASSPHRASE is set but empty: set it to the encrypted file store's passphrase, or unset it to be asked")
		case req.New && strings.TrimSpace(s.env) == "":
			// Taken as given otherwise (scripts choose their own), but a
			// store is not created under nothing but spaces.
			return "", noPassphrase("CREDWIZ_PASSPHRASE holds only spaces: set it to a passphrase for the new encrypted file store (a few words)")
		}
		return s.env, nil
	}
	if s.ask == nil {
		if req.New {
			return "", noPassphrase(fmt.Sprintf("creating the encrypted file store (%s) needs a new passphrase, and credwiz cannot ask for one here: set CREDWIZ_PASSPHRASE, or run the command at a terminal", req.Path))
		}
		unlock := "run credwiz unlock first (it keeps the store open for 15 minutes), or "
		if runtime.GOOS != "linux" {
			unlock = "run the command at a terminal, or " // no kernel keyring to keep a session in
		}
		return "", fmt.Errorf("%w: reading a secret needs its passphrase, and credwiz cannot ask for it here: %sset CREDWIZ_PASSPHRASE or CREDWIZ_IDENTITY_FILE", ErrLocked, unlock)
	}
	p, err := s.ask(req)
	if err != nil {
		return "", err
	}
	if p == "" {
		return "", errors.New("the passphrase is empty: type the encrypted file store's passphrase")
	}
	return p, nil
}

// withPassphrase asks for passphrases and calls try with each until one
// works, at most MaxPassphraseTries times.
func (s passphraseSource) withPassphrase(req PassphraseRequest, try func(p string) error) error {
	for attempt := 1; ; attempt++ {
		req.Attempt = attempt
		p, err := s.get(req)
		if err != nil {
			return err
		}
		err = try(p)
		if !errors.Is(err, ErrWrongPassphrase) {
			return err
		}
		if attempt >= MaxPassphraseTries {
			return fmt.Errorf("%w (%d tries): %s still locked; if the passphrase is lost, so are the secrets: add them again in a new config dir", err, attempt, req.Path)
		}
		req.Retry = err
	}
}
