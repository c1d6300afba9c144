package ui

import (
	"os"
	"sync"
)

// termHold is the terminal mode a command that may ask at the terminal
// holds from its start until it ends: no echo, no line editing, and no
// translation of Enter into a line feed. Keys typed before the first
// question (while credwiz opens its store, or runs a live test before a
// picker) then wait in the terminal's input queue exactly as typed, and
// are not echoed; the session reads them in order once it starts (see
// keyorder.go), except that the first page asking a secret or a
// passphrase discards them (see typeahead.go). Signals from the terminal (Ctrl-C, Ctrl-Z)
// still work as in the shell.
type termHold struct {
	mu      sync.Mutex
	release func()
}

// holdTerminal puts stdin's terminal in the held mode when this command
// may ask there through a terminal session: stdin and stderr are
// terminals, --no-input and accessible mode (which reads whole lines) are
// off.
func (f *Factory) holdTerminal() {
	in, ok := f.IO.In.(*os.File)
	if !ok || !f.CanPrompt() || f.accessible() {
		return
	}
	f.hold.mu.Lock()
	defer f.hold.mu.Unlock()
	if f.hold.release != nil {
		return
	}
	if release, err := holdInput(int(in.Fd())); err == nil {
		f.hold.release = release
	}
}

// releaseTerminal gives the terminal back the mode it had before
// holdTerminal, dropping keys typed for credwiz that it did not read (they
// would go to the shell); it does nothing when nothing is held. Main calls it when
// the command ends, and the signal handler before it exits.
func (f *Factory) releaseTerminal() {
	f.hold.mu.Lock()
	defer f.hold.mu.Unlock()
	if r := f.hold.release; r != nil {
		f.hold.release = nil
		r()
	}
}
