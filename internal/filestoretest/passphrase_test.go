//go:build unix

package filestoretest

import (
	"strings"
	"testing"
)

// fileSandbox is a sandbox with no keychain, the file store asked for,
// and one Drift credential "d" saved with passphrase pass.
func fileSandbox(t *testing.T, pass string) (*sandbox, string) {
	sb := newSandbox(t, false).with("CREDWIZ_STORE=file")
	key := "key-" + randomHex(12)
	sb.with("CREDWIZ_PASSPHRASE="+pass).addDrift("d", key)
	return sb, key
}

// TestWrongPassphraseAtPrompt types a wrong passphrase at the prompt in
// tmux: it is said at once (before anything else is typed) and asked
// again with the tries left; the right one then works. Three wrong ones
// end the command.
func TestWrongPassphraseAtPrompt(t *testing.T) {
	requireTmux(t)
	sb, key := fileSandbox(t, "right-pass")
	tm := startTerm(t, sb, shellQuote(bin)+" token d")
	tm.waitCount("Passphrase of the encrypted file store", 1)
	tm.typeLine("wrong-pass")
	s := tm.waitCount("again (2 tries left)", 1)
	if strings.Count(s, "Wrong passphrase") != 1 {
		t.Errorf("the wrong passphrase is said more than once:\n%s", s)
	}
	if !strings.Contains(s, "Wrong passphrase: it does not open") {
		t.Fatalf("after a wrong passphrase:\n%s", s)
	}
	tm.typeLine("right-pass")
	if code := tm.exitCode(); code != 0 {
		t.Fatalf("exit %d:\n%s", code, tm.screen())
	}
	if s := tm.screen(); !strings.Contains(s, key) || strings.Contains(s, "right-pass") || strings.Contains(s, "wrong-pass") {
		t.Fatalf("screen:\n%s", s)
	}

	tm = startTerm(t, sb, shellQuote(bin)+" token d")
	tm.waitCount("Passphrase of the encrypted file store", 1)
	tm.typeLine("wrong")
	tm.waitCount("(2 tries left)", 1)
	tm.typeLine("wrong")
	tm.waitCount("(1 try left)", 1)
	tm.typeLine("wrong")
	if code := tm.exitCode(); code != 1 {
		t.Fatalf("three wrong: exit %d:\n%s", code, tm.screen())
	}
	if s := tm.screen(); !strings.Contains(s, "3 tries") {
		t.Fatalf("three wrong:\n%s", s)
	}
}

// TestCancelAtPrompt: Ctrl-C at the passphrase prompt ends the command
// with 130 and leaves the terminal echoing again.
func TestCancelAtPrompt(t *testing.T) {
	requireTmux(t)
	sb, _ := fileSandbox(t, "right-pass")
	tm := startTerm(t, sb, shellQuote(bin)+" token d")
	tm.waitCount("Passphrase of the encrypted file store", 1)
	tm.typeText("half")
	tm.tmux("send-keys", "-t", "ft", "C-c")
	if code := tm.exitCode(); code != 130 {
		t.Fatalf("exit %d:\n%s", code, tm.screen())
	}
	tm.typeText("echo-is-back")
	if s := tm.waitCount("echo-is-back", 1); strings.Contains(s, "half") {
		t.Fatalf("the typed passphrase was echoed:\n%s", s)
	}
}

// TestWrongPassphraseFromEnv: a wrong CREDWIZ_PASSPHRASE is one clear
// line, exit 1, never a prompt.
func TestWrongPassphraseFromEnv(t *testing.T) {
	sb, _ := fileSandbox(t, "right-pass")
	r := sb.with("CREDWIZ_PASSPHRASE=wrong").run("", "token", "d")
	if r.code != 1 || !strings.Contains(r.stderr, "CREDWIZ_PASSPHRASE does not open") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || r.stdout != "" {
		t.Fatalf("%s", r)
	}
	// Writes need no passphrase: a wrong one does not stop them.
	sb.with("CREDWIZ_PASSPHRASE=wrong").addDrift("e", "key-e-0123456789")
	sb.with("CREDWIZ_PASSPHRASE=wrong").must("", "rm", "--yes", "e")
}

