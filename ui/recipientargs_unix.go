//go:build !windows

package ui

import "syscall"

// openNonBlock opens a file argument without blocking on a FIFO.
const openNonBlock = syscall.O_NONBLOCK
