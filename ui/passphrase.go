package ui

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/credwiz/credwiz/internal/termsafe"
	"github.com/credwiz/credwiz/store"
)

// passphraseFunc returns how this process gets the encrypted file store's
// passphrase when CREDWIZ_PASSPHRASE is unset (the store reads that
// itself): for the commands about the file store (unlock, passphrase,
// recipients, migrate), one line of stdin when stdin is not a terminal;
// else a masked prompt at the terminal, asked again after a wrong one;
// else nil: nobody can be asked.
func (f *Factory) passphraseFunc() store.PassphraseFunc {
	if f.passFromStdin && !f.IO.InTTY {
		return f.passphraseFromStdin
	}
	if f.CanPrompt() || f.canAskTerminal() {
		return f.askPassphrase
	}
	return nil
}

// passphraseFromStdin reads the passphrase from one line of stdin. A
// wrong one cannot be asked again.
func (f *Factory) passphraseFromStdin(req store.PassphraseRequest) (string, error) {
	if req.Retry != nil {
		return "", fmt.Errorf("the passphrase read from stdin does not open %s: %w: give the right one on stdin (run the command again), or set CREDWIZ_PASSPHRASE to the store's passphrase", req.Path, store.ErrWrongPassphrase)
	}
	return f.stdinLine("the passphrase")
}

