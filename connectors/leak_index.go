package connectors

import (
	"bytes"
	"cmp"
	"math/bits"
	"slices"
	"strings"
)

// index finds any of a set of byte strings (needles) in a text in one pass:
// needles of 8 bytes or more are keyed by their first 8 bytes, read as a
// uint64 that rolls along the text, behind a bitset of hashed keys that
// rejects almost every position with one memory access, and kept sorted by
// key for the few positions that pass; the few shorter needles are
// searched one by one.
type index struct {
	bits  []uint64
	shift uint // 64 - log2(len(bits)*64)
	long  []keyed
	short [][]byte
}

// keyed is a needle of 8 bytes or more and its key.
type keyed struct {
	key uint64
	s   string
}

const hashMul = 0x9E3779B97F4A7C15 // 2^64 / golden ratio, odd

// newIndex indexes needles; empty ones are ignored.
func newIndex(needles []string) index {
	var x index
	for _, s := range needles {
		switch {
		case s == "":
		case len(s) < 8:
			if !slices.ContainsFunc(x.short, func(b []byte) bool { return string(b) == s }) {
				x.short = append(x.short, []byte(s))
			}
		default:
			x.long = append(x.long, keyed{key(s), s})
		}
	}
	slices.SortFunc(x.long, func(a, b keyed) int { return cmp.Or(cmp.Compare(a.key, b.key), strings.Compare(a.s, b.s)) })
	x.long = slices.CompactFunc(x.long, func(a, b keyed) bool { return a.s == b.s })
	// About 32 bits per key keeps the bitset's false positives near 3%.
	size := max(1<<8, 1<<bits.Len(uint(len(x.long)/2)))
	x.bits = make([]uint64, size)
	x.shift = uint(64 - bits.TrailingZeros(uint(size*64)))
	for _, e := range x.long {
		h := (e.key * hashMul) >> x.shift
		x.bits[h>>6] |= 1 << (h & 63)
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
		j, _ := slices.BinarySearchFunc(x.long, k, func(e keyed, k uint64) int { return cmp.Compare(e.key, k) })
		for ; j < len(x.long) && x.long[j].key == k; j++ {
			if s := x.long[j].s; len(text)-i >= len(s) && string(text[i:i+len(s)]) == s {
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
