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
	return index{}.with(needles)
}

// with returns an index of x's needles and more; x is not changed. Only
// the new needles are sorted: they are merged with x's, already sorted.
func (x index) with(more []string) index {
	var add []keyed
	short := slices.Clip(x.short)
	for _, s := range more {
		switch {
		case s == "":
		case len(s) < 8:
			if !slices.ContainsFunc(short, func(b []byte) bool { return string(b) == s }) {
				short = append(short, []byte(s))
			}
		default:
			add = append(add, keyed{key(s), s})
		}
	}
	slices.SortFunc(add, compareKeyed)
	long := make([]keyed, 0, len(x.long)+len(add))
	for i, j := 0, 0; i < len(x.long) || j < len(add); {
		var e keyed
		if j == len(add) || (i < len(x.long) && compareKeyed(x.long[i], add[j]) <= 0) {
			e, i = x.long[i], i+1
		} else {
			e, j = add[j], j+1
		}
		if n := len(long); n == 0 || long[n-1].s != e.s {
			long = append(long, e)
		}
	}
	n := index{long: long, short: short}
	// About 32 bits per key keeps the bitset's false positives near 3%.
	size := max(1<<8, 1<<bits.Len(uint(len(n.long)/2)))
	n.bits = make([]uint64, size)
	n.shift = uint(64 - bits.TrailingZeros(uint(size*64)))
	for _, e := range n.long {
		h := (e.key * hashMul) >> n.shift
		n.bits[h>>6] |= 1 << (h & 63)
	}
	return n
}

// compareKeyed orders needles by key, then text.
func compareKeyed(a, b keyed) int {
	if c := cmp.Compare(a.key, b.key); c != 0 {
		return c
	}
	return strings.Compare(a.s, b.s)
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
