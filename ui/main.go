package ui

import (
	"context"
	"errors"
	"fmt"

	"github.com/credwiz/credwiz/internal/termsafe"
)

// Main runs credwiz with args on f and returns the process exit code: 0
// success, 1 failure, 2 usage error, 130 cancelled, or the exit code of
// the program credwiz exec ran. It prints a failure as one sentence on
// f.IO.ErrOut. main.go and the tests both run credwiz through it.
func Main(ctx context.Context, f *Factory, args []string) int {
	root := NewRoot(f)
	root.SetArgs(args)
	f.args = args
	cmd, err := root.ExecuteContextC(ctx)
	f.releaseTerminal()
	code := ExitCode(err)
	var es *ExitStatus
	isStatus := errors.As(err, &es)
	if err != nil && ctx.Err() != nil && !isStatus {
		code = 130 // SIGINT or SIGTERM while a command ran
	}
	switch {
	case isStatus:
		if es.Err != nil {
			fmt.Fprintln(f.IO.ErrOut, termsafe.Text(es.Err.Error()))
		}
	case err == nil, errors.Is(err, ErrSilent):
	case code == 130:
		fmt.Fprintln(f.IO.ErrOut, "Cancelled.")
	default:
		// Errors can quote the index, keychain item names and vendors.
		fmt.Fprintln(f.IO.ErrOut, termsafe.Text(ExplainFor(err, cmd.CommandPath())))
	}
	return code
}
