package mask

import (
	"errors"
	"io"
	"sync"
)

// Secret is one value to hide and the label written in its place.
type Secret struct {
	// Value is the text to hide; an empty Value hides nothing.
	Value string
	// Label is written where Value occurs.
	Label string
}

// Label is credwiz's label of the secret key of credential name:
// "<credwiz:NAME:KEY>".
func Label(name, key string) string { return "<credwiz:" + name + ":" + key + ">" }

// ErrClosed is returned by Write after Close.
var ErrClosed = errors.New("mask: write after close")

// maxKeep bounds the output buffer a Writer keeps between writes.
const maxKeep = 256 << 10

// occurrence is a value found in the stream: bytes [start, end) are value
// id.
type occurrence struct {
	start, end int64
	id         int32
}

// Writer replaces the secrets in what is written to it and writes the rest
// to the writer it wraps, unchanged. Call Close (or Flush) at the end of
// the output: it writes what is held back. A Writer may be used by several
// goroutines; its zero value is not usable (see NewWriter).
//
// Offsets below count the bytes of the stream written to the Writer.
type Writer struct {
	mu  sync.Mutex
	w   io.Writer
	a   *automaton
	s   int32 // automaton state after byte pos-1
	pos int64 // end of what was scanned
	// done is the end of what was passed on or replaced; held is the
	// stream from done to the start of the Write in progress.
	done int64
	held []byte
	// cur is the Write in progress, from offset curAt.
	cur   []byte
	curAt int64
	occ   []occurrence // values found that start at done or later
	out   []byte       // output of the Write in progress
	err   error
}

// NewWriter returns a Writer that writes to w, with every Value of secrets
// replaced by its Label. Of equal values the first one's label is used.
func NewWriter(w io.Writer, secrets []Secret) *Writer {
	values := make([]string, len(secrets))
	labels := make([]string, len(secrets))
	for i, s := range secrets {
		values[i], labels[i] = s.Value, s.Label
	}
	a := newAutomaton(values)
	a.labels = labels
	return &Writer{w: w, a: a}
}

// Write masks p and writes, in one Write of the underlying writer, all of
// the output that can no longer be part of a secret. It returns len(p)
// unless the underlying writer failed; a failure is returned again by
// every later call.
func (m *Writer) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return 0, m.err
	}
	m.cur, m.curAt = p, m.pos
	m.scan()
	err := m.pass(m.pos - int64(m.a.hold[m.s]))
	m.cur = nil
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes what is held back, as at the end of the output: a secret
// that would continue in a later Write is not found. After Close it does
// nothing.
func (m *Writer) Flush() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if errors.Is(m.err, ErrClosed) {
		return nil
	}
	return m.flush()
}

func (m *Writer) flush() error {
	if m.err != nil {
		return m.err
	}
	m.s, m.cur, m.curAt = 0, nil, m.pos
	return m.pass(m.pos)
}

// Close flushes the Writer; later writes fail with ErrClosed. It does not
// close the underlying writer.
func (m *Writer) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if errors.Is(m.err, ErrClosed) {
		return nil
	}
	if err := m.flush(); err != nil {
		return err
	}
	m.err = ErrClosed
	return nil
}

// scan runs cur through the automaton, noting each value found and
// replacing those that are decided as it goes. row is the state's row in
// the table (state*ncls); the table negates it where a value ends.
func (m *Writer) scan() {
	a, p := m.a, m.cur
	n := int32(a.ncls)
	table, class, pairs := a.table, &a.class, a.pairs
	row := m.s * n
	for i := 0; i < len(p); i++ {
		if len(m.occ) == 0 {
			// Nothing undecided: run until a value ends.
			for ; i < len(p); i++ {
				if row == 0 && pairs != nil {
					for i+1 < len(p) && pairs[(uint16(p[i])<<8|uint16(p[i+1]))>>6]&(1<<(p[i+1]&63)) == 0 {
						i++
					}
				}
				if row = table[row+int32(class[p[i]])]; row < 0 {
					break
				}
			}
			if i == len(p) {
				break
			}
		} else {
			row = table[row+int32(class[p[i]])]
		}
		if row < 0 {
			row = -row
			m.found(row/n, m.curAt+int64(i)+1)
		}
		if len(m.occ) > 0 {
			m.resolve(m.curAt + int64(i) + 1 - int64(a.hold[row/n]))
		}
	}
	m.s, m.pos = row/n, m.curAt+int64(len(p))
}

// found notes the values that end at offset end in state s.
func (m *Writer) found(s int32, end int64) {
	a := m.a
	t := s
	if a.term[t] < 0 {
		t = a.dict[t]
	}
	for ; t >= 0; t = a.dict[t] {
		if start := end - int64(a.depth[t]); start >= m.done {
			m.occ = append(m.occ, occurrence{start: start, end: end, id: a.term[t]})
		}
	}
}

// resolve replaces, first to last, each value found that starts before
// horizon, where no value still being read can start: of those starting
// at one offset, the longest.
func (m *Writer) resolve(horizon int64) {
	for len(m.occ) > 0 {
		best := 0
		for i, o := range m.occ {
			b := m.occ[best]
			if o.start < b.start || (o.start == b.start && o.end > b.end) {
				best = i
			}
		}
		o := m.occ[best]
		if o.start >= horizon {
			return
		}
		m.out = m.appendStream(m.out, m.done, o.start)
		m.out = append(m.out, m.a.labels[o.id]...)
		m.done = o.end
		kept := m.occ[:0]
		for _, x := range m.occ {
			if x.start >= m.done {
				kept = append(kept, x)
			}
		}
		m.occ = kept
	}
}

// pass replaces the values that start before horizon, passes on the rest
// of the stream up to horizon, writes the output and keeps what follows.
func (m *Writer) pass(horizon int64) error {
	m.resolve(horizon)
	if horizon > m.done {
		m.out = m.appendStream(m.out, m.done, horizon)
		m.done = horizon
	}
	// Keep the stream from done to pos for the next call.
	if m.done >= m.curAt {
		m.held = append(m.held[:0], m.cur[m.done-m.curAt:]...)
	} else {
		k := copy(m.held, m.held[m.done-(m.curAt-int64(len(m.held))):])
		m.held = append(m.held[:k], m.cur...)
	}
	if len(m.out) == 0 {
		return nil
	}
	n, err := m.w.Write(m.out)
	if err == nil && n < len(m.out) {
		err = io.ErrShortWrite
	}
	m.out = m.out[:0]
	if cap(m.out) > maxKeep {
		m.out = nil
	}
	if err != nil {
		m.err = err
	}
	return err
}

// appendStream appends the stream's bytes [from, to) to b: they are in
// held (which starts at curAt-len(held)) or in cur.
func (m *Writer) appendStream(b []byte, from, to int64) []byte {
	heldAt := m.curAt - int64(len(m.held))
	if from < m.curAt {
		b = append(b, m.held[from-heldAt:min(to, m.curAt)-heldAt]...)
		from = m.curAt
	}
	if from < to {
		b = append(b, m.cur[from-m.curAt:to-m.curAt]...)
	}
	return b
}
