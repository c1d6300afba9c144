//go:build !unix

package ui

import (
	"errors"
	"fmt"
	"os"
	"os/exec"

	"github.com/credwiz/credwiz/internal/mask"
	"github.com/credwiz/credwiz/internal/termsafe"
)

// runProgram runs p as a child and returns its exit code as an
// *ExitStatus. Where there are no Unix signals, Ctrl-C reaches every
// program of the console by itself: the interrupt only keeps credwiz
// waiting for the program.
func runProgram(f *Factory, p program) error {
	sigs := make(chan os.Signal, 16)
	ok, _ := f.sig.route(sigs)
	if !ok {
		return ErrCancelled
	}
	defer f.sig.unroute()
	path, err := exec.LookPath(p.argv[0])
	if err != nil {
		return startErr(p.argv[0], err)
	}
	cmd := &exec.Cmd{Path: path, Args: p.argv, Env: p.env, Stdin: f.IO.In, Stdout: f.IO.Out, Stderr: f.IO.ErrOut}
	var masks []*mask.Writer
	if p.masked {
		o, e := mask.NewWriter(f.IO.Out, p.secrets), mask.NewWriter(f.IO.ErrOut, p.secrets)
		cmd.Stdout, cmd.Stderr, masks = o, e, []*mask.Writer{o, e}
	}
	err = cmd.Run()
	for _, m := range masks {
		_ = m.Close()
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
		return &ExitStatus{Code: 0}
	case errors.As(err, &ee):
		return &ExitStatus{Code: ee.ExitCode()}
	}
	return startErr(p.argv[0], err)
}

// startErr explains why the program could not be run, with the exit code
// a shell gives: 127 when it is not found, 126 otherwise.
func startErr(file string, err error) error {
	name := termsafe.String(file)
	if errors.Is(err, os.ErrNotExist) || errors.Is(err, exec.ErrNotFound) {
		return &ExitStatus{Code: 127, Err: fmt.Errorf("credwiz exec: %s: command not found; check the name and PATH", name)}
	}
	return &ExitStatus{Code: 126, Err: fmt.Errorf("credwiz exec: %s: cannot run it (%v); check that it is an executable file", name, err)}
}
