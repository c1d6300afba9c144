package ui

import "github.com/credwiz/credwiz/internal/termsafe"

// safe prepares text that did not come from credwiz's own code (the
// index, a vendor's answer) for the terminal, in the screens of the
// interactive flows: one line, nothing a terminal would obey.
func safe(s string) string { return termsafe.String(s) }
