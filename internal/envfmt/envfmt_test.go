package envfmt

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/joho/godotenv"
)

// tricky are values that break naive quoting, each in its own variable.
var tricky = []string{
	"plain",
	"",
	"it's",
	"'",
	"''",
	"'''x'''",
	`say "hi"`,
	`"quoted in the middle" ok`,
	"$HOME and ${HOME} and $(id) and $",
	"`id` and \\`id\\`",
	`back\slash \\ double \n not a newline \`,
	"line one\nline two\n",
	"\n",
	"crlf\r\nline\r",
	"tab\there",
	"unicode: Zürich 東京 ❤️ \u202e",
	"#not a comment",
	"a # hash after a space",
	"=starts with equals",
	"  spaces around  ",
	"!history! and * glob ? and [x] and ~ and ;&|<>",
	"'; touch CANARY; echo '",
	"\"; touch CANARY; echo \"",
	"$(touch CANARY)`touch CANARY`",
	"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2ln-_",
	"\x1b]0;title\x07\x1b[2J",
	`mixed 'single' "double" \ and $VAR`,
	"ends with a backslash\\",
	"ends with a quote\"",
	"$",
	"$1 $_ $@ $* $? $$ ${#} ${X:-default}",
	// A vendor's account name built to run commands when a .env is sourced.
	"Drift org 1'; touch CANARY; '$(touch CANARY)`touch CANARY`\\\" \\ x",
	"it's `touch CANARY`",
	"it's $(touch CANARY)",
	"it's $HOME",
	"it's ${HOME}",
	"${HOME}",
	"it's $ and $. and a$",
	"it's \\n and \\t and \\\\ and \\$ x",
	"\\'",
	"it's\nnew line\n",
	"back\\\\slash",
	"ends\\",
}

// vars names each tricky value V0, V1, ...
func vars(values []string) []Var {
	var out []Var
	for i, v := range values {
		out = append(out, Var{Name: fmt.Sprintf("V%d", i), Value: v})
	}
	return out
}

// shells are the shells the shell format must be read by; a missing one
// is skipped loudly.
var shells = []struct {
	name string
	args []string
}{
	{"bash", []string{"bash", "--noprofile", "--norc"}},
	{"bash --posix", []string{"bash", "--posix", "--noprofile", "--norc"}},
	{"sh", []string{"sh"}},
	{"dash", []string{"dash"}},
	{"zsh", []string{"zsh", "-f"}},
	{"zsh rc_quotes", []string{"zsh", "-f", "-o", "rcquotes"}},
	{"zsh sh emulation", []string{"zsh", "--emulate", "sh", "-f"}},
}

// TestShellParsesBack sources the shell output in each shell, both with
// . and with eval, and compares every value byte for byte (printed NUL
// separated); no command in a value may run.
func TestShellParsesBack(t *testing.T) {
	vs := vars(tricky)
	out, err := Encode(Shell, vs)
	if err != nil {
		t.Fatal(err)
	}
	for _, sh := range shells {
		t.Run(sh.name, func(t *testing.T) {
			if _, err := exec.LookPath(sh.args[0]); err != nil {
				t.Skipf("!!! %s is not installed: shell format not checked in it", sh.args[0])
			}
			for _, how := range []string{". ./vars.sh", `eval "$(cat vars.sh)"`} {
				dir := t.TempDir()
				if err := os.WriteFile(filepath.Join(dir, "vars.sh"), out, 0o600); err != nil {
					t.Fatal(err)
				}
				var script strings.Builder
				script.WriteString(how + "\nprintf '%s\\0'")
				for _, v := range vs {
					fmt.Fprintf(&script, ` "$%s"`, v.Name)
				}
				script.WriteString("\n")
				// The values must also reach a child as environment variables.
				script.WriteString("env | grep -c '^V[0-9]*=' >count\n")
				got := runShell(t, dir, append(sh.args, "-c", script.String()))
				values := strings.Split(strings.TrimSuffix(got, "\x00"), "\x00")
				if len(values) != len(vs) {
					t.Fatalf("%s (%s): %d values back, want %d: %q", sh.name, how, len(values), len(vs), got)
				}
				for i, v := range vs {
					if values[i] != v.Value {
						t.Errorf("%s (%s): %s = %q, want %q", sh.name, how, v.Name, values[i], v.Value)
					}
				}
				if _, err := os.Stat(filepath.Join(dir, "CANARY")); err == nil {
					t.Errorf("%s (%s): a value ran a command", sh.name, how)
				}
				if c, _ := os.ReadFile(filepath.Join(dir, "count")); strings.TrimSpace(string(c)) == "0" {
					t.Errorf("%s (%s): the variables are not exported", sh.name, how)
				}
			}
		})
	}
}

func runShell(t *testing.T, dir string, args []string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%q: %v\nstderr: %s", args, err, stderr.String())
	}
	if stderr.Len() > 0 {
		t.Errorf("%q wrote to stderr: %s", args[:len(args)-1], stderr.String())
	}
	return stdout.String()
}

// dotenvValues are the tricky values dotenv writes (it refuses some).
func dotenvValues(t *testing.T) (ok []string) {
	for _, v := range tricky {
		if _, err := Encode(Dotenv, []Var{{Name: "X", Value: v}}); err == nil {
			ok = append(ok, v)
		}
	}
	if len(ok) < len(tricky)*2/3 {
		t.Fatalf("dotenv refuses %d of the %d tricky values", len(tricky)-len(ok), len(tricky))
	}
	return ok
}

func TestDotenvGodotenv(t *testing.T) {
	vs := vars(dotenvValues(t))
	out, err := Encode(Dotenv, vs)
	if err != nil {
		t.Fatal(err)
	}
	got, err := godotenv.Unmarshal(string(out))
	if err != nil {
		t.Fatalf("godotenv cannot read:\n%s\n%v", out, err)
	}
	if len(got) != len(vs) {
		t.Errorf("godotenv read %d variables, want %d", len(got), len(vs))
	}
	for _, v := range vs {
		if got[v.Name] != v.Value {
			t.Errorf("godotenv: %s = %q, want %q (written as %s)", v.Name, got[v.Name], v.Value, line(t, v))
		}
	}
}

// TestDotenvPython reads the dotenv output with python-dotenv, with and
// without interpolation, when it is installed: every value must come back
// exactly.
func TestDotenvPython(t *testing.T) {
	checkDotenvPython(t, vars(dotenvValues(t)))
}

// checkDotenvPython writes vs as dotenv and reads them back with
// python-dotenv both ways.
func checkDotenvPython(t *testing.T, vs []Var) {
	t.Helper()
	if err := exec.Command("python3", "-c", "import dotenv").Run(); err != nil {
		t.Skip("!!! python3 with python-dotenv is not installed: dotenv output not checked with it")
	}
	out, err := Encode(Dotenv, vs)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "x.env"), out, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, interpolate := range []string{"False", "True"} {
		got := runShell(t, dir, []string{"python3", "-c",
			`import json, sys, dotenv; json.dump(dotenv.dotenv_values("x.env", interpolate=` + interpolate + `), sys.stdout)`})
		var m map[string]string
		if err := json.Unmarshal([]byte(got), &m); err != nil {
			t.Fatalf("python-dotenv output %q: %v", got, err)
		}
		if len(m) != len(vs) {
			t.Errorf("python-dotenv (interpolate=%s) read %d variables, want %d", interpolate, len(m), len(vs))
		}
		for _, v := range vs {
			if m[v.Name] != v.Value {
				t.Errorf("python-dotenv (interpolate=%s): %s = %q, want %q (written as %s)", interpolate, v.Name, m[v.Name], v.Value, line(t, v))
			}
		}
	}
}

// TestDotenvSourced sources the dotenv output in sh, bash and dash the
// way a .env is loaded into a shell (set -a; . ./.env): every value comes
// back exactly and no command in a value runs.
func TestDotenvSourced(t *testing.T) {
	checkDotenvSourced(t, vars(dotenvValues(t)))
}

// TestDotenvZshExpansions: zsh expands $=NAME, $~NAME, $^NAME and $+NAME
// inside double quotes (which a value holding ' needs): such a value is
// refused, or written so that every shell reads it back exactly.
func TestDotenvZshExpansions(t *testing.T) {
	var ok []string
	for _, v := range []string{"it's $=HOME", "it's $~HOME", "it's $^HOME", "it's $+HOME", "it's $= alone", "$+HOME"} {
		if _, err := Encode(Dotenv, []Var{{Name: "X", Value: v}}); err == nil {
			ok = append(ok, v)
		}
	}
	if len(ok) == 0 {
		t.Fatal("every value refused: nothing to source")
	}
	checkDotenvSourced(t, vars(ok))
}

// checkDotenvSourced writes vs as dotenv, sources it in each POSIX shell
// and compares the values byte for byte.
func checkDotenvSourced(t *testing.T, vs []Var) {
	t.Helper()
	out, err := Encode(Dotenv, vs)
	if err != nil {
		t.Fatal(err)
	}
	var script strings.Builder
	script.WriteString("set -a\n. ./x.env\nset +a\nprintf '%s\\0'")
	for _, v := range vs {
		fmt.Fprintf(&script, ` "$%s"`, v.Name)
	}
	script.WriteString("\n")
	for _, sh := range shells {
		t.Run(sh.name, func(t *testing.T) {
			if _, err := exec.LookPath(sh.args[0]); err != nil {
				t.Skipf("!!! %s is not installed: dotenv not sourced in it", sh.args[0])
			}
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "x.env"), out, 0o600); err != nil {
				t.Fatal(err)
			}
			got := runShell(t, dir, append(sh.args, "-c", script.String()))
			values := strings.Split(strings.TrimSuffix(got, "\x00"), "\x00")
			if len(values) != len(vs) {
				t.Fatalf("%s: %d values back, want %d", sh.name, len(values), len(vs))
			}
			for i, v := range vs {
				if values[i] != v.Value {
					t.Errorf("%s: %s = %q, want %q (written as %s)", sh.name, v.Name, values[i], v.Value, line(t, v))
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "CANARY")); err == nil {
				t.Errorf("%s: sourcing the dotenv output ran a command", sh.name)
			}
		})
	}
}

// TestDotenvEveryShortValue writes every string of up to three characters
// over the characters that matter to the readers (quotes, backslash, $,
// backtick, braces, parentheses, newline, space, #, letters, digits): each
// is refused or read back exactly by godotenv, python-dotenv and the shells.
func TestDotenvEveryShortValue(t *testing.T) {
	alphabet := []string{"'", `"`, `\`, "$", "`", "{", "}", "(", "x", "A", "1", "\n", " ", "#", "!"}
	values := []string{""}
	for n, level := 0, []string{""}; n < 3; n++ {
		var next []string
		for _, p := range level {
			for _, c := range alphabet {
				next = append(next, p+c)
			}
		}
		values = append(values, next...)
		level = next
	}
	var vs []Var
	refused := 0
	for i, s := range values {
		v := Var{Name: fmt.Sprintf("V%d", i), Value: s}
		if _, err := Encode(Dotenv, []Var{v}); err != nil {
			refused++
			continue
		}
		vs = append(vs, v)
	}
	t.Logf("%d of %d values refused", refused, len(values))
	got, err := godotenv.Unmarshal(string(must(Encode(Dotenv, vs))))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if got[v.Name] != v.Value {
			t.Errorf("godotenv: %s = %q, want %q (written as %s)", v.Name, got[v.Name], v.Value, line(t, v))
		}
	}
	checkDotenvPython(t, vs)
	checkDotenvSourced(t, vs)
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func line(t *testing.T, v Var) string {
	b, err := Encode(Dotenv, []Var{v})
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(string(b), "\n")
}

func TestDotenvForms(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abc", `X='abc'`},
		{"", `X=''`},
		{"$HOME `id` $(id) \"x\"", "X='$HOME `id` $(id) \"x\"'"},
		{"two\nlines", "X='two\nlines'"},
		{`a\b`, `X='a\b'`},
		{"it's", `X="it's"`},
		{`a\\b`, `X="a\\\\b"`},
		{"it's $ and a$. $", `X="it's $ and a$. $"`},
		{"it's\nx", "X=\"it's\nx\""},
		{`it's "x" ok`, `X="it's \"x\" ok"`},
	}
	for _, tt := range tests {
		if got := line(t, Var{Name: "X", Value: tt.in}); got != tt.want {
			t.Errorf("dotenv of %q = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestJSONParsesBack(t *testing.T) {
	vs := vars(tricky)
	out, err := Encode(JSON, vs)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	for _, v := range vs {
		if m[v.Name] != v.Value {
			t.Errorf("json: %s = %q, want %q", v.Name, m[v.Name], v.Value)
		}
	}
	// The order is kept.
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.Token()
	for i := 0; dec.More(); i++ {
		k, _ := dec.Token()
		if k != vs[i].Name {
			t.Fatalf("key %d is %v, want %s", i, k, vs[i].Name)
		}
		dec.Token()
	}
	if empty, _ := Encode(JSON, nil); string(empty) != "{}\n" {
		t.Errorf("no variables: %q, want {}", empty)
	}
}

func TestShellForm(t *testing.T) {
	out, _ := Encode(Shell, []Var{{"A", "it's"}, {"B", ""}, {"C", "''"}, {"D", "x'"}})
	want := `export A='it'\''s'
export B=''
export C=\'\'
export D='x'\'
`
	if string(out) != want {
		t.Errorf("shell form:\n%s\nwant\n%s", out, want)
	}
	if strings.Contains(string(out), "''") && !strings.Contains(string(out), "B=''") {
		t.Error("two single quotes in a row: zsh's RC_QUOTES reads them as one quote")
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name   string
		f      Format
		vars   []Var
		want   string
		hidden string
	}{
		{name: "bad name", f: Shell, vars: []Var{{"1X", "v"}}, want: `"1X" is not an environment variable name`},
		{name: "name with =", f: JSON, vars: []Var{{"A=B", "v"}}, want: "is not an environment variable name"},
		{name: "empty name", f: Dotenv, vars: []Var{{"", "v"}}, want: "is not an environment variable name"},
		{name: "twice", f: Shell, vars: []Var{{"A", "1"}, {"A", "2"}}, want: "A is given twice"},
		{name: "NUL", f: Shell, vars: []Var{{"A", "sec\x00ret"}}, want: "the value of A holds a NUL byte", hidden: "sec"},
		{name: "invalid UTF-8 json", f: JSON, vars: []Var{{"A", "sec\xffret"}}, want: "not valid UTF-8, which json cannot hold exactly; use --format shell", hidden: "sec"},
		{name: "invalid UTF-8 dotenv", f: Dotenv, vars: []Var{{"A", "sec\xffret"}}, want: "not valid UTF-8", hidden: "sec"},
		{name: "dotenv trailing quote", f: Dotenv, vars: []Var{{"OK", "fine"}, {"A", `sec'ret"`}}, want: "the value of A cannot be written safely and exactly in a dotenv file", hidden: "sec"},
		{name: "dotenv trailing backslash", f: Dotenv, vars: []Var{{"A", `sec'ret\`}}, want: "use --format shell or json", hidden: "sec"},
		{name: "dotenv backtick and quote", f: Dotenv, vars: []Var{{"A", "sec'ret`id`"}}, want: "the value of A cannot be written safely and exactly in a dotenv file (it needs double quotes and holds a backtick)", hidden: "sec"},
		{name: "dotenv $( and quote", f: Dotenv, vars: []Var{{"A", "sec'ret$(id)"}}, want: "holds a $ a shell would expand", hidden: "sec"},
		{name: "dotenv ${", f: Dotenv, vars: []Var{{"A", "sec${HOME}ret"}}, want: "(it holds ${)", hidden: "sec"},
		{name: "dotenv CR", f: Dotenv, vars: []Var{{"A", "sec\rret"}}, want: "carriage return", hidden: "sec"},
		{name: "dotenv backslash dollar", f: Dotenv, vars: []Var{{"A", `sec'ret\$ x`}}, want: `holds \$`, hidden: "sec"},
		{name: "unknown format", f: "yaml", vars: nil, want: `"yaml" is not a format`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Encode(tt.f, tt.vars)
			if err == nil || !strings.Contains(err.Error(), tt.want) || out != nil {
				t.Fatalf("Encode = %q, %v; want nothing and an error with %q", out, err, tt.want)
			}
			if tt.hidden != "" && strings.Contains(err.Error(), tt.hidden) {
				t.Errorf("the error quotes the value: %v", err)
			}
		})
	}
	// Invalid UTF-8 is fine for the shell (bytes are bytes).
	if _, err := Encode(Shell, []Var{{"A", "\xff"}}); err != nil {
		t.Errorf("shell refuses invalid UTF-8: %v", err)
	}
}

func TestParseFormat(t *testing.T) {
	for _, f := range Formats {
		if got, err := ParseFormat(string(f)); err != nil || got != f {
			t.Errorf("ParseFormat(%q) = %q, %v", f, got, err)
		}
	}
	if _, err := ParseFormat("env"); err == nil || !strings.Contains(err.Error(), "shell, dotenv or json") {
		t.Errorf("ParseFormat(env) = %v", err)
	}
}

// FuzzDotenv: whatever dotenv writes, godotenv reads back exactly.
func FuzzDotenv(f *testing.F) {
	for _, v := range tricky {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := Encode(Dotenv, []Var{{"A", s}, {"B", "after"}})
		if err != nil {
			return
		}
		got, err := godotenv.Unmarshal(string(out))
		if err != nil {
			t.Fatalf("godotenv cannot read %q: %v", out, err)
		}
		if got["A"] != s || got["B"] != "after" || len(got) != 2 {
			t.Fatalf("value %q written as %q read back as %q", s, out, got)
		}
	})
}

