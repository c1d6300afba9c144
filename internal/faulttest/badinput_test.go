package faulttest

import (
	"fmt"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
	"github.com/credwiz/credwiz/store"
)

// kv is one KEY=VALUE given to credwiz, on argv (--field) or stdin.
type kv struct {
	key, val string
	stdin    bool
}

// badInput is one scripted add (or edit/reauth) with one field's value
// changed, and what credwiz must do with it.
type badInput struct {
	name  string // subtest name
	conn  *connectors.Connector
	field string // the field the case is about (named in the error)
	args  []string
	input []kv
	// want is the exit code: 2 usage error, 0 accepted.
	want int
	// stored, for an accepted value, is what must be saved.
	stored string
	// mention must be on stderr (the field key, or more).
	mention []string
	// hidden must not be on stderr (a secret or a value that held one).
	hidden []string
	// onExisting: the command works on the saved credential "exist".
	onExisting bool
}

// TestBadInputEveryField runs, through the real binary in scripted mode,
// every field of every connector (connectors.All) with each kind of bad
// value: empty (required fields), too long (1 MB on stdin; 100 KB on argv,
// the most Linux passes in one argument), control characters, invalid
// UTF-8, wrong-scheme and non-loopback http:// URLs, a URL with a user
// name, a duplicate key on stdin or argv, and each secret on argv; plus an
// unknown key on argv and on stdin per connector, and bad values to edit
// and reauth of a saved credential. Each must exit 2 with one line on
// stderr naming the field, never echo a secret, and change nothing: the
// config dir byte for byte, and the keychain. Values padded with white
// space are trimmed and accepted (SPEC.md: "Pasted values are trimmed"),
// and a leading "Bearer " is stripped from token fields and kept verbatim
// elsewhere (where the field's own rules accept it).
func TestBadInputEveryField(t *testing.T) {
	t.Parallel()
	bus := startSecretService(t)
	tmpl := newSandbox(t, "keychain", bus)
	goods := map[string]connectors.Values{}
	for _, c := range connectors.All() {
		em := connectortest.New(c.ID)
		t.Cleanup(em.Close)
		v := em.Values()
		goods[c.ID] = v
		for _, k := range c.SecretKeys() {
			tmpl.secret(v[k])
		}
		// The saved credential that edit and reauth cases work on.
		args, stdin := scriptedAdd(c, "exist-"+c.ID, baseInput(c, v))
		tmpl.must(stdin, append(args, "--no-test")...)
	}
	index, err := os.ReadFile(filepath.Join(tmpl.dir, store.IndexFile))
	if err != nil {
		t.Fatal(err)
	}
	existing := map[string]string{}
	for _, c := range connectors.All() {
		existing[c.ID], _ = keychainItem(t, bus, store.SecretService, "exist-"+c.ID)
	}

	cases := badInputCases(goods)
	t.Logf("%d cases over %d connectors", len(cases), len(connectors.All()))
	for i, bc := range cases {
		t.Run(bc.conn.ID+"/"+bc.name, func(t *testing.T) {
			t.Parallel()
			sb := newSandbox(t, "keychain", bus)
			for _, k := range bc.conn.SecretKeys() {
				sb.secret(goods[bc.conn.ID][k])
			}
			if err := os.MkdirAll(sb.dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(sb.dir, store.IndexFile), index, 0o600); err != nil {
				t.Fatal(err)
			}
			name := fmt.Sprintf("bi-%03d", i)
			args, stdin := slices.Clone(bc.args), ""
			if !bc.onExisting {
				args, stdin = scriptedAdd(bc.conn, name, bc.input)
				args = append(args, "--no-test")
			} else {
				_, stdin = scriptedAdd(bc.conn, "", bc.input)
			}
			before := sb.snapshot()
			r := sb.run(stdin, args...)
			if r.code != bc.want {
				t.Fatalf("exit %d, want %d:\n%s", r.code, bc.want, r)
			}
			for _, h := range bc.hidden {
				if len(h) >= 8 && strings.Contains(r.stderr+r.stdout, h) {
					t.Errorf("the output echoes the value given for %s:\n%s", bc.field, r)
				}
			}
			if bc.want == 0 {
				checkStored(t, sb, bus, bc, name)
				return
			}
			if !oneLine(r.stderr) {
				t.Errorf("stderr is not one line:\n%s", r)
			}
			for _, m := range bc.mention {
				if !strings.Contains(r.stderr, m) {
					t.Errorf("stderr does not name %q:\n%s", m, r)
				}
			}
			if !maps.Equal(before, sb.snapshot()) {
				t.Errorf("a refused command changed the config dir")
			}
			if _, ok := keychainItem(t, bus, store.SecretService, name); ok {
				t.Errorf("a refused command left a keychain item")
			}
			if bc.onExisting {
				if got, _ := keychainItem(t, bus, store.SecretService, "exist-"+bc.conn.ID); got != existing[bc.conn.ID] {
					t.Errorf("a refused %s changed the saved credential's keychain item", bc.args[0])
				}
			}
		})
	}
}

