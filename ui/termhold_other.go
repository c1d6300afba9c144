//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package ui

import "errors"

// holdInput is not available here: keys typed before the first question
// go through the console's own line editing.
func holdInput(int) (func(), error) { return nil, errors.New("no terminal modes here") }

// discardPending does nothing here: the console's own line editing holds
// keys typed ahead.
func discardPending(int) bool { return false }
