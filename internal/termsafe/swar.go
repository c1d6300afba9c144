package termsafe

// Eight bytes at a time: the common text is printable ASCII, and list
// prints thousands of cells and megabytes of JSON.

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// load8 reads s[i:i+8] as a little-endian word (one load once compiled).
func load8(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// load8b is load8 for a byte slice.
func load8b(b []byte, i int) uint64 {
	_ = b[i+7]
	return uint64(b[i]) | uint64(b[i+1])<<8 | uint64(b[i+2])<<16 | uint64(b[i+3])<<24 |
		uint64(b[i+4])<<32 | uint64(b[i+5])<<40 | uint64(b[i+6])<<48 | uint64(b[i+7])<<56
}

// printable8 reports whether every byte of w is in 0x20…0x7e. It may
// report false for a word that is (the caller then looks byte by byte),
// never true for one that is not.
func printable8(w uint64) bool {
	below := (w - 0x20*ones) & ^w & highs // a byte < 0x20
	return below == 0 && below7f8(w)
}

// below7f8 reports whether every byte of w is below 0x7f, with the same
// guarantee as printable8.
func below7f8(w uint64) bool {
	return ((w+ones)|w)&highs == 0 // a byte >= 0x7f sets its high bit
}
