package main

import (
	"runtime/debug"
	"testing"
)

// TestVersionOfALocalBuild: a build from a clone says the commit it was
// built from (not only "(devel)"); a module version is shown as it is.
func TestVersionOfALocalBuild(t *testing.T) {
	local := &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.time", Value: "2026-11-29T23:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	for bi, want := range map[*debug.BuildInfo]string{
		local:                                    "(devel) commit 0123456789ab of 2026-11-29T23:00:00Z, with uncommitted changes",
		{Main: debug.Module{Version: "v1.2.3"}}:  "v1.2.3",
		{Main: debug.Module{Version: "(devel)"}}: "(devel)",
		nil:                                      "(devel)",
	} {
		if got := versionOf(bi); got != want {
			t.Errorf("versionOf = %q, want %q", got, want)
		}
	}
}