// checkStored checks that an accepted value was saved as bc.stored.
func checkStored(t *testing.T, sb *sandbox, bus string, bc badInput, name string) {
	t.Helper()
	fd, _ := bc.conn.Field(bc.field)
	if fd.Secret {
		if got := keychainSecret(t, bus, name)[bc.field]; got != bc.stored {
			t.Errorf("saved %s is %q…, want %q… (trimmed, Bearer stripped from tokens)", bc.field, clip(got[:min(len(got), 12)]), bc.stored[:min(len(bc.stored), 12)])
		}
		return
	}
	c, ok := sb.readIndex()[name]
	if !ok {
		t.Fatalf("accepted, but %s is not in the index", name)
	}
	if got := c.Fields[bc.field]; got != bc.stored {
		t.Errorf("saved %s is %q, want %q", bc.field, got, bc.stored)
	}
}

// baseInput is the valid input for values v: non-secret fields on argv,
// secrets on stdin, in form order.
func baseInput(c *connectors.Connector, v connectors.Values) []kv {
	var in []kv
	for _, fd := range c.Fields {
		if val, ok := v[fd.Key]; ok {
			in = append(in, kv{key: fd.Key, val: val, stdin: fd.Secret})
		}
	}
	return in
}

// scriptedAdd renders a scripted add of input.
func scriptedAdd(c *connectors.Connector, name string, input []kv) (args []string, stdin string) {
	args = []string{"add", c.ID, "--name", name, "--secrets-stdin"}
	var b strings.Builder
	for _, in := range input {
		if in.stdin {
			b.WriteString(in.key + "=" + in.val + "\n")
		} else {
			args = append(args, "--field", in.key+"="+in.val)
		}
	}
	return args, b.String()
}

