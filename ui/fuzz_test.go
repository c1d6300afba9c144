package ui

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// FuzzParseSecretsStdin: parseSecretsStdin never panics; what it accepts
// has only field keys and single-line values, and reads back the same once
// rendered as KEY=VALUE lines; what it refuses is a usage error that
// quotes no value (nor a line without "=", nor the text before "=" when
// that is not a key: either may be a pasted secret).
func FuzzParseSecretsStdin(f *testing.F) {
	f.Add("client_secret=abc\n")
	f.Add("# comment\n\napi_key=Bearer x\r\n")
	f.Add("a=1\na=2\n")
	f.Add("k==v\n k = v \n")
	f.Add("Secret-Value-Pasted-Alone-0123456789\n")
	f.Add("sk_live_0123456789abcdef=oops\n")
	f.Add("key=va\x00lue\n\xff=\xfe")
	f.Fuzz(func(t *testing.T, in string) {
		m, err := parseSecretsStdin(strings.NewReader(in))
		if err != nil {
			var ue *UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("parseSecretsStdin(%q): %v is not a usage error", in, err)
			}
			checkNoEcho(t, in, err.Error())
			return
		}
		var b strings.Builder
		keys := make([]string, 0, len(m))
		for k, v := range m {
			if !isFieldKey(k) {
				t.Fatalf("parseSecretsStdin(%q) accepted the key %q", in, k)
			}
			if strings.ContainsAny(v, "\n") {
				t.Fatalf("parseSecretsStdin(%q): the value of %s spans lines", in, k)
			}
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			b.WriteString(k + "=" + m[k] + "\n")
		}
		again, err := parseSecretsStdin(strings.NewReader(b.String()))
		if err != nil {
			t.Fatalf("parseSecretsStdin refuses its own output %q: %v", b.String(), err)
		}
		if len(again) != len(m) {
			t.Fatalf("round trip of %q: %d keys, then %d", in, len(m), len(again))
		}
		for k, v := range m {
			if again[k] != strings.TrimRight(v, "\r") {
				t.Fatalf("round trip of %q changed %s", in, k)
			}
		}
	})
}

// stdinErrorText is the fixed text of parseSecretsStdin's errors: a piece
// of input that is also part of it is not an echo.
const stdinErrorText = "--secrets-stdin line : expected KEY=VALUE" +
	"--secrets-stdin line : the part before = is not a field key (use lower-case letters, digits and _, e.g. client_secret=…)" +
	"--secrets-stdin line :  is given twice --secrets-stdin: input larger than  MiB"

// checkNoEcho fails when msg quotes a value of in, a line without "=", or
// the text before "=" when it is not a field key. Only pieces of 16 bytes
// or more that are neither part of a key of in (which the message may
// name) nor of the messages' fixed text are checked.
func checkNoEcho(t *testing.T, in, msg string) {
	t.Helper()
	var keys, private []string
	for line := range strings.SplitSeq(in, "\n") {
		line = strings.TrimRight(line, "\r")
		k, v, ok := strings.Cut(line, "=")
		switch {
		case !ok:
			private = append(private, strings.TrimSpace(line))
		case isFieldKey(strings.TrimSpace(k)):
			keys = append(keys, strings.TrimSpace(k))
			private = append(private, v)
		default:
			private = append(private, strings.TrimSpace(k), v)
		}
	}
	for _, p := range private {
		if len(p) < 16 || strings.Contains(stdinErrorText, p) ||
			slices.ContainsFunc(keys, func(k string) bool { return strings.Contains(k, p) }) {
			continue
		}
		if strings.Contains(msg, p) {
			t.Fatalf("the error for %q quotes %q: %s", in, p, msg)
		}
	}
}
