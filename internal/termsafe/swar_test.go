package termsafe

import (
	"math/rand/v2"
	"testing"
)

// TestWordChecks compares printable8 and below7f8 with a byte-by-byte
// check: every byte value at every position among various neighbours,
// then random words.
func TestWordChecks(t *testing.T) {
	check := func(w uint64) {
		printable, below := true, true
		for k := range 8 {
			c := byte(w >> (8 * k))
			printable = printable && c >= 0x20 && c < 0x7f
			below = below && c < 0x7f
		}
		if printable8(w) != printable || below7f8(w) != below {
			t.Fatalf("word %#016x: printable8 %v, below7f8 %v; want %v, %v", w, printable8(w), below7f8(w), printable, below)
		}
	}
	for _, fill := range []byte{0x00, 0x1f, 0x20, 'a', 0x7e, 0x7f, 0x80, 0xff} {
		for pos := range 8 {
			for v := range 256 {
				var w uint64
				for k := range 8 {
					b := fill
					if k == pos {
						b = byte(v)
					}
					w |= uint64(b) << (8 * k)
				}
				check(w)
			}
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 1 << 20 {
		check(r.Uint64())
		// Mostly printable words, the ones the shortcut is for.
		w := uint64(0)
		for k := range 8 {
			w |= uint64(0x20+r.IntN(0x62)) << (8 * k)
		}
		check(w)
	}
}

func TestLoad8(t *testing.T) {
	s := "\x01\x02\x03\x04\x05\x06\x07\x08\x09"
	if got := load8(s, 1); got != 0x0908070605040302 {
		t.Errorf("load8 = %#x", got)
	}
	if got := load8b([]byte(s), 0); got != 0x0807060504030201 {
		t.Errorf("load8b = %#x", got)
	}
}
