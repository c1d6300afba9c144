package ui

import (
	"reflect"

	tea "charm.land/bubbletea/v2"
)

// Why keys got lost or landed in the wrong field, and what keeps them in
// order now.
//
// huh moves between fields and pages with commands: Enter on a valid
// input returns huh.NextField, a command whose message (nextFieldMsg)
// moves the focus; on a page's last field that message returns another
// command (nextGroup) whose message moves to the next page or completes
// the form. bubbletea runs every command in a goroutine of its own and
// sends its message to the same channel as the keys read from the
// terminal. Keys typed right after Enter are already waiting in that
// channel, and usually win the race: they are handed to the field that
// Enter was meant to leave ("tegration@example.comS"), and at the end of
// a form they reach a form that has completed, which drops them.
// Between two forms each run as its own program, the keys read by the
// first program's input reader while it shuts down were lost with it.
//
// credwiz therefore runs one program per command (see session) with one
// input reader, and its model serialises navigation against keys: after
// a key that may navigate (Enter, Tab, Shift-Tab, y/n on a confirm) it
// holds every further key until the navigation it caused has been
// applied. It knows that moment exactly, without timers: the command the
// form returned runs inside tea.Sequence followed by a sentinel, and a
// sequence sends each message, and waits until the program has received
// it, before it runs the next command. A navigation message that leaves
// the focus where it was (the last field of a page) is followed the same
// way, because its command carries the page change. Every command of a
// form is also tagged with the form's generation, so that a late message
// of an answered form never reaches the next one.

// Keys typed before the program put the terminal in raw mode (while
// credwiz starts, or while the shell still runs the previous command) went
// through the terminal's line discipline first: it turned each Enter (a
// carriage return) into a line feed (ICRNL), which reads as Ctrl-J, a key
// no single-line field uses. Those answers were glued into one field, the
// first page's, secrets included. typedKey reads a line feed as the Enter
// it was typed as, as a shell's line editor does; and credwiz holds the
// terminal in a mode without that translation and without echo from the
// moment a command that may ask starts (see termhold.go), so that the
// window in which keys are translated is as short as it can be.

// typedKey returns k, with a line feed (Ctrl-J) read as Enter.
func typedKey(k tea.KeyPressMsg) tea.KeyPressMsg {
	if k.Code == 'j' && k.Mod == tea.ModCtrl {
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	}
	return k
}

// taggedMsg is a message produced by a command of the form of generation
// gen.
type taggedMsg struct {
	gen int
	msg tea.Msg
}

// settledMsg arrives after every message of a held navigation has been
// received by the program.
type settledMsg struct{ gen int }

// teaPkg is bubbletea's import path: its own messages (window size
// requests, sequences, printing) go to the program untagged.
var teaPkg = reflect.TypeOf(tea.BatchMsg(nil)).PkgPath()

// huhPkg is huh's import path, whose unexported navigation messages are
// recognised by name.
const huhPkg = "charm.land/huh/v2"

// cmdType is the type of tea.Cmd, the element type of bubbletea's
// sequence message.
var cmdType = reflect.TypeOf((*tea.Cmd)(nil)).Elem()

// tagCmd wraps cmd so that its messages (and those of the batches and
// sequences it returns) arrive as taggedMsg of generation gen.
func tagCmd(gen int, cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() tea.Msg {
		msg := cmd()
		switch m := msg.(type) {
		case nil:
			return nil
		case tea.BatchMsg:
			out := make(tea.BatchMsg, len(m))
			for i, c := range m {
				out[i] = tagCmd(gen, c)
			}
			return out
		}
		t := reflect.TypeOf(msg)
		if t.PkgPath() == teaPkg {
			if t.Kind() == reflect.Slice && t.Elem() == cmdType {
				// A sequence: the same type, each command tagged, so the
				// program still runs them one after the other.
				v := reflect.ValueOf(msg)
				out := reflect.MakeSlice(t, v.Len(), v.Len())
				for i := range v.Len() {
					c, _ := v.Index(i).Interface().(tea.Cmd)
					if tc := tagCmd(gen, c); tc != nil {
						out.Index(i).Set(reflect.ValueOf(tc))
					}
				}
				return out.Interface()
			}
			return msg
		}
		return taggedMsg{gen: gen, msg: msg}
	}
}

// settleAfter returns cmd (tagged) followed by the settledMsg of gen, which
// the program receives only after every message cmd produced.
func settleAfter(gen int, cmd tea.Cmd) tea.Cmd {
	return tea.Sequence(tagCmd(gen, cmd), func() tea.Msg { return settledMsg{gen: gen} })
}

// isFieldNav reports whether msg is huh's message that moves to the next
// or previous field.
func isFieldNav(msg tea.Msg) bool {
	t := reflect.TypeOf(msg)
	return t != nil && t.PkgPath() == huhPkg && (t.Name() == "nextFieldMsg" || t.Name() == "prevFieldMsg")
}
