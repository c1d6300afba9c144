// Command credwiz adds, tests and keeps SaaS connector credentials: a
// terminal wizard over the OS keychain. See README.md.
package main

import (
	"context"
	"os"
	"runtime/debug"

	"github.com/credwiz/credwiz/ui"
)

// version is set at build time with -ldflags "-X main.version=…"; when it
// is empty, the module version from the build info is used.
var version string

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	f := ui.NewFactory(buildVersion())
	// SIGINT and SIGTERM cancel the command (exit 130), or go to the
	// program credwiz exec runs.
	f.HandleSignals(cancel)
	os.Exit(ui.Main(ctx, f, os.Args[1:]))
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
