//go:build linux

package kernelkeyring

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// procKeysTimeout reads the expiry column of key id in /proc/keys ("perm",
// "14m", "59s", "2h", "3d", "1w" or "expd").
func procKeysTimeout(id int) (time.Duration, bool) {
	f, err := os.Open("/proc/keys")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	want := fmt.Sprintf("%08x", id)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 || fields[0] != want {
			continue
		}
		return parseExpiry(fields[3])
	}
	return 0, false
}

// parseExpiry parses /proc/keys' expiry column.
func parseExpiry(s string) (time.Duration, bool) {
	if s == "perm" || s == "" {
		return 0, false
	}
	if s == "expd" {
		return 0, true
	}
	unit := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[s[len(s)-1]]
	n, err := strconv.Atoi(s[:len(s)-1])
	if unit == 0 || err != nil || n < 0 {
		return 0, false
	}
	return time.Duration(n) * unit, true
}
