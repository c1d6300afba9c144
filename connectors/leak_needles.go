package connectors

import (
	"encoding/base32"
	"encoding/base64"
	"slices"
	"strings"
	"unicode/utf16"
)

// The encodings of a secret that LeakCheck looks for beside its plain
// runs: each turns the secret into needles for the plain (folded) or the
// base64 (case-sensitive) search.

// b32Run and b32Step: any RunLen bytes of a secret always yield 12 whole
// base32 characters (64 bits hold 12 whole 5-bit characters at every bit
// offset), and any 12 consecutive characters hold a run of 8 that starts
// at a multiple of 5.
const b32Run, b32Step = 8, 5

// base64Encodings are the two base64 alphabets, unpadded.
var base64Encodings = []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding}

// base32Encodings are the two base32 alphabets, unpadded.
var base32Encodings = []*base32.Encoding{base32.StdEncoding.WithPadding(base32.NoPadding), base32.HexEncoding.WithPadding(base32.NoPadding)}

// byteForms returns the byte strings whose hex and base64 encodings quote
// s: its UTF-8 bytes, and UTF-16 in both byte orders (what a Windows or
// Java system encodes).
func byteForms(s string) []string {
	u := utf16.Encode([]rune(s))
	le := make([]byte, 0, 2*len(u))
	be := make([]byte, 0, 2*len(u))
	for _, c := range u {
		le = append(le, byte(c), byte(c>>8))
		be = append(be, byte(c>>8), byte(c))
	}
	return []string{s, string(le), string(be)}
}

// appendBase64Runs appends the base64 needles of the bytes b: runs of
// the core at each alignment in each alphabet, and the same for the core
// encoded once more (base64 of base64).
func appendBase64Runs(dst []string, b string, twice bool) []string {
	var cores []string
	for _, enc := range base64Encodings {
		for align := range 3 {
			if c := base64Core(enc, b, align); c != "" && !slices.Contains(cores, c) {
				cores = append(cores, c)
			}
		}
	}
	for _, c := range cores {
		dst = appendRuns(dst, c, b64Run, b64Step)
		if twice {
			// Any RunLen bytes give 10 whole characters of the inner
			// core, whose encoding holds 12 whole characters of the
			// outer one: again a run of 8 at a multiple of 3.
			dst = appendBase64Runs(dst, c, false)
		}
	}
	return dst
}

// appendBase32Runs appends the base32 needles of s, folded to lower case
// for the plain search: runs of the core at each of the 5 alignments in
// both alphabets.
func appendBase32Runs(dst []string, s string) []string {
	for _, enc := range base32Encodings {
		for align := range 5 {
			full := enc.EncodeToString(append(make([]byte, align), s...))
			start := (8*align + 4) / 5
			end := min(8*(align+len(s))/5, len(full))
			if start < end {
				dst = appendRuns(dst, strings.ToLower(full[start:end]), b32Run, b32Step)
			}
		}
	}
	return dst
}

// reverse returns s with its characters in reverse order.
func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}
