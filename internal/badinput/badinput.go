// Package badinput is the table of bad values that credwiz's scripted
// add, edit and reauth must refuse for every field of a connector (and of
// padded values they must accept), with what credwiz must say. The fault
// tests run it through the binary; a connector's own tests may run it in
// process.
package badinput

import (
	"crypto/rand"
	"encoding/hex"
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/credwiz/credwiz/connectors"
)

// KV is one KEY=VALUE given to credwiz, on argv (--field) or stdin.
type KV struct {
	Key, Val string
	Stdin    bool
}

// Case is one scripted add (or edit/reauth) with one field's value
// changed, and what credwiz must do with it.
type Case struct {
	// Name names the case (a subtest name).
	Name string
	// Conn is the connector.
	Conn *connectors.Connector
	// Field is the field the case is about (named in the error).
	Field string
	// Args, for a case on the saved credential, is the command line.
	Args []string
	// Input are the values given.
	Input []KV
	// Want is the exit code: 2 usage error, 0 accepted.
	Want int
	// Stored, for an accepted value, is what must be saved.
	Stored string
	// Mention must be on stderr (the field key, or more).
	Mention []string
	// Hidden must not be in the output (a secret or a value that held one).
	Hidden []string
	// OnExisting: the command works on the saved credential Existing(Conn).
	OnExisting bool
}

// Existing is the name of the saved credential of c that the edit and
// reauth cases work on: add it (BaseInput, ScriptedAdd) before running
// them.
func Existing(c *connectors.Connector) string { return "exist-" + c.ID }

