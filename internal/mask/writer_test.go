package mask

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
)

// reference masks all of in at once: strings.NewReplacer with the longest
// values first (of equal values the first), which replaces leftmost and,
// at one offset, the first pair that matches.
func reference(in string, secrets []Secret) string {
	s := slices.Clone(secrets)
	slices.SortStableFunc(s, func(a, b Secret) int { return len(b.Value) - len(a.Value) })
	var pairs []string
	for _, x := range s {
		if x.Value != "" {
			pairs = append(pairs, x.Value, x.Label)
		}
	}
	if len(pairs) == 0 {
		return in
	}
	return strings.NewReplacer(pairs...).Replace(in)
}

// recorder is an io.Writer that keeps each Write separately.
type recorder struct {
	mu     sync.Mutex
	writes []string
}

func (r *recorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.writes = append(r.writes, string(p))
	return len(p), nil
}

func (r *recorder) String() string { return strings.Join(r.writes, "") }

func sec(pairs ...string) []Secret {
	var s []Secret
	for i := 0; i+1 < len(pairs); i += 2 {
		s = append(s, Secret{Value: pairs[i], Label: pairs[i+1]})
	}
	return s
}

func TestWriter(t *testing.T) {
	token := "eyJhbGciOiJSUzI1NiJ9.payload.sig"
	tests := []struct {
		name    string
		secrets []Secret
		writes  []string
		// after is what the underlying writer holds after each write;
		// want is the whole output after Close.
		after []string
		want  string
	}{
		{
			name:    "whole value in one write",
			secrets: sec(token, "<T>"),
			writes:  []string{"Authorization: Bearer " + token + "\n"},
			after:   []string{"Authorization: Bearer <T>\n"},
			want:    "Authorization: Bearer <T>\n",
		},
		{
			name:    "split across writes, prefix held back only",
			secrets: sec(token, "<T>"),
			writes:  []string{"token=eyJhbG", "ciOiJSUzI1NiJ9.pay", "load.sig rest"},
			after:   []string{"token=", "token=", "token=<T> rest"},
			want:    "token=<T> rest",
		},
		{
			name:    "one byte at a time",
			secrets: sec("abc", "<X>"),
			writes:  []string{"a", "b", "c", "d"},
			after:   []string{"", "", "<X>", "<X>d"},
			want:    "<X>d",
		},
		{
			name:    "partial match that fails is released",
			secrets: sec("secret", "<S>"),
			writes:  []string{"Password: sec", "ond try"},
			after:   []string{"Password: ", "Password: second try"},
			want:    "Password: second try",
		},
		{
			name:    "prompt without newline appears at once",
			secrets: sec("hunter2", "<P>"),
			writes:  []string{"Continue? [y/N] "},
			after:   []string{"Continue? [y/N] "},
			want:    "Continue? [y/N] ",
		},
		{
			name:    "held bytes written at Close",
			secrets: sec("hunter2", "<P>"),
			writes:  []string{"end hun"},
			after:   []string{"end "},
			want:    "end hun",
		},
		{
			name:    "ANSI colours around and mid-line",
			secrets: sec(token, "<T>"),
			writes:  []string{"\x1b[1;31mERR\x1b[0m token \x1b[33m" + token[:5], token[5:] + "\x1b[0m done\r\n"},
			after:   []string{"\x1b[1;31mERR\x1b[0m token \x1b[33m", "\x1b[1;31mERR\x1b[0m token \x1b[33m<T>\x1b[0m done\r\n"},
			want:    "\x1b[1;31mERR\x1b[0m token \x1b[33m<T>\x1b[0m done\r\n",
		},
		{
			name:    "longest of values starting at one offset",
			secrets: sec("abc", "<short>", "abcdef", "<long>"),
			writes:  []string{"xabcdefg xabcdeg"},
			after:   []string{"x<long>g x<short>deg"},
			want:    "x<long>g x<short>deg",
		},
		{
			name:    "leftmost wins over a longer later start",
			secrets: sec("bcdefgh", "<B>", "abc", "<A>"),
			writes:  []string{"abcdefgh"},
			after:   []string{"<A>defgh"},
			want:    "<A>defgh",
		},
		{
			name:    "value inside a longer candidate that fails",
			secrets: sec("abcd", "<ABCD>", "bc", "<BC>"),
			writes:  []string{"ab", "c", "e"},
			after:   []string{"", "", "a<BC>e"},
			want:    "a<BC>e",
		},
		{
			name:    "adjacent and repeated",
			secrets: sec("ab", "<1>"),
			writes:  []string{"ababab", "a", "b"},
			after:   []string{"<1><1><1>", "<1><1><1>", "<1><1><1><1>"},
			want:    "<1><1><1><1>",
		},
		{
			name:    "equal values: first label",
			secrets: sec("same", "<first>", "same", "<second>"),
			writes:  []string{"a same b"},
			after:   []string{"a <first> b"},
			want:    "a <first> b",
		},
		{
			name:    "no secrets, empty values",
			secrets: sec("", "<never>"),
			writes:  []string{"as is\x00\xff", ""},
			after:   []string{"as is\x00\xff", "as is\x00\xff"},
			want:    "as is\x00\xff",
		},
		{
			name:    "value with bytes outside the text's alphabet",
			secrets: sec("p\x00\xffq", "<bin>"),
			writes:  []string{"a p\x00", "\xffq p\x00\xfe"},
			after:   []string{"a ", "a <bin> p\x00\xfe"},
			want:    "a <bin> p\x00\xfe",
		},
		{
			name:    "self-overlapping value",
			secrets: sec("aab", "<V>"),
			writes:  []string{"aaaa", "ab"},
			after:   []string{"aa", "aaa<V>"},
			want:    "aaa<V>",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec recorder
			m := NewWriter(&rec, tt.secrets)
			for i, w := range tt.writes {
				n, err := m.Write([]byte(w))
				if err != nil || n != len(w) {
					t.Fatalf("Write(%q) = %d, %v", w, n, err)
				}
				if got := rec.String(); got != tt.after[i] {
					t.Errorf("after Write(%q): output %q, want %q", w, got, tt.after[i])
				}
			}
			if err := m.Close(); err != nil {
				t.Fatal(err)
			}
			if got := rec.String(); got != tt.want {
				t.Errorf("after Close: %q, want %q", got, tt.want)
			}
			if ref := reference(strings.Join(tt.writes, ""), tt.secrets); ref != tt.want {
				t.Errorf("reference gives %q, the case wants %q", ref, tt.want)
			}
			if _, err := m.Write([]byte("x")); !errors.Is(err, ErrClosed) {
				t.Errorf("Write after Close = %v, want ErrClosed", err)
			}
		})
	}
}

