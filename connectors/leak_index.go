package connectors

import (
	"bytes"
	"math/bits"
	"slices"
)

// index finds any of a set of byte strings (needles) in a text in one pass:
// needles of 8 bytes or more are keyed by their first 8 bytes, read as a
// uint64 that rolls along the text, behind a bitset of hashed keys that
// rejects almost every position with one memory access; the few shorter
// needles are searched one by one.
type index struct {
	bits  []uint64
	shift uint // 64 - log2(len(bits)*64)
	long  map[uint64][]string
	short [][]byte
}

const hashMul = 0x9E3779B97F4A7C15 // 2^64 / golden ratio, odd

// newIndex indexes needles; empty ones are ignored.
func newIndex(needles []string) index {
	var x index
	n := 0
	for _, s := range needles {
		if len(s) >= 8 {
			n++
		}
	}
	// About 32 bits per key keeps the bitset's false positives near 3%.
	size := max(1<<10, 1<<bits.Len(uint(n*32/64)))
	x.bits = make([]uint64, size)
	x.shift = uint(64 - bits.TrailingZeros(uint(size*64)))
	x.long = make(map[uint64][]string, n)
	for _, s := range needles {
		switch {
		case s == "":
		case len(s) < 8:
			if !slices.ContainsFunc(x.short, func(b []byte) bool { return string(b) == s }) {
				x.short = append(x.short, []byte(s))
			}
		default:
			k := key(s)
			if !slices.Contains(x.long[k], s) {
				x.long[k] = append(x.long[k], s)
			}
			h := (k * hashMul) >> x.shift
			x.bits[h>>6] |= 1 << (h & 63)
		}
	}
	return x
}

// in reports whether text holds any needle.
func (x *index) in(text []byte) bool {
	for _, s := range x.short {
		if bytes.Contains(text, s) {
			return true
		}
	}
	if len(x.long) == 0 || len(text) < 8 {
		return false
	}
	var k uint64
	for i := range 7 {
		k |= uint64(text[i]) << (8 * (i + 1))
	}
	for i := 0; i+8 <= len(text); i++ {
		k = k>>8 | uint64(text[i+7])<<56
		h := (k * hashMul) >> x.shift
		if x.bits[h>>6]&(1<<(h&63)) == 0 {
			continue
		}
		for _, s := range x.long[k] {
			if len(text)-i >= len(s) && string(text[i:i+len(s)]) == s {
				return true
			}
		}
	}
	return false
}

// key reads the first 8 bytes of s as a little-endian uint64.
func key(s string) uint64 {
	var k uint64
	for i := range 8 {
		k |= uint64(s[i]) << (8 * i)
	}
	return k
}
