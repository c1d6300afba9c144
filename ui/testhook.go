//go:build !credwiz_testhooks

package ui

import "github.com/credwiz/credwiz/store"

// testHook returns nil: a shipped binary has no test hooks. Builds with
// the credwiz_testhooks tag (the fault tests') get testhook_on.go's.
func testHook(*Factory) func(store.Step) { return nil }
