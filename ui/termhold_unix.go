//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package ui

import "golang.org/x/sys/unix"

// holdInput puts the terminal fd in the held mode (see termHold) and
// returns how to restore the mode it had.
func holdInput(fd int) (func(), error) {
	t, err := unix.IoctlGetTermios(fd, ioctlGetTermios)
	if err != nil {
		return nil, err
	}
	saved := *t
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.IEXTEN
	t.Iflag &^= unix.ICRNL | unix.INLCR | unix.IGNCR
	t.Cc[unix.VMIN], t.Cc[unix.VTIME] = 1, 0
	if err := unix.IoctlSetTermios(fd, ioctlSetTermios, t); err != nil {
		return nil, err
	}
	return func() {
		// Keys typed for credwiz that it did not read (it failed before
		// its first question, or ended before their page) are dropped:
		// in the shell they would run as a command, a secret among them
		// kept in its history.
		_ = flushTerminalInput(fd)
		_ = unix.IoctlSetTermios(fd, ioctlSetTermios, &saved)
	}, nil
}

// discardPending drops what fd holds unread without waiting for more: a
// terminal's input queue, then whatever is readable at once (a pipe). It
// reports whether anything was there.
func discardPending(fd int) bool {
	dropped := readable(fd)
	_ = flushTerminalInput(fd)
	buf := make([]byte, 4096)
	for readable(fd) {
		m, err := unix.Read(fd, buf)
		if err != nil || m <= 0 {
			break
		}
		dropped = true
	}
	return dropped
}

// readable reports whether fd has something to read now.
func readable(fd int) bool {
	pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	n, err := unix.Poll(pfd, 0)
	return err == nil && n > 0 && pfd[0].Revents&unix.POLLIN != 0
}
