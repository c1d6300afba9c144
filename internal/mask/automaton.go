package mask

import "math"

// automaton is the Aho-Corasick automaton of a set of values, compiled to
// a transition table. A state is a node of the trie of the values: the
// longest end of the bytes read so far that is the start of some value.
type automaton struct {
	labels []string // labels[id]: the label of value id
	// class maps a byte to its column in delta: 0 for the bytes no value
	// holds, which all behave alike.
	class [256]uint16
	// pairs marks the first two bytes of the values (a bit per pair),
	// when every value has two: from the root, a byte that does not
	// start such a pair with the next one leaves the automaton at the
	// root after that next byte, so both can be skipped over quickly.
	pairs []uint64
	ncls  int
	delta []int32 // delta[s*ncls+class[b]]: the state after b
	depth []int32 // length of the state's string
	term  []int32 // the value the state's string is, or -1
	dict  []int32 // the nearest shorter end of the state's string that is a value, or -1
	hold  []int32 // the longest end of the state's string that can still grow into a value
	// table is delta for the scanning loop: the next state's row
	// (state*ncls), negated when a value ends in that state.
	table  []int32
	maxLen int
}

// newAutomaton compiles the non-empty values; ids index values.
func newAutomaton(values []string) *automaton {
	a := &automaton{}
	ncls := 1
	for _, v := range values {
		for i := 0; i < len(v); i++ {
			if a.class[v[i]] == 0 {
				a.class[v[i]] = uint16(ncls)
				ncls++
			}
		}
		a.maxLen = max(a.maxLen, len(v))
	}
	a.pairs = make([]uint64, 1<<16/64)
	for _, v := range values {
		switch len(v) {
		case 0:
		case 1:
			a.pairs = nil
		default:
			if a.pairs != nil {
				x := uint16(v[0])<<8 | uint16(v[1])
				a.pairs[x>>6] |= 1 << (x & 63)
			}
		}
	}
	a.ncls = ncls
	// The trie, in the table itself: -1 is "no child yet".
	a.newState(0)
	for id, v := range values {
		if v == "" {
			continue
		}
		s := int32(0)
		for i := 0; i < len(v); i++ {
			c := int(a.class[v[i]])
			next := a.delta[int(s)*ncls+c]
			if next < 0 {
				next = a.newState(a.depth[s] + 1)
				a.delta[int(s)*ncls+c] = next
			}
			s = next
		}
		if a.term[s] < 0 {
			a.term[s] = int32(id) // the first of equal values wins
		}
	}
	a.link()
	a.table = make([]int32, len(a.delta))
	for i, t := range a.delta {
		a.table[i] = t * int32(a.ncls)
		if a.term[t] >= 0 || a.dict[t] >= 0 {
			a.table[i] = -a.table[i]
		}
	}
	return a
}

func (a *automaton) newState(depth int32) int32 {
	id := int32(len(a.depth))
	if (int64(id)+1)*int64(a.ncls) > math.MaxInt32 {
		panic("mask: the values are too long to mask (the table would exceed 2 GiB entries)")
	}
	for range a.ncls {
		a.delta = append(a.delta, -1)
	}
	a.depth = append(a.depth, depth)
	a.term = append(a.term, -1)
	a.dict = append(a.dict, -1)
	a.hold = append(a.hold, 0)
	return id
}

// link turns the trie into the automaton, breadth first: the missing
// transitions follow the failure links, and each state gets its
// dictionary link and hold length.
func (a *automaton) link() {
	n := a.ncls
	trie := append([]int32(nil), a.delta...) // the trie alone: -1 where no child
	leaf := func(s int32) bool {
		for c := range n {
			if trie[int(s)*n+c] >= 0 {
				return false
			}
		}
		return true
	}
	fail := make([]int32, len(a.depth))
	queue := []int32{0}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		if leaf(s) {
			a.hold[s] = a.hold[fail[s]]
		} else {
			a.hold[s] = a.depth[s]
		}
		for c := range n {
			t := trie[int(s)*n+c]
			if t < 0 {
				// No child: where the failure link goes (the root loops).
				if s == 0 {
					a.delta[c] = 0
				} else {
					a.delta[int(s)*n+c] = a.delta[int(fail[s])*n+c]
				}
				continue
			}
			if s != 0 {
				fail[t] = a.delta[int(fail[s])*n+c]
			}
			if f := fail[t]; a.term[f] >= 0 {
				a.dict[t] = f
			} else {
				a.dict[t] = a.dict[f]
			}
			queue = append(queue, t)
		}
	}
}