// Cases returns the table for connector c, whose valid values (an
// emulator's) are good: for every field, each kind of bad value its kind
// of field can get, and the padded values it must accept; an unknown key
// on argv and on stdin; bad values to edit and reauth of the saved
// credential Existing(c).
func Cases(c *connectors.Connector, good connectors.Values) []Case {
	var cases []Case
	base := BaseInput(c, good)
	for _, fd := range c.Fields {
		k := fd.Key
		g := good[k]
		if g == "" {
			g = fd.Default
		}
		if g == "" {
			// An optional field the emulator does not use.
			g = "optional-value"
		}
		normal := func(val string) KV { return KV{Key: k, Val: val, Stdin: fd.Secret} }
		refuse := func(name string, in []KV, extra ...string) Case {
			bc := Case{Name: k + "/" + name, Conn: c, Field: k, Input: in, Want: 2, Mention: append([]string{k}, extra...)}
			if fd.Secret {
				bc.Hidden = []string{g}
			}
			return bc
		}
		if fd.Required {
			cases = append(cases,
				refuse("empty", with(base, k, normal(""))),
				refuse("white space only", with(base, k, normal(" \t "))))
			if fd.Bearer {
				// Nothing is left once the prefix is stripped.
				cases = append(cases, refuse("Bearer only", with(base, k, normal("Bearer "))))
			}
		}
		long := strings.Repeat("v", 1<<20)
		cases = append(cases,
			refuse("1MB on stdin", with(base, k, KV{Key: k, Val: long, Stdin: true})),
			refuse("control character", with(base, k, normal(g[:1]+"\x1b[2J"+g[1:]))),
			refuse("tab inside", with(base, k, normal(g[:1]+"\t"+g[1:]))),
			refuse("invalid UTF-8", with(base, k, normal(g+"\xff\xfe"))),
			refuse("duplicate on stdin", with(base, k, KV{Key: k, Val: g, Stdin: true}, KV{Key: k, Val: g, Stdin: true}), "twice"),
		)
		if fd.Secret {
			cases = append(cases,
				refuse("NUL on stdin", with(base, k, normal(g[:1]+"\x00"+g[1:]))),
				refuse("one character", with(base, k, normal(g[:1])), "at least"))
			// A value of its own: it lands in argv, which the leak
			// scan would (rightly) flag for a registered secret.
			onArgv := "argv-" + k + "-" + randomHex(8)
			bc := refuse("secret on argv", with(base, k, KV{Key: k, Val: onArgv}), "--secrets-stdin")
			bc.Hidden = []string{onArgv}
			cases = append(cases, bc)
		} else {
			cases = append(cases,
				refuse("100KB on argv", with(base, k, normal(strings.Repeat("v", 100<<10)))),
				refuse("duplicate --field", with(base, k, normal(g), normal(g)), "twice"),
			)
		}
		if fd.Domain != "" {
			u, _ := url.Parse(g)
			host := u.Host
			cases = append(cases,
				refuse("wrong scheme", with(base, k, normal("ftp://"+host))),
				refuse("scheme-less", with(base, k, normal(host+"/api"))),
				refuse("non-loopback http", with(base, k, normal("http://api."+fd.Domain))),
				refuse("non-loopback http lookalike", with(base, k, normal("http://127.0.0.1.nip.io"))),
				refuse("user in URL", with(base, k, normal("https://user:pw@api."+fd.Domain))),
				refuse("two URLs run together", with(base, k, normal(g+"http://127.0.0.1:8080"))),
				refuse("empty port", with(base, k, normal("https://api."+fd.Domain+":"))),
			)
		}
		if len(fd.Options) > 0 {
			cases = append(cases, refuse("not an option", with(base, k, normal(fd.Options[0]+"x")), fd.Options[0]))
		}
		// Accepted: trimmed.
		cases = append(cases, Case{Name: k + "/whitespace-padded", Conn: c, Field: k,
			Input: with(base, k, normal("  "+g+" \t ")), Want: 0, Stored: g})
		// "Bearer " is stripped from token fields only.
		bearer := Case{Name: k + "/Bearer-prefixed", Conn: c, Field: k,
			Input: with(base, k, normal("Bearer "+g)), Mention: []string{k}}
		if fd.Bearer {
			bearer.Want, bearer.Stored = 0, g
		} else {
			// Kept verbatim: the field's own rules decide (the
			// connector's Validate is the oracle).
			v := maps.Clone(good)
			v[k] = "Bearer " + g
			if err := c.Validate(c.Normalize(v)); err != nil {
				bearer.Want = 2
			} else {
				bearer.Want, bearer.Stored = 0, "Bearer "+g
			}
		}
		cases = append(cases, bearer)
	}
	// Unknown keys, on argv and on stdin (never echoing the value).
	secretish := "unknown-value-" + randomHex(8)
	cases = append(cases,
		Case{Name: "unknown key on argv", Conn: c, Field: "colour",
			Input: append(slices.Clone(base), KV{Key: "colour", Val: "blue"}), Want: 2, Mention: []string{"colour"}},
		Case{Name: "unknown key on stdin", Conn: c, Field: "colour",
			Input: append(slices.Clone(base), KV{Key: "colour", Val: secretish, Stdin: true}), Want: 2,
			Mention: []string{"colour"}, Hidden: []string{secretish}},
		Case{Name: "line without =", Conn: c, Field: "--secrets-stdin",
			Input: append(slices.Clone(base), KV{Key: secretish, Stdin: true}), Want: 2,
			Mention: []string{"--secrets-stdin"}, Hidden: []string{secretish}},
	)
	// edit and reauth of the saved credential refuse bad values too.
	firstSecret := c.SecretKeys()[0]
	var urlKey string
	for _, fd := range c.Fields {
		if fd.Domain != "" {
			urlKey = fd.Key
		}
	}
	exist := Existing(c)
	onArgv := "argv-" + randomHex(8)
	cases = append(cases,
		Case{Name: "edit/wrong-scheme URL", Conn: c, Field: urlKey, OnExisting: true, Want: 2, Mention: []string{urlKey},
			Args: []string{"edit", exist, "--field", urlKey + "=ftp://example.com"}},
		Case{Name: "edit/non-loopback http", Conn: c, Field: urlKey, OnExisting: true, Want: 2, Mention: []string{urlKey},
			Args: []string{"edit", exist, "--field", urlKey + "=http://example.com"}},
		Case{Name: "edit/secret on argv", Conn: c, Field: firstSecret, OnExisting: true, Want: 2,
			Mention: []string{firstSecret, "--secrets-stdin"}, Hidden: []string{onArgv},
			Args: []string{"edit", exist, "--field", firstSecret + "=" + onArgv}},
		Case{Name: "edit/control character in secret", Conn: c, Field: firstSecret, OnExisting: true, Want: 2,
			Mention: []string{firstSecret}, Input: []KV{{Key: firstSecret, Val: "ab\x1bcdefghij", Stdin: true}},
			Args: []string{"edit", exist, "--secrets-stdin", "--no-test"}},
		Case{Name: "edit/description with control character", Conn: c, Field: "--description", OnExisting: true, Want: 2,
			Mention: []string{"--description"}, Args: []string{"edit", exist, "--description", "a\x1bb"}},
		Case{Name: "edit/rename to an invalid name", Conn: c, Field: "name", OnExisting: true, Want: 2,
			Mention: []string{"name"}, Args: []string{"edit", exist, "--name", "a/b"}},
		Case{Name: "reauth/secret on argv", Conn: c, Field: firstSecret, OnExisting: true, Want: 2,
			Mention: []string{firstSecret, "--secrets-stdin"}, Hidden: []string{onArgv},
			Args: []string{"reauth", exist, "--field", firstSecret + "=" + onArgv}},
		Case{Name: "reauth/invalid UTF-8 secret", Conn: c, Field: firstSecret, OnExisting: true, Want: 2,
			Mention: []string{firstSecret}, Input: []KV{{Key: firstSecret, Val: "abcdefgh\xff", Stdin: true}},
			Args: []string{"reauth", exist, "--secrets-stdin"}},
		Case{Name: "reauth/duplicate key on stdin", Conn: c, Field: firstSecret, OnExisting: true, Want: 2,
			Mention: []string{firstSecret, "twice"},
			Input:   []KV{{Key: firstSecret, Val: "abcdefgh1", Stdin: true}, {Key: firstSecret, Val: "abcdefgh2", Stdin: true}},
			Args:    []string{"reauth", exist, "--secrets-stdin"}},
	)
	return cases
}