// TestOneWritePerWrite: a Write passes its output on in one Write, so
// stdout and stderr interleave as the child wrote them.
func TestOneWritePerWrite(t *testing.T) {
	var rec recorder
	m := NewWriter(&rec, sec("tok", "<T>", "key", "<K>"))
	m.Write([]byte("a tok b key c tok d\n"))
	if len(rec.writes) != 1 || rec.writes[0] != "a <T> b <K> c <T> d\n" {
		t.Errorf("writes = %q, want one: %q", rec.writes, "a <T> b <K> c <T> d\n")
	}
}

func TestFlushMidStream(t *testing.T) {
	var rec recorder
	m := NewWriter(&rec, sec("secret", "<S>"))
	m.Write([]byte("x sec"))
	if err := m.Flush(); err != nil {
		t.Fatal(err)
	}
	if rec.String() != "x sec" {
		t.Fatalf("after Flush: %q, want %q", rec.String(), "x sec")
	}
	m.Write([]byte("ret secret"))
	m.Close()
	if got, want := rec.String(), "x secret <S>"; got != want {
		t.Errorf("got %q, want %q (a value split by Flush is not found; later ones are)", got, want)
	}
}

type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	if f.n == 0 {
		return 0, errors.New("broken pipe")
	}
	f.n--
	return len(p), nil
}

func TestWriteError(t *testing.T) {
	m := NewWriter(&failWriter{n: 1}, sec("abc", "<A>"))
	if _, err := m.Write([]byte("one ")); err != nil {
		t.Fatal(err)
	}
	if n, err := m.Write([]byte("two")); err == nil || n != 0 {
		t.Fatalf("Write to a failing writer = %d, %v; want 0 and its error", n, err)
	}
	if _, err := m.Write([]byte("three")); err == nil || err.Error() != "broken pipe" {
		t.Fatalf("later Write = %v, want the same error again", err)
	}
	if err := m.Close(); err == nil {
		t.Fatal("Close after a failed write = nil, want the error")
	}
}

