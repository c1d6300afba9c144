//go:build credwiz_testhooks

package ui

import "strconv"

// scryptEnv names the scrypt work factor (log2 of N) with which a binary
// built with the credwiz_testhooks tag creates encrypted file stores, so
// that tests of many processes do not each spend a second on scrypt.
const scryptEnv = "CREDWIZ_TEST_SCRYPT_WORK_FACTOR"

// testWorkFactor returns scryptEnv's value, or 0 (the default).
func testWorkFactor(f *Factory) int {
	n, err := strconv.Atoi(f.Getenv(scryptEnv))
	if err != nil || n < 1 || n > 22 {
		return 0
	}
	return n
}
