package mask

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

// The masking throughput: go test -bench Throughput ./internal/mask runs,
// side by side over the same output, a plain io.Copy and the masker in
// memory, then a child's output as exec reads it: written in 32 KiB
// pieces into an OS pipe and copied out of it, plainly or through the
// masker. The ratios of their MB/s are the cost of masking.

// benchSecrets are five values of the sizes exec hands a child: OAuth
// access tokens (a JWT of about 1 KB, opaque ones), an API key and a
// client secret.
func benchSecrets(r *rand.Rand) []Secret {
	const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = b64[r.IntN(len(b64))]
		}
		return string(b)
	}
	return []Secret{
		{Value: "eyJhbGciOiJSUzI1NiJ9." + word(900) + "." + word(86), Label: Label("db", "access_token")},
		{Value: "00D5g000004" + "!" + word(100), Label: Label("sf", "access_token")},
		{Value: word(40), Label: Label("drift", "api_key")},
		{Value: word(64), Label: Label("clazar", "client_secret")},
		{Value: word(32), Label: Label("up", "token")},
	}
}

// benchOutput is about 4 MiB of a child's log: coloured lines with JSON,
// URLs and base64-like ids; one line in every hundred holds a secret.
func benchOutput(r *rand.Rand, secrets []Secret) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < 4<<20; i++ {
		fmt.Fprintf(&b, "\x1b[32m2026-11-22T10:%02d:%02dZ\x1b[0m INFO GET https://api.example.com/v1/accounts?page=%d id=%x {\"status\":\"ok\",\"items\":%d,\"etag\":\"W/%x\"}",
			i/60%60, i%60, i, r.Uint64(), r.IntN(500), r.Uint64())
		if i%100 == 0 {
			b.WriteString(" bearer=" + secrets[i/100%len(secrets)].Value)
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// hostileOutput is output built to stress a matcher: long runs that agree
// with the start of a secret and then differ, over and over.
func hostileOutput(secrets []Secret) []byte {
	v := secrets[0].Value
	var b bytes.Buffer
	for b.Len() < 4<<20 {
		b.WriteString(v[:len(v)-1])
		b.WriteByte('!')
	}
	return b.Bytes()
}

// onlyReader and onlyWriter hide ReadFrom and WriteTo, so io.Copy copies
// in buffer-sized pieces as from a pipe.
type onlyReader struct{ io.Reader }
type onlyWriter struct{ io.Writer }

func BenchmarkThroughput(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 7))
	secrets := benchSecrets(r)
	for _, in := range []struct {
		name string
		data []byte
	}{
		{"log", benchOutput(r, secrets)},
		{"hostile", hostileOutput(secrets)},
	} {
		buf := make([]byte, 32<<10)
		b.Run(in.name+"/io.Copy", func(b *testing.B) {
			b.SetBytes(int64(len(in.data)))
			for b.Loop() {
				if _, err := io.CopyBuffer(onlyWriter{io.Discard}, onlyReader{bytes.NewReader(in.data)}, buf); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(in.name+"/pipe", func(b *testing.B) {
			b.SetBytes(int64(len(in.data)))
			for b.Loop() {
				throughPipe(b, in.data, onlyWriter{io.Discard}, buf)
			}
		})
		b.Run(in.name+"/pipe+mask", func(b *testing.B) {
			b.SetBytes(int64(len(in.data)))
			for b.Loop() {
				m := NewWriter(onlyWriter{io.Discard}, secrets)
				throughPipe(b, in.data, m, buf)
				if err := m.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(in.name+"/mask", func(b *testing.B) {
			b.SetBytes(int64(len(in.data)))
			for b.Loop() {
				m := NewWriter(onlyWriter{io.Discard}, secrets)
				if _, err := io.CopyBuffer(m, onlyReader{bytes.NewReader(in.data)}, buf); err != nil {
					b.Fatal(err)
				}
				if err := m.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// throughPipe writes data into an OS pipe in 32 KiB writes from another
// goroutine, as a child process would, and copies the pipe to dst.
func throughPipe(b *testing.B, data []byte, dst io.Writer, buf []byte) {
	pr, pw, err := os.Pipe()
	if err != nil {
		b.Fatal(err)
	}
	defer pr.Close()
	go func() {
		defer pw.Close()
		for rest := data; len(rest) > 0; {
			n := min(len(rest), 32<<10)
			if _, err := pw.Write(rest[:n]); err != nil {
				return
			}
			rest = rest[n:]
		}
	}()
	if _, err := io.CopyBuffer(dst, onlyReader{pr}, buf); err != nil {
		b.Fatal(err)
	}
}

// TestBenchOutputMasked checks that the benchmark's masker does the work:
// no secret is left in its output.
func TestBenchOutputMasked(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	secrets := benchSecrets(r)
	in := benchOutput(r, secrets)
	var out bytes.Buffer
	m := NewWriter(&out, secrets)
	if _, err := io.CopyBuffer(m, onlyReader{bytes.NewReader(in)}, make([]byte, 32<<10)); err != nil {
		t.Fatal(err)
	}
	m.Close()
	for _, s := range secrets {
		if strings.Contains(out.String(), s.Value) {
			t.Errorf("%s left in the output", s.Label)
		}
		if !strings.Contains(out.String(), s.Label) {
			t.Errorf("%s never written", s.Label)
		}
	}
	if out.String() != reference(string(in), secrets) {
		t.Error("output differs from the reference")
	}
}
