//go:build unix

package ui

import (
	"os"
	"slices"
	"syscall"
	"testing"

	"github.com/credwiz/credwiz/connectors"
)

// TestSignalRouter: a signal cancels the command unless exec routes it to
// its program; once a signal cancelled the command, exec starts nothing.
func TestSignalRouter(t *testing.T) {
	var r signalRouter
	cancelled := 0
	cancel := func() { cancelled++ }
	ch := make(chan os.Signal, 1)
	if ok, _ := r.route(ch); !ok {
		t.Fatal("route refused before any signal")
	}
	if r.cancelOrRoute(syscall.SIGTERM, cancel) || cancelled != 0 || <-ch != syscall.SIGTERM {
		t.Errorf("a routed signal cancelled the command or did not reach the route")
	}
	// A full queue drops the signal rather than block the handler.
	ch <- syscall.SIGINT
	if r.cancelOrRoute(syscall.SIGINT, cancel) || cancelled != 0 {
		t.Errorf("a signal with the queue full cancelled the command")
	}
	<-ch
	r.unroute()
	if !r.cancelOrRoute(syscall.SIGINT, cancel) || cancelled != 1 {
		t.Errorf("an unrouted signal did not cancel the command")
	}
	if ok, _ := r.route(ch); ok {
		t.Errorf("route accepted after the command was cancelled")
	}
}

// TestProgramEnv: the program's environment is credwiz's without the
// store's unlocking variables, with the connection's variables replacing
// any of the same name.
func TestProgramEnv(t *testing.T) {
	base := []string{"PATH=/bin", "CREDWIZ_PASSPHRASE=p", "CREDWIZ_NEW_PASSPHRASE=n", "CREDWIZ_SECRET_API_KEY=k", "CREDWIZ_IDENTITY_FILE=/id",
		"CREDWIZ_CONFIG_DIR=/c", "DRIFT_ACCESS_TOKEN=old", "HOME=/h"}
	vars := []connectors.EnvVar{{Name: "DRIFT_ACCESS_TOKEN", Value: "new"}, {Name: "DRIFT_BASE_URL", Value: "https://x"}}
	got := programEnv(base, vars)
	want := []string{"PATH=/bin", "CREDWIZ_CONFIG_DIR=/c", "HOME=/h", "DRIFT_ACCESS_TOKEN=new", "DRIFT_BASE_URL=https://x"}
	if !slices.Equal(got, want) {
		t.Errorf("programEnv = %v; want %v", got, want)
	}
	if envValue([]string{"A=1", "B=2", "A=3"}, "A") != "3" {
		t.Errorf("envValue: the last one should win, as in a process")
	}
}

// TestLookPath: found in PATH, a slash taken as is, relative PATH entries
// skipped, 127 when missing, 126 when not executable.
func TestLookPath(t *testing.T) {
	dir := t.TempDir()
	exe, plain := dir+"/tool", dir+"/data"
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(plain, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if p, err := lookPath("tool", "relative:"+dir); err != nil || p != exe {
		t.Errorf("lookPath(tool) = %q, %v", p, err)
	}
	wd, _ := os.Getwd()
	defer os.Chdir(wd)
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := lookPath("tool", "."); ExitCode(err) != 127 {
		t.Errorf("a relative PATH entry was searched: %v", err)
	}
	for _, tt := range []struct {
		file, path string
		code       int
	}{
		{"nope", dir, 127},
		{"data", dir, 126},
		{plain, "", 126},
		{dir, "", 126},
		{dir + "/nope", "", 127},
	} {
		if _, err := lookPath(tt.file, tt.path); ExitCode(err) != tt.code {
			t.Errorf("lookPath(%q, %q): %v (exit %d); want exit %d", tt.file, tt.path, err, ExitCode(err), tt.code)
		}
	}
}
