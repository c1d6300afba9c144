//go:build !credwiz_testhooks

package ui

// testWorkFactor returns 0 (the store's default scrypt work factor): a
// shipped binary has no test hooks.
func testWorkFactor(*Factory) int { return 0 }
