//go:build unix

package ui

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/credwiz/credwiz/internal/termsafe"
)

// forwarded are the signals credwiz passes to the program (SIGINT and
// SIGTERM come through the Factory's router). A signal credwiz was started
// with ignored is not caught: it stays ignored, for the program too.
var forwarded = []os.Signal{syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGWINCH}

// terminalSignals are the signals a terminal sends to its foreground
// process group, which the program is in too.
var terminalSignals = []os.Signal{syscall.SIGINT, syscall.SIGQUIT, syscall.SIGWINCH}

// runProgram runs p and returns its exit status as an *ExitStatus: its
// exit code, or 128+N when signal N killed it, as shells report it.
//
// Unmasked, with credwiz's own standard streams, credwiz execs p in its
// own place (execve): p is then the process credwiz was, with its
// terminal, its signals and its exit status. Otherwise p is a child in
// credwiz's process group, reading credwiz's stdin; its stdout and stderr
// come through pipes (and the masker). The signals credwiz receives are
// passed on, except those the terminal sent to the whole foreground
// process group (Ctrl-C, Ctrl-\, a resize), which p has received already.
// Ctrl-Z stops both; the shell continues both.
func runProgram(f *Factory, p program) error {
	path, err := lookPath(p.argv[0], envValue(p.env, "PATH"))
	if err != nil {
		return err
	}
	sigs := make(chan os.Signal, 16)
	ok, handled := f.sig.route(sigs)
	if !ok {
		return ErrCancelled
	}
	defer f.sig.unroute()
	if !p.masked && f.IO.In == os.Stdin && f.IO.Out == os.Stdout && f.IO.ErrOut == os.Stderr {
		if ending(sigs) {
			return ErrCancelled
		}
		return startErr(p.argv[0], syscall.Exec(path, p.argv, p.env))
	}
	watch := forwarded
	if !handled {
		watch = append([]os.Signal{syscall.SIGINT, syscall.SIGTERM}, watch...)
	}
	for _, s := range watch {
		if !signal.Ignored(s) {
			signal.Notify(sigs, s)
		}
	}
	defer signal.Stop(sigs)
	// Writes to a closed stdout fail (EPIPE) rather than kill credwiz; the
	// program then gets EPIPE too (see pump).
	if !signal.Ignored(syscall.SIGPIPE) {
		pipeSigs := make(chan os.Signal, 1)
		signal.Notify(pipeSigs, syscall.SIGPIPE)
		defer signal.Stop(pipeSigs)
	}

	var files [3]*os.File
	var ends []*os.File // the program's ends of the pipes, closed here once it started
	var stdinW *os.File
	var pumps []<-chan struct{}
	closeEnds := func() {
		for _, fl := range ends {
			fl.Close()
		}
		ends = nil
	}
	defer closeEnds()
	if in, ok := stdFile(f.IO.In); ok {
		files[0] = in
	} else {
		r, w, err := os.Pipe()
		if err != nil {
			return err
		}
		files[0], stdinW = r, w
		ends = append(ends, r)
	}
	for i, out := range []io.Writer{f.IO.Out, f.IO.ErrOut} {
		if fl, ok := stdFile(out); ok && !p.masked {
			files[i+1] = fl
			continue
		}
		r, w, err := os.Pipe()
		if err != nil {
			return err
		}
		files[i+1] = w
		ends = append(ends, w)
		pumps = append(pumps, pump(r, out, p.masked, p.secrets))
	}
	var proc *os.Process
	if ending(sigs) {
		err = ErrCancelled // a signal before the program exists: nothing to pass it to
	} else {
		proc, err = os.StartProcess(path, p.argv, &os.ProcAttr{Env: p.env, Files: files[:]})
	}
	closeEnds()
	if err != nil {
		if stdinW != nil {
			stdinW.Close()
		}
		for _, d := range pumps {
			<-d
		}
		return startErr(p.argv[0], err)
	}
	defer proc.Release()
	if stdinW != nil {
		feed(stdinW, f.IO.In)
	}

	tty := controllingTTY()
	if tty != nil {
		defer tty.Close()
	}
	stop := make(chan struct{})
	forwarding := make(chan struct{})
	go func() {
		defer close(forwarding)
		for {
			select {
			case <-stop:
				return
			case s := <-sigs:
				if !sentByTerminal(s, tty) {
					_ = proc.Signal(s)
				}
			}
		}
	}()
	state, err := proc.Wait()
	close(stop)
	<-forwarding
	if err != nil {
		return fmt.Errorf("wait for %s: %w", termsafe.String(p.argv[0]), err)
	}
	// The output ends when every process holding the pipes (the program's
	// own children too) has closed them, as in a shell pipeline; SIGINT,
	// SIGTERM or SIGHUP stops the wait.
	for _, d := range pumps {
		waitOutput(d, sigs)
	}
	ws, _ := state.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		sig := ws.Signal()
		if sig != syscall.SIGINT && sig != syscall.SIGPIPE {
			fmt.Fprintf(f.IO.ErrOut, "credwiz exec: %s was killed by signal %d (%s)\n", termsafe.String(filepath.Base(p.argv[0])), int(sig), sig)
		}
		return &ExitStatus{Code: 128 + int(sig)}
	}
	return &ExitStatus{Code: ws.ExitStatus()}
}