// TestNewStoreAtTerminal: the emulators' ready-to-paste command (secrets
// piped on stdin) creates a new file store at a terminal: the new
// passphrase is asked twice on the terminal, after one line saying why no
// keychain answered.
func TestNewStoreAtTerminal(t *testing.T) {
	requireTmux(t)
	sb := newSandbox(t, false)
	key := "key-" + randomHex(12)
	tm := startTerm(t, sb, "printf 'api_key="+key+"\\n' | "+shellQuote(bin)+" add drift --name d --field base_url=http://127.0.0.1:9 --secrets-stdin --no-test")
	s := tm.waitCount("Passphrase:", 1)
	if !strings.Contains(s, "No OS keychain answered (no D-Bus session bus") || !strings.Contains(s, "Creating the encrypted file store") {
		t.Fatalf("before the passphrase:\n%s", s)
	}
	tm.typeLine("new-pass")
	tm.waitCount("The same passphrase again:", 1)
	tm.typeLine("new-pass")
	if code := tm.exitCode(); code != 0 {
		t.Fatalf("exit %d:\n%s", code, tm.screen())
	}
	if got := sb.with("CREDWIZ_PASSPHRASE=new-pass").token("d"); got != key {
		t.Fatalf("token = %q", got)
	}
}

// TestFallbackSaidOnce: with no session bus, the first write says in one
// line why no keychain answered and what to do; later ones do not (the
// store is recorded); doctor says it on a "!" line before that.
func TestFallbackSaidOnce(t *testing.T) {
	sb := newSandbox(t, false).with("CREDWIZ_PASSPHRASE=pw")
	d := sb.run("", "doctor")
	if !strings.Contains(d.stdout, "! Keychain       none answered: no D-Bus session bus") || strings.Contains(d.stdout, "✓ Keychain") {
		t.Fatalf("doctor before the first write: %s", d)
	}
	r := sb.must("api_key=k-0123456789ab\n", "add", "drift", "--name", "a", "--field", "base_url=http://127.0.0.1:9", "--secrets-stdin", "--no-test")
	var lines []string
	for _, l := range strings.Split(r.stderr, "\n") {
		if strings.Contains(l, "No OS keychain answered") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 || !strings.Contains(lines[0], "no D-Bus session bus") || !strings.Contains(lines[0], "credwiz migrate --to keychain") {
		t.Fatalf("first write: %s", r)
	}
	r = sb.must("api_key=k-0123456789ab\n", "add", "drift", "--name", "b", "--field", "base_url=http://127.0.0.1:9", "--secrets-stdin", "--no-test")
	if strings.Contains(r.stderr, "No OS keychain answered") {
		t.Fatalf("second write: %s", r)
	}
	d = sb.run("", "doctor")
	if !strings.Contains(d.stdout, "! Keychain       not available (no D-Bus session bus") {
		t.Fatalf("doctor after: %s", d)
	}
}

// TestPassphraseCommand changes the passphrase from stdin (current, then
// new): the old one no longer opens the store, the new one does.
func TestPassphraseCommand(t *testing.T) {
	sb, key := fileSandbox(t, "old-pass")
	if r := sb.run("wrong\nnew-pass\n", "passphrase"); r.code != 1 || !strings.Contains(r.stderr, "does not open") {
		t.Fatalf("with a wrong current passphrase: %s", r)
	}
	sb.must("old-pass\nnew-pass\n", "passphrase")
	if r := sb.with("CREDWIZ_PASSPHRASE=old-pass").run("", "token", "d"); r.code != 1 {
		t.Fatalf("the old passphrase still works: %s", r)
	}
	if got := sb.with("CREDWIZ_PASSPHRASE=new-pass").token("d"); got != key {
		t.Fatalf("token = %q", got)
	}
	sb.with("CREDWIZ_PASSPHRASE=new-pass", "CREDWIZ_NEW_PASSPHRASE=third-pass").must("", "passphrase")
	if got := sb.with("CREDWIZ_PASSPHRASE=third-pass").token("d"); got != key {
		t.Fatalf("token = %q", got)
	}
}

// TestNoKeychainSaysMigrate: a command on the keychain store where none
// answers says how to move to the encrypted file: credwiz migrate --to
// file (and, on a config dir where nothing is saved yet, --store file).
func TestNoKeychainSaysMigrate(t *testing.T) {
	sb := newSandbox(t, false).with("CREDWIZ_STORE=keychain")
	r := sb.run("api_key=k-0123456789ab\n", "add", "drift", "--name", "a", "--field", "base_url=http://127.0.0.1:9", "--secrets-stdin", "--no-test")
	if r.code != 1 || !strings.Contains(r.stderr, "credwiz migrate --to file") {
		t.Fatalf("%s", r)
	}
	d := sb.run("", "doctor")
	if d.code != 1 || !strings.Contains(d.stdout, "credwiz migrate --to file") {
		t.Fatalf("doctor: %s", d)
	}
}
