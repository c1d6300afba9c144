package connectors

import "unicode/utf8"

// minSpacedChars is the shortest stretch of characters alternating with
// a separator that unspace extracts: a spaced or dashed secret shorter
// than that is not looked for (too much ordinary text has that shape).
// Hex pairs need two pairs and one separator.
const minSpacedChars = 4

// unspace returns the stretches of the folded text b in which a secret
// may be spelt out with a separator: every character followed by the same
// one-byte separator ("s u p 3 r", "s-u-p-3-r"), and hex pairs each
// followed by the same separator ("53:75:70", "53 75 70"), without their
// separators, each stretch ended by a NUL. It returns nil when b holds no
// such stretch. The characters of a stretch may be anything, separator
// included ("a - b" in a spaced secret "a-b" is "a - - - b").
func unspace(b []byte) []byte {
	out := unspaceChars(nil, b)
	return unspaceHex(out, b)
}

// isSeparator reports whether the ASCII byte c may separate the
// characters of a spelt-out secret: space or punctuation.
func isSeparator(c byte) bool { return separators[c] }

var separators = func() (t [256]bool) {
	for c := range 128 {
		t[c] = c == ' ' || ('!' <= c && c <= '/') || (':' <= c && c <= '@') || ('[' <= c && c <= '`') || ('{' <= c && c <= '~')
	}
	return t
}()

// spacedRun is one phase of unspaceChars: characters at the even
// positions of the phase, the separator at the odd ones.
type spacedRun struct {
	start int  // byte offset of the stretch's first character, or -1
	last  int  // byte offset of its last character
	chars int  // characters in the stretch
	sep   byte // its separator (0 before the first)
}

// trivial reports whether r holds no stretch, or only one character.
func (r *spacedRun) trivial() bool { return r.start < 0 || r.sep == 0 }

// unspaceChars appends to out the characters of every stretch of b in
// which at least minSpacedChars characters alternate with one separator.
// A quick scan finds where a stretch may begin (a separator, one
// character, the same separator, one character, the same separator);
// from the character before it, every character position is a character
// in one phase and a separator in the other, and following both phases
// until neither holds a stretch finds every stretch, whatever its
// characters are (separators included).
func unspaceChars(out, b []byte) []byte {
	for from := 0; ; {
		j := spacedCandidate(b, from)
		if j < 0 {
			return out
		}
		s0 := 0
		if j > 0 {
			s0 = j - 1
			for s0 > 0 && !utf8.RuneStart(b[s0]) {
				s0--
			}
		}
		var pos int
		out, pos = unspaceFrom(out, b, s0, j)
		from = pos + 1
	}
}

// spacedCandidate returns the first offset j >= from of a separator
// followed by one character and the same separator twice, or -1.
func spacedCandidate(b []byte, from int) int {
	for j := from; j+4 < len(b); j++ {
		c := b[j]
		if !separators[c] {
			continue
		}
		j2 := j + 1 + runeLen(b, j+1)
		if j2 >= len(b) || b[j2] != c {
			continue
		}
		if j3 := j2 + 1 + runeLen(b, j2+1); j3 < len(b) && b[j3] == c {
			return j
		}
	}
	return -1
}

// runeLen returns the length of the character at b[i], 1 past the end.
func runeLen(b []byte, i int) int {
	if i >= len(b) || b[i] < utf8.RuneSelf {
		return 1
	}
	_, n := utf8.DecodeRune(b[i:])
	return n
}

// unspaceFrom follows both phases from offset s0 until, past the
// candidate separator at j, neither holds a stretch; it appends the
// stretches found and returns the offset of the last character read.
func unspaceFrom(out, b []byte, s0, j int) ([]byte, int) {
	runs := [2]spacedRun{{start: -1}, {start: -1}}
	i, k := s0, 0 // byte offset and character index
	for ; i < len(b); k++ {
		n := runeLen(b, i)
		for p := range runs {
			r := &runs[p]
			if (k+p)&1 == 0 { // a character of phase p
				if r.start < 0 {
					*r = spacedRun{start: i}
				}
				r.chars++
				r.last = i
				continue
			}
			if r.start < 0 {
				continue
			}
			c := b[i]
			switch {
			case n > 1 || !separators[c]:
				out = r.flush(out, b)
			case r.sep == 0 || r.sep == c:
				r.sep = c
			default:
				// Another separator: a new stretch may start at the last
				// character (`"h u n` after `:"`).
				last := r.last
				out = r.flush(out, b)
				*r = spacedRun{start: last, last: last, chars: 1, sep: c}
			}
		}
		if i > j && runs[0].trivial() && runs[1].trivial() {
			return out, i
		}
		i += n
	}
	for p := range runs {
		out = runs[p].flush(out, b)
	}
	return out, len(b)
}

// flush appends r's characters to out when the stretch is long enough,
// and ends it.
func (r *spacedRun) flush(out, b []byte) []byte {
	if r.start >= 0 && r.chars >= minSpacedChars {
		i := r.start
		for range r.chars {
			n := 1
			if b[i] >= utf8.RuneSelf {
				_, n = utf8.DecodeRune(b[i:])
			}
			out = append(out, b[i:i+n]...)
			i += n + 1 // the character and its one-byte separator
		}
		out = append(out, 0)
	}
	*r = spacedRun{start: -1}
	return out
}

// unspaceHex appends to out every stretch of b of at least two pairs of hex digits (folded: lower case) separated by the same
// separator, without the separators.
func unspaceHex(out, b []byte) []byte {
	isHex := func(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' }
	pair := func(i int) bool { return i+1 < len(b) && isHex(b[i]) && isHex(b[i+1]) }
	for i := 0; i+4 < len(b); i++ {
		sep := b[i+2]
		if !pair(i) || isHex(sep) || !isSeparator(sep) || !pair(i+3) {
			continue
		}
		j := i + 3
		for j+2 < len(b) && b[j+2] == sep && pair(j+3) {
			j += 3
		}
		for p := i; p <= j; p += 3 {
			out = append(out, b[p], b[p+1])
		}
		out = append(out, 0)
		i = j - 1 // the last pair may start a stretch with another separator
	}
	return out
}