// FuzzShell: the shell output read back by a reader of single-quoted
// words gives the value, and has no two quotes in a row.
func FuzzShell(f *testing.F) {
	for _, v := range tricky {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := Encode(Shell, []Var{{"A", s}})
		if err != nil {
			if strings.IndexByte(s, 0) < 0 {
				t.Fatalf("shell refuses %q: %v", s, err)
			}
			return
		}
		word, ok := strings.CutPrefix(strings.TrimSuffix(string(out), "\n"), "export A=")
		if !ok {
			t.Fatalf("output %q", out)
		}
		if got := unquote(t, word); got != s {
			t.Fatalf("%q written as %q reads back as %q", s, out, got)
		}
		if s != "" && strings.Contains(word, "''") && !strings.Contains(word, `\''`) {
			t.Fatalf("%q holds two quotes in a row", word)
		}
	})
}

// unquote reads a shell word made of '...' runs and \' only.
func unquote(t *testing.T, w string) string {
	var b strings.Builder
	for w != "" {
		switch {
		case strings.HasPrefix(w, `\'`):
			b.WriteByte('\'')
			w = w[2:]
		case w[0] == '\'':
			end := strings.IndexByte(w[1:], '\'')
			if end < 0 {
				t.Fatalf("unterminated quote in %q", w)
			}
			b.WriteString(w[1 : 1+end])
			w = w[2+end:]
		default:
			t.Fatalf("unquoted text %q", w)
		}
	}
	return b.String()
}
