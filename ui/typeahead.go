package ui

import (
	"io"
	"os"
)

// Keys typed ahead never reach a secret.
//
// A key typed before the question it answers is drawn waits for it (see
// keyorder.go), so an operator can type the name and the description of
// a credential as fast as they like. That stops at the first page of a
// session that asks a secret or a passphrase: the keys typed before it
// was drawn (still held behind the navigation of earlier pages, or typed
// before credwiz started) are discarded, not typed into it, and the
// operator types the secret again on the page they see. Typed-ahead text
// is what an operator meant for another question (on the first add the
// new store's passphrase page comes before the name, so a name typed
// ahead would become the passphrase), and what was typed before credwiz
// held the terminal was echoed on the screen in clear: neither may become
// a secret. Keys typed once that page is shown keep their order as
// before, into the page and the pages after it.

// The same holds for a guarded question (Page.Guarded: delete, reveal,
// replace, send to an unusual host): the keys typed before it is shown
// are discarded every time, so that a line typed ahead (the operator's
// next shell command, "ls") never answers it, and on it only y, n, ←/→
// and Enter count (guardedKeyMap): h and l, which toggle huh's confirm,
// do not.

// dropsTypedAhead reports whether the keys typed before p is shown are
// discarded: p is guarded, or it asks a secret and is the first such
// page of the session (first).
func dropsTypedAhead(p *Page, first bool) bool {
	return p.Guarded || (first && asksSecret(p))
}

// asksSecret reports whether p asks a secret or a passphrase.
func asksSecret(p *Page) bool {
	for _, q := range p.Questions {
		if q.Kind == KindSecret {
			return true
		}
	}
	return false
}

// discardTypedAhead drops what stdin holds unread: for a terminal, its
// input queue (and a line still being edited); for a pipe (tests), the
// bytes already written to it. It reports whether anything was dropped.
// It is called before the session reads stdin, never while it does.
func discardTypedAhead(in io.Reader) bool {
	f, ok := in.(*os.File)
	if !ok {
		return false
	}
	return discardPending(int(f.Fd()))
}

// droppedNote is the line a page shows when keys typed before it were
// discarded, so that the operator knows to type them again.
const droppedNote = "The keys typed before this question was shown were not used: answer it here."

// withDroppedNote returns a copy of p whose note starts with droppedNote.
func withDroppedNote(p *Page) *Page {
	c := *p
	c.Note = append([]string{droppedNote}, p.Note...)
	return &c
}
