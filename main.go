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
// module's version from the build info; a local build ("(devel)") says
// the commit it was built from, as the build info records it.
func buildVersion() string {
	if version != "" {
		return version
	}
	bi, _ := debug.ReadBuildInfo()
	return versionOf(bi)
}

// versionOf words the version in bi: its module version, or for a local
// build "(devel)" with the commit, its date and whether the tree had
// uncommitted changes.
func versionOf(bi *debug.BuildInfo) string {
	if bi == nil {
		return "(devel)"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, at, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value[:min(len(s.Value), 12)]
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = ", with uncommitted changes"
			}
		}
	}
	if rev == "" {
		return "(devel)"
	}
	out := "(devel) commit " + rev
	if at != "" {
		out += " of " + at
	}
	return out + dirty
}