// with returns input with key's entries replaced by repl.
func with(input []kv, key string, repl ...kv) []kv {
	var out []kv
	done := false
	for _, in := range input {
		if in.key != key {
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

// badInputCases builds the table from connectors.All and the emulators'
// valid values.
func badInputCases(goods map[string]connectors.Values) []badInput {
	var cases []badInput
	for _, c := range connectors.All() {
		good := goods[c.ID]
		base := baseInput(c, good)
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
			normal := func(val string) kv { return kv{key: k, val: val, stdin: fd.Secret} }
			refuse := func(name string, in []kv, extra ...string) badInput {
				bc := badInput{name: k + "/" + name, conn: c, field: k, input: in, want: 2, mention: append([]string{k}, extra...)}
				if fd.Secret {
					bc.hidden = []string{g}
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
				refuse("1MB on stdin", with(base, k, kv{key: k, val: long, stdin: true})),
				refuse("control character", with(base, k, normal(g[:1]+"\x1b[2J"+g[1:]))),
				refuse("tab inside", with(base, k, normal(g[:1]+"\t"+g[1:]))),
				refuse("invalid UTF-8", with(base, k, normal(g+"\xff\xfe"))),
				refuse("duplicate on stdin", with(base, k, kv{key: k, val: g, stdin: true}, kv{key: k, val: g, stdin: true}), "twice"),
			)
			if fd.Secret {
				cases = append(cases, refuse("NUL on stdin", with(base, k, normal(g[:1]+"\x00"+g[1:]))))
				// A value of its own: it lands in argv, which the leak
				// scan would (rightly) flag for a registered secret.
				onArgv := "argv-" + k + "-" + randomHex(8)
				bc := refuse("secret on argv", with(base, k, kv{key: k, val: onArgv}), "--secrets-stdin")
				bc.hidden = []string{onArgv}
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
				)
			}
			if len(fd.Options) > 0 {
				cases = append(cases, refuse("not an option", with(base, k, normal(fd.Options[0]+"x")), fd.Options[0]))
			}
			// Accepted: trimmed.
			cases = append(cases, badInput{name: k + "/whitespace-padded", conn: c, field: k,
				input: with(base, k, normal("  "+g+" \t ")), want: 0, stored: g})
			// "Bearer " is stripped from token fields only.
			bearer := badInput{name: k + "/Bearer-prefixed", conn: c, field: k,
				input: with(base, k, normal("Bearer "+g)), mention: []string{k}}
			if fd.Bearer {
				bearer.want, bearer.stored = 0, g
			} else {
				// Kept verbatim: the field's own rules decide (the
				// connector's Validate is the oracle).
				v := maps.Clone(good)
				v[k] = "Bearer " + g
				if err := c.Validate(c.Normalize(v)); err != nil {
					bearer.want = 2
				} else {
					bearer.want, bearer.stored = 0, "Bearer "+g
				}
			}
			cases = append(cases, bearer)
		}
		// Unknown keys, on argv and on stdin (never echoing the value).
		secretish := "unknown-value-" + randomHex(8)
		cases = append(cases,
			badInput{name: "unknown key on argv", conn: c, field: "colour",
				input: append(slices.Clone(base), kv{key: "colour", val: "blue"}), want: 2, mention: []string{"colour"}},
			badInput{name: "unknown key on stdin", conn: c, field: "colour",
				input: append(slices.Clone(base), kv{key: "colour", val: secretish, stdin: true}), want: 2,
				mention: []string{"colour"}, hidden: []string{secretish}},
			badInput{name: "line without =", conn: c, field: "--secrets-stdin",
				input: append(slices.Clone(base), kv{key: secretish, stdin: true}), want: 2,
				mention: []string{"--secrets-stdin"}, hidden: []string{secretish}},
		)
		// edit and reauth of the saved credential refuse bad values too.
		firstSecret := c.SecretKeys()[0]
		var urlKey string
		for _, fd := range c.Fields {
			if fd.Domain != "" {
				urlKey = fd.Key
			}
		}
		exist := "exist-" + c.ID
		onArgv := "argv-" + randomHex(8)
		cases = append(cases,
			badInput{name: "edit/wrong-scheme URL", conn: c, field: urlKey, onExisting: true, want: 2, mention: []string{urlKey},
				args: []string{"edit", exist, "--field", urlKey + "=ftp://example.com"}},
			badInput{name: "edit/non-loopback http", conn: c, field: urlKey, onExisting: true, want: 2, mention: []string{urlKey},
				args: []string{"edit", exist, "--field", urlKey + "=http://example.com"}},
			badInput{name: "edit/secret on argv", conn: c, field: firstSecret, onExisting: true, want: 2,
				mention: []string{firstSecret, "--secrets-stdin"}, hidden: []string{onArgv},
				args: []string{"edit", exist, "--field", firstSecret + "=" + onArgv}},
			badInput{name: "edit/control character in secret", conn: c, field: firstSecret, onExisting: true, want: 2,
				mention: []string{firstSecret}, input: []kv{{key: firstSecret, val: "ab\x1bcdefghij", stdin: true}},
				args: []string{"edit", exist, "--secrets-stdin", "--no-test"}},
			badInput{name: "edit/description with control character", conn: c, field: "--description", onExisting: true, want: 2,
				mention: []string{"--description"}, args: []string{"edit", exist, "--description", "a\x1bb"}},
			badInput{name: "edit/rename to an invalid name", conn: c, field: "name", onExisting: true, want: 2,
				mention: []string{"name"}, args: []string{"edit", exist, "--name", "a/b"}},
			badInput{name: "reauth/secret on argv", conn: c, field: firstSecret, onExisting: true, want: 2,
				mention: []string{firstSecret, "--secrets-stdin"}, hidden: []string{onArgv},
				args: []string{"reauth", exist, "--field", firstSecret + "=" + onArgv}},
			badInput{name: "reauth/invalid UTF-8 secret", conn: c, field: firstSecret, onExisting: true, want: 2,
				mention: []string{firstSecret}, input: []kv{{key: firstSecret, val: "abcdefgh\xff", stdin: true}},
				args: []string{"reauth", exist, "--secrets-stdin"}},
			badInput{name: "reauth/duplicate key on stdin", conn: c, field: firstSecret, onExisting: true, want: 2,
				mention: []string{firstSecret, "twice"},
				input:   []kv{{key: firstSecret, val: "abcdefgh1", stdin: true}, {key: firstSecret, val: "abcdefgh2", stdin: true}},
				args:    []string{"reauth", exist, "--secrets-stdin"}},
		)
	}
	return cases
}