// ending reports whether a signal that ends credwiz (SIGINT, SIGTERM,
// SIGHUP, SIGQUIT) is waiting in sigs; it drops the others.
func ending(sigs <-chan os.Signal) bool {
	for {
		select {
		case s := <-sigs:
			if s == syscall.SIGINT || s == syscall.SIGTERM || s == syscall.SIGHUP || s == syscall.SIGQUIT {
				return true
			}
		default:
			return false
		}
	}
}

// waitOutput waits for a pump to finish, or for a signal that ends credwiz.
func waitOutput(done <-chan struct{}, sigs <-chan os.Signal) {
	for {
		select {
		case <-done:
			return
		case s := <-sigs:
			if s == syscall.SIGINT || s == syscall.SIGTERM || s == syscall.SIGHUP {
				return
			}
		}
	}
}

// sentByTerminal reports whether s is a signal the terminal sends to its
// foreground process group and credwiz's group is that group: the program,
// in the same group, received it too.
func sentByTerminal(s os.Signal, tty *os.File) bool {
	if tty == nil {
		return false
	}
	isTerm := false
	for _, t := range terminalSignals {
		isTerm = isTerm || s == t
	}
	if !isTerm {
		return false
	}
	fg, err := unix.IoctlGetInt(int(tty.Fd()), unix.TIOCGPGRP)
	return err == nil && fg == unix.Getpgrp()
}

// controllingTTY opens the controlling terminal, or returns nil when
// credwiz has none.
func controllingTTY() *os.File {
	fl, err := os.OpenFile("/dev/tty", os.O_RDONLY|syscall.O_NOCTTY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil
	}
	return fl
}

// lookPath finds file as a shell would in path (the program's PATH): a
// name with a slash as is, else the first executable regular file of that
// name in a directory of path. Relative directories in path are skipped
// (they would make the program depend on the current directory).
func lookPath(file, path string) (string, error) {
	if strings.Contains(file, "/") {
		return file, startErr(file, checkExecutable(file))
	}
	denied := false
	for _, dir := range filepath.SplitList(path) {
		if !filepath.IsAbs(dir) {
			continue
		}
		p := filepath.Join(dir, file)
		switch err := checkExecutable(p); {
		case err == nil:
			return p, nil
		case errors.Is(err, os.ErrPermission):
			denied = true
		}
	}
	if denied {
		return "", startErr(file, os.ErrPermission)
	}
	return "", startErr(file, os.ErrNotExist)
}

// checkExecutable reports whether p is an executable regular file.
func checkExecutable(p string) error {
	fi, err := os.Stat(p)
	switch {
	case err != nil:
		return err
	case fi.IsDir():
		return syscall.EISDIR
	case unix.Access(p, unix.X_OK) != nil:
		return os.ErrPermission
	}
	return nil
}

// startErr explains why the program file could not be run, with the exit
// code a shell gives: 127 when it is not found, 126 when it cannot be
// executed.
func startErr(file string, err error) error {
	if err == nil {
		return nil
	}
	var es *ExitStatus
	if errors.As(err, &es) {
		return err
	}
	name := termsafe.String(file)
	if errors.Is(err, os.ErrNotExist) {
		return &ExitStatus{Code: 127, Err: fmt.Errorf("credwiz exec: %s: command not found; check the name and PATH", name)}
	}
	if errors.Is(err, ErrCancelled) {
		return err
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		err = errno
	}
	return &ExitStatus{Code: 126, Err: fmt.Errorf("credwiz exec: %s: cannot run it (%v); check that it is an executable file", name, err)}
}
