package ui

import "golang.org/x/sys/unix"

const ioctlGetTermios, ioctlSetTermios = unix.TCGETS, unix.TCSETS

// flushTerminalInput discards what the terminal fd holds unread, typed
// or still being edited as a line.
func flushTerminalInput(fd int) error { return unix.IoctlSetInt(fd, unix.TCFLSH, unix.TCIFLUSH) }