// Command returns the command line and stdin of bc: a scripted add of a
// credential named name without the live test, or bc's command on the
// saved credential.
func (bc Case) Command(name string) (args []string, stdin string) {
	if bc.OnExisting {
		_, stdin = ScriptedAdd(bc.Conn, "", bc.Input)
		return slices.Clone(bc.Args), stdin
	}
	args, stdin = ScriptedAdd(bc.Conn, name, bc.Input)
	return append(args, "--no-test"), stdin
}

// Check checks what credwiz answered to bc: the exit code, no hidden value
// in the output, and for a refusal one line on stderr naming what Mention
// lists. What was saved, or that nothing changed, is the caller's to check.
func (bc Case) Check(t testing.TB, code int, stdout, stderr string) {
	t.Helper()
	if code != bc.Want {
		t.Fatalf("exit %d, want %d:\nstdout: %s\nstderr: %s", code, bc.Want, stdout, stderr)
	}
	for _, h := range bc.Hidden {
		if len(h) >= 8 && strings.Contains(stderr+stdout, h) {
			t.Errorf("the output echoes the value given for %s:\n%s", bc.Field, stderr)
		}
	}
	if bc.Want == 0 {
		return
	}
	if s := strings.TrimRight(stderr, "\n"); s == "" || strings.Contains(s, "\n") {
		t.Errorf("stderr is not one line:\n%s", stderr)
	}
	for _, m := range bc.Mention {
		if !strings.Contains(stderr, m) {
			t.Errorf("stderr does not name %q:\n%s", m, stderr)
		}
	}
}

// BaseInput is the valid input for values v: non-secret fields on argv,
// secrets on stdin, in form order.
func BaseInput(c *connectors.Connector, v connectors.Values) []KV {
	var in []KV
	for _, fd := range c.Fields {
		if val, ok := v[fd.Key]; ok {
			in = append(in, KV{Key: fd.Key, Val: val, Stdin: fd.Secret})
		}
	}
	return in
}

// ScriptedAdd renders a scripted add of input.
func ScriptedAdd(c *connectors.Connector, name string, input []KV) (args []string, stdin string) {
	args = []string{"add", c.ID, "--name", name, "--secrets-stdin"}
	var b strings.Builder
	for _, in := range input {
		if in.Stdin {
			b.WriteString(in.Key + "=" + in.Val + "\n")
		} else {
			args = append(args, "--field", in.Key+"="+in.Val)
		}
	}
	return args, b.String()
}

// with returns input with key's entries replaced by repl.
func with(input []KV, key string, repl ...KV) []KV {
	var out []KV
	done := false
	for _, in := range input {
		if in.Key != key {
			out = append(out, in)
			continue
		}
		if !done {
			out = append(out, repl...)
			done = true
		}
	}
	if !done {
		out = append(out, repl...)
	}
	return out
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
