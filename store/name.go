package store

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxNameLen is the longest credential name ValidateName accepts, in
// characters.
const MaxNameLen = 64

// nameRule is the allowed form, for error messages.
const nameRule = "use 1–64 characters: letters a–z and A–Z, digits, '.', '_' or '-'"

// ValidateName reports whether name is a valid credential name: 1 to 64
// characters, each an ASCII letter, a digit, '.', '_' or '-'. The error
// wraps ErrInvalidName and says what is allowed; it quotes any offending
// character, so control characters never reach a terminal raw, and it never
// echoes an over-long name.
func ValidateName(name string) error {
	if name == "" {
		return fmt.Errorf("%w: the name is empty; %s", ErrInvalidName, nameRule)
	}
	if n := utf8.RuneCountInString(name); n > MaxNameLen {
		return fmt.Errorf("%w: the name is %d characters long; %s", ErrInvalidName, n, nameRule)
	}
	for i, r := range name {
		if validNameRune(r) {
			continue
		}
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(name[i:]); size == 1 {
				return fmt.Errorf("%w: %q is not valid UTF-8; %s", ErrInvalidName, name, nameRule)
			}
		}
		return fmt.Errorf("%w: %q contains %q; %s", ErrInvalidName, name, r, nameRule)
	}
	if name == "." || name == ".." {
		// They name a folder, not an item, in a Vault path or a file store.
		return fmt.Errorf("%w: %q is not allowed (it names a folder); %s", ErrInvalidName, name, nameRule)
	}
	return nil
}

// ValidateNewName is ValidateName for a name being given to a credential
// (add, a rename): it also refuses a leading '-', with which every command
// would take the name for a flag (credwiz rm -rf). A saved name of that
// form, from an older credwiz or a teammate's, still reads and keeps
// working (credwiz show -- -rf).
func ValidateNewName(name string) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	if strings.HasPrefix(name, "-") {
		return fmt.Errorf("%w: %q starts with '-', which commands would take for a flag; start it with a letter, a digit, '.' or '_'", ErrInvalidName, name)
	}
	return nil
}

func validNameRune(r rune) bool {
	switch {
	case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		return true
	case r == '.', r == '_', r == '-':
		return true
	}
	return false
}
