// Command credwiz adds, tests and keeps SaaS connector credentials: a
// terminal wizard over the OS keychain. See README.md.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/credwiz/credwiz/ui"
)

// version is set at build time with -ldflags "-X main.version=…"; when it
// is empty, the module version from the build info is used.
var version string

// cancelGrace is how long a command has to end after SIGINT or SIGTERM
// before the process exits anyway (every write is crash-safe).
const cancelGrace = time.Second

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		cancel()
		time.AfterFunc(cancelGrace, func() {
			fmt.Fprintln(os.Stderr, "Cancelled.")
			os.Exit(130)
		})
	}()
	code := ui.Main(ctx, ui.NewFactory(buildVersion()), os.Args[1:])
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
