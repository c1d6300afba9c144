// Command credwiz adds, tests and keeps SaaS connector credentials: a
// terminal wizard over the OS keychain. See README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/credwiz/credwiz/internal/termsafe"
	"github.com/credwiz/credwiz/ui"
)

// version is set at build time with -ldflags "-X main.version=…"; when it
// is empty, the module version from the build info is used.
var version string

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	f := ui.NewFactory(buildVersion())
	cmd, err := ui.NewRoot(f).ExecuteContextC(ctx)
	interrupted := ctx.Err() != nil
	stop()
	code := ui.ExitCode(err)
	if interrupted && err != nil {
		code = 130 // SIGINT or SIGTERM while a command ran
	}
	switch {
	case err == nil, errors.Is(err, ui.ErrSilent):
	case code == 130:
		fmt.Fprintln(os.Stderr, "Cancelled.")
	default:
		// Errors can quote the index, keychain item names and vendors.
		fmt.Fprintln(os.Stderr, termsafe.Text(ui.ExplainFor(err, cmd.CommandPath())))
	}
	os.Exit(code)
}

// buildVersion returns the version stamped at link time, or the main
// module's version from the build info ("(devel)" for a local build).
func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}
