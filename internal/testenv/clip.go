package testenv

import "fmt"

// Clip shortens long text for failure messages.
func Clip(s string) string {
	const max = 1500
	if len(s) > max {
		return s[:max] + fmt.Sprintf("…(%d bytes)", len(s))
	}
	return s
}
