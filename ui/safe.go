package ui

// safe prepares text that did not come from credwiz's own code (the
// index, a vendor's answer) for the terminal, in the screens of the
// interactive flows. Every such text passes through it, so that one
// sanitizer can be put here.
func safe(s string) string { return s }