type shortWriter struct{}

func (shortWriter) Write(p []byte) (int, error) { return len(p) / 2, nil }

func TestShortWrite(t *testing.T) {
	m := NewWriter(shortWriter{}, nil)
	if _, err := m.Write([]byte("abcd")); err == nil {
		t.Fatal("a short write was not reported")
	}
}

// TestConcurrentWrites: whole writes stay whole when two goroutines share
// a Writer (run with -race).
func TestConcurrentWrites(t *testing.T) {
	var rec recorder
	m := NewWriter(&rec, sec("tok123", "<T>"))
	var wg sync.WaitGroup
	for g := range 2 {
		wg.Go(func() {
			for range 200 {
				m.Write([]byte("line tok123 " + string(rune('a'+g)) + "\n"))
			}
		})
	}
	wg.Wait()
	m.Close()
	if n := strings.Count(rec.String(), "line <T> "); n != 400 || strings.Contains(rec.String(), "tok123") {
		t.Errorf("%d masked lines of 400, or a value got through", n)
	}
}

// TestEveryByteValue: values may hold any byte, all 256 of them.
func TestEveryByteValue(t *testing.T) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	secrets := []Secret{{Value: string(all), Label: "<all>"}, {Value: "\xff\x00", Label: "<ff00>"}}
	in := append(append([]byte("x"), all...), 0xff, 0x00, 'y')
	check(t, secrets, in, []int{3, 100, 200})
	check(t, secrets, in, nil)
}

// check writes in to a Writer in the given pieces and compares the output
// with the reference; after every Write, what was passed on must be the
// start of the final output and at most the longest value less one byte
// may be held back.
func check(t *testing.T, secrets []Secret, in []byte, pieces []int) {
	t.Helper()
	var out bytes.Buffer
	m := NewWriter(&out, secrets)
	want := reference(string(in), secrets)
	rest := in
	for _, n := range pieces {
		n = min(n, len(rest))
		if _, err := m.Write(rest[:n]); err != nil {
			t.Fatal(err)
		}
		rest = rest[n:]
		if !strings.HasPrefix(want, out.String()) {
			t.Fatalf("secrets %q, input %q in pieces %v: output so far %q is not a start of %q", secrets, in, pieces, out.String(), want)
		}
		if held := m.pos - m.done; held > int64(max(m.a.maxLen-1, 0)) {
			t.Fatalf("secrets %q, input %q: %d bytes held back, longest value %d", secrets, in, held, m.a.maxLen)
		}
	}
	if _, err := m.Write(rest); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if out.String() != want {
		t.Fatalf("secrets %q, input %q in pieces %v:\n got %q\nwant %q", secrets, in, pieces, out.String(), want)
	}
}

// TestRandom compares with the reference on many random small-alphabet
// inputs, values and splits, where overlaps are common.
func TestRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = "abc"[r.IntN(3)]
		}
		return string(b)
	}
	for range 20000 {
		var secrets []Secret
		for i := range 1 + r.IntN(4) {
			secrets = append(secrets, Secret{Value: word(1 + r.IntN(5)), Label: "<" + string(rune('0'+i)) + ">"})
		}
		in := []byte(word(r.IntN(40)))
		var pieces []int
		for range r.IntN(6) {
			pieces = append(pieces, r.IntN(8))
		}
		check(t, secrets, in, pieces)
	}
}

func FuzzWriter(f *testing.F) {
	f.Add("abc", "bcd", "cd", []byte("xabcdabcbcd"), []byte{1, 2, 3})
	f.Add("eyJhb", "eyJhbGci", "", []byte("\x1b[31meyJhbGciOi\x1b[0m"), []byte{4, 1})
	f.Fuzz(func(t *testing.T, v1, v2, v3 string, in, splits []byte) {
		secrets := []Secret{{v1, "<1>"}, {v2, "<2>"}, {v3, "<3>"}}
		pieces := make([]int, len(splits))
		for i, s := range splits {
			pieces[i] = int(s % 16)
		}
		check(t, secrets, in, pieces)
	})
}