// stdinLine reads one line of stdin (without its line ending); what is
// read past it stays buffered for the next call.
func (f *Factory) stdinLine(what string) (string, error) {
	if f.stdin == nil {
		f.stdin = bufio.NewReader(f.IO.In)
	}
	line, err := f.stdin.ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		if errors.Is(err, io.EOF) {
			return "", usagef("%s was expected on stdin, one line, and stdin is empty; or set CREDWIZ_PASSPHRASE", what)
		}
		return "", fmt.Errorf("read %s from stdin: %w", what, err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// askPassphrase asks at the terminal: the store's passphrase, or for a
// new store a new one, twice. When stdin is the terminal, the question is
// a page of the command's Prompter (the session every question of the
// command shares); when stdin is a pipe (secrets piped to add), a masked
// line read from /dev/tty.
func (f *Factory) askPassphrase(req store.PassphraseRequest) (string, error) {
	if f.CanPrompt() {
		return f.askPassphrasePage(req)
	}
	if req.New {
		fmt.Fprintf(f.IO.ErrOut, "Creating the encrypted file store (%s). Choose its passphrase: nothing can recover the secrets without it.\n", termsafe.String(dirOf(req.Path)))
		return f.askNewPassphrase("Passphrase: ")
	}
	if req.Retry != nil {
		left := store.MaxPassphraseTries - req.Attempt + 1
		tries := "tries"
		if left == 1 {
			tries = "try"
		}
		fmt.Fprintf(f.IO.ErrOut, "Wrong passphrase: it does not open %s. Try again (%d %s left).\n", termsafe.String(req.Path), left, tries)
	} else if f.passFromStdin {
		fmt.Fprintf(f.IO.ErrOut, "The passphrase of the encrypted file store (%s):\n", termsafe.String(dirOf(req.Path)))
	} else {
		fmt.Fprintf(f.IO.ErrOut, "The encrypted file store (%s) is locked; credwiz unlock keeps it open for a while.\n", termsafe.String(dirOf(req.Path)))
	}
	return f.ask("Passphrase: ")
}

// minPassphraseLen is the fewest characters a new passphrase may have.
// The passphrase is all that protects every secret in a copy of the file
// store, which can be guessed offline; scrypt slows each guess, and a
// length rule (not a mix of character classes) is one a user can meet
// with a few words. Existing stores open with whatever passphrase they have.
const minPassphraseLen = 8

// checkNewPassphrase refuses a new passphrase shorter than
// minPassphraseLen characters, not counting white space and invisible
// (format) characters, which anyone guessing tries first.
func checkNewPassphrase(p string) error {
	n := utf8.RuneCountInString(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, p))
	switch {
	case p == "":
		return errors.New("the passphrase is empty: type one")
	case n < minPassphraseLen:
		return fmt.Errorf("the passphrase is too short (%d characters besides spaces): use at least %d, e.g. a few words", n, minPassphraseLen)
	}
	return nil
}

// askNewPassphrase asks for a new passphrase twice, again while the two
// differ (at most three times).
func (f *Factory) askNewPassphrase(prompt string) (string, error) {
	for try := 1; ; try++ {
		p, err := f.ask(prompt)
		if err != nil {
			return "", err
		}
		if err := checkNewPassphrase(p); err != nil {
			fmt.Fprintf(f.IO.ErrOut, "%s.\n", upperFirst(err.Error()))
			continue
		}
		again, err := f.ask("The same passphrase again: ")
		if err != nil {
			return "", err
		}
		if again == p {
			return p, nil
		}
		if try == store.MaxPassphraseTries {
			return "", errors.New("the two passphrases differed three times; nothing was changed")
		}
		fmt.Fprintln(f.IO.ErrOut, "The two passphrases differ; type them again.")
	}
}

// ask reads one masked answer: through AskSecret when set (tests), else
// at the terminal.
func (f *Factory) ask(prompt string) (string, error) {
	if f.AskSecret != nil {
		return f.AskSecret(prompt)
	}
	return f.readMasked(f.context(), prompt)
}

// dirOf returns the directory of path.
func dirOf(path string) string {
	if i := strings.LastIndexAny(path, `/\`); i > 0 {
		return path[:i]
	}
	return path
}

// askPassphrasePage asks for the passphrase on one page of the Prompter
// (page "passphrase"; for a new store, two questions that must agree).
// Esc cancels.
func (f *Factory) askPassphrasePage(req store.PassphraseRequest) (string, error) {
	dir := termsafe.String(dirOf(req.Path))
	nonEmpty := func(s string) error {
		if s == "" {
			return errors.New("enter the passphrase")
		}
		return nil
	}
	var p, again string
	title := "Passphrase of the encrypted file store"
	if f.changingPassphrase {
		title = "The current passphrase of the encrypted file store" // credwiz passphrase: the one it replaces
	}
	qs := []Question{{Kind: KindSecret, Key: "passphrase", Value: &p, Validate: nonEmpty,
		Title: title,
		Help:  "It opens " + dir + ". credwiz unlock keeps the store open for a while; CREDWIZ_PASSPHRASE serves scripts."}}
	if f.passFromStdin { // unlock, passphrase, recipients, migrate: no advice about unlocking
		qs[0].Help = "It opens " + dir + "."
	}
	switch {
	case req.New:
		qs[0].Validate = checkNewPassphrase
		qs[0].Title = "Passphrase of the new encrypted file store"
		qs[0].Help = "The secrets go to " + dir + ", encrypted; reading them needs this passphrase, and nothing can recover them without it. Saving never asks for it. At least 8 characters; a few words are easy to type and hard to guess."
		if f.changingPassphrase {
			qs[0].Title = "The new passphrase"
			qs[0].Help = "It replaces the current one of " + dir + " (only its identity file changes); nothing can recover the secrets without it. At least 8 characters."
		}
		qs = append(qs, Question{Kind: KindSecret, Key: "passphrase_again", Value: &again,
			Title: "The same passphrase again",
			Help:  "So that a typo cannot lock the secrets away.",
			Validate: func(s string) error {
				if s != p {
					return errors.New("the passphrases differ")
				}
				return nil
			}})
	case req.Retry != nil:
		left := store.MaxPassphraseTries - req.Attempt + 1
		tries := "tries"
		if left == 1 {
			tries = "try"
		}
		fmt.Fprintf(f.IO.ErrOut, "Wrong passphrase: it does not open %s.\n", termsafe.String(req.Path))
		qs[0].Title = fmt.Sprintf("%s, again (%d %s left)", title, left, tries)
	}
	err := f.prompter().Ask(&Page{ID: "passphrase", Questions: qs, EscHelp: "cancel"})
	if errors.Is(err, ErrBack) {
		return "", ErrCancelled
	}
	return p, err
}
