//go:build linux

package ui

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/credwiz/credwiz/internal/testenv"
)

// TestRecipientsRmOnAFullDisk: when the recipients list cannot be
// written (the disk is full), recipients rm prints no ✓, says in one line
// that the key is still a recipient, and the key is one.
func TestRecipientsRmOnAFullDisk(t *testing.T) {
	mnt := testenv.Tmpfs(t, 512<<10)
	e := newFileEnvAt(t, filepath.Join(mnt, "config"))
	mate := "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"
	if code, _, errOut := e.run(nil, "right\n", false, "recipients", "add", mate); code != 0 {
		t.Fatalf("recipients add: exit %d: %s", code, errOut)
	}
	filler := testenv.NewFiller(filepath.Join(mnt, "filler"))
	if err := filler.Fill(); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := e.run(nil, "right\n", false, "recipients", "rm", mate)
	if err := filler.Release(); err != nil {
		t.Fatal(err)
	}
	if code != 1 || strings.Contains(errOut, "✓") || strings.Contains(errOut, "Encrypted") {
		t.Fatalf("rm on a full disk: exit %d, want 1 without ✓:\n%s%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "still a recipient") || !strings.Contains(errOut, "no space") {
		t.Errorf("stderr does not say the key is still a recipient, and why:\n%s", errOut)
	}
	if n := strings.Count(strings.TrimSpace(errOut), "\n"); n > 0 {
		t.Errorf("the failure takes %d lines, want 1:\n%s", n+1, errOut)
	}
	if code, out, _ := e.run(nil, "", false, "recipients", "list"); code != 0 || !strings.Contains(out, mate) {
		t.Errorf("the key is no longer listed: exit %d\n%s", code, out)
	}
}
