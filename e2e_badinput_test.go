package main

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/credwiz/credwiz/connectors/connectortest"
	"github.com/credwiz/credwiz/store"
)

// badInputEnv is what a bad-input case builds its command from.
type badInputEnv struct {
	drift, demandbase, salesforce connectortest.Emulator
	// name is a fresh credential name; existing is a saved Drift credential.
	name, existing string
}

// badInputCase is one command that must fail cleanly: the exit code, one
// line on stderr naming the culprit, and nothing changed on disk or in
// the keychain. A case with saves set must instead save (--force).
type badInputCase struct {
	name  string
	args  func(e badInputEnv) []string
	stdin func(e badInputEnv) string
	// wantCode is the exit code: 1 failure, 2 usage error.
	wantCode int
	// wantStderr must all appear on stderr (case-insensitive); {name} and
	// {existing} stand for the credential names of badInputEnv.
	wantStderr []string
	// notStderr must not appear on stderr (case-insensitive).
	notStderr []string
	// hidden values (secrets) must appear nowhere: not on stdout or stderr,
	// nor in any file of the config dir.
	hidden func(e badInputEnv) []string
	// saves: the command saves the credential (--force with a failing test).
	saves bool
	// prepare, when set, changes the sandbox before the command runs.
	prepare func(t *testing.T, sb *sandbox, e badInputEnv)
}

// corruptIndex overwrites credentials.json with text that does not parse.
func corruptIndex(t *testing.T, sb *sandbox, _ badInputEnv) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(sb.configDir, store.IndexFile), []byte("{\"version\":1,\"credentials\":[{\"name\":"), 0o600); err != nil {
		t.Fatal(err)
	}
}

func driftArgs(e badInputEnv, extra ...string) []string {
	return append([]string{"add", "drift", "--name", e.name, "--field", "base_url=" + e.drift.URL()}, extra...)
}

func driftKey(e badInputEnv) string { return e.drift.Values()["api_key"] }

func driftStdin(e badInputEnv) string { return "api_key=" + driftKey(e) + "\n" }

// wrongKey is a well-formed Drift key the emulator does not accept.
var wrongKey = "drift-wrong-" + randomHex(16)

// argvSecret is a secret value put on the command line.
var argvSecret = "argv-secret-" + randomHex(16)

func badInputCases() []badInputCase {
	str := func(s ...string) func(badInputEnv) []string { return func(badInputEnv) []string { return s } }
	name := func(n string) func(e badInputEnv) []string {
		return func(e badInputEnv) []string {
			return []string{"add", "drift", "--name", n, "--field", "base_url=" + e.drift.URL(), "--secrets-stdin"}
		}
	}
	cases := []badInputCase{
		{
			name: "secret field on argv (drift api_key, the right value)",
			args: func(e badInputEnv) []string {
				return driftArgs(e, "--field", "api_key="+driftKey(e))
			},
			wantCode:   2,
			wantStderr: []string{"api_key", "--secrets-stdin", "CREDWIZ_SECRET_API_KEY"},
			hidden:     func(e badInputEnv) []string { return []string{driftKey(e)} },
		},
		{
			name: "secret field on argv (demandbase client_secret)",
			args: func(e badInputEnv) []string {
				v := e.demandbase.Values()
				return []string{"add", "demandbase", "--name", e.name, "--field", "base_url=" + e.demandbase.URL(),
					"--field", "client_id=" + v["client_id"], "--field", "client_secret=" + argvSecret}
			},
			wantCode:   2,
			wantStderr: []string{"client_secret", "--secrets-stdin", "CREDWIZ_SECRET_CLIENT_SECRET"},
			hidden:     str(argvSecret),
		},
		{
			name: "secret field on argv next to --secrets-stdin (salesforce password)",
			args: func(e badInputEnv) []string {
				return []string{"add", "salesforce", "--name", e.name, "--field", "login_url=" + e.salesforce.URL(),
					"--field", "password=" + argvSecret, "--secrets-stdin"}
			},
			stdin:      func(badInputEnv) string { return "consumer_secret=whatever\n" },
			wantCode:   2,
			wantStderr: []string{"password", "--secrets-stdin", "CREDWIZ_SECRET_PASSWORD"},
			hidden:     str(argvSecret),
		},
		{
			name: "missing required fields are all named (salesforce)",
			args: func(e badInputEnv) []string {
				return []string{"add", "salesforce", "--name", e.name, "--field", "login_url=" + e.salesforce.URL()}
			},
			wantCode:   2,
			wantStderr: []string{"consumer_key", "consumer_secret", "username", "password"},
			notStderr:  []string{"security_token"}, // optional
		},
		{
			name:       "missing required fields are all named (demandbase, no input)",
			args:       func(e badInputEnv) []string { return []string{"add", "demandbase", "--name", e.name} },
			wantCode:   2,
			wantStderr: []string{"client_id", "client_secret"},
			notStderr:  []string{"base_url"}, // has a default
		},
		{
			name: "missing --name",
			args: func(e badInputEnv) []string {
				return []string{"add", "drift", "--field", "base_url=" + e.drift.URL(), "--secrets-stdin"}
			},
			stdin:      driftStdin,
			wantCode:   2,
			wantStderr: []string{"--name"},
			hidden:     func(e badInputEnv) []string { return []string{driftKey(e)} },
		},
		{
			name:       "--no-input with a missing secret",
			args:       func(e badInputEnv) []string { return driftArgs(e, "--no-input") },
			wantCode:   2,
			wantStderr: []string{"api_key"},
		},
		{
			name:       "unknown field key on argv",
			args:       func(e badInputEnv) []string { return driftArgs(e, "--field", "colour=blue", "--secrets-stdin") },
			stdin:      driftStdin,
			wantCode:   2,
			wantStderr: []string{"colour"},
			hidden:     func(e badInputEnv) []string { return []string{driftKey(e)} },
		},
		{
			name:       "unknown field key on stdin",
			args:       func(e badInputEnv) []string { return driftArgs(e, "--secrets-stdin") },
			stdin:      func(e badInputEnv) string { return driftStdin(e) + "favourite_colour=blue\n" },
			wantCode:   2,
			wantStderr: []string{"favourite_colour"},
			hidden:     func(e badInputEnv) []string { return []string{driftKey(e)} },
		},
		{
			name:       "--field without =",
			args:       func(e badInputEnv) []string { return driftArgs(e, "--field", "base_url", "--secrets-stdin") },
			stdin:      driftStdin,
			wantCode:   2,
			wantStderr: []string{"--field"},
		},
		{
			name: "duplicate key on stdin",
			args: func(e badInputEnv) []string { return driftArgs(e, "--secrets-stdin") },
			stdin: func(e badInputEnv) string {
				return "api_key=" + driftKey(e) + "\napi_key=" + argvSecret + "\n"
			},
			wantCode:   2,
			wantStderr: []string{"api_key"},
			hidden:     func(e badInputEnv) []string { return []string{driftKey(e), argvSecret} },
		},
		{
			name:       "the same key on --field and stdin",
			args:       func(e badInputEnv) []string { return driftArgs(e, "--secrets-stdin") },
			stdin:      func(e badInputEnv) string { return driftStdin(e) + "base_url=" + e.drift.URL() + "\n" },
			wantCode:   2,
			wantStderr: []string{"base_url"},
			hidden:     func(e badInputEnv) []string { return []string{driftKey(e)} },
		},
		{
			name:       "secret with a control character on stdin",
			args:       func(e badInputEnv) []string { return driftArgs(e, "--secrets-stdin") },
			stdin:      func(badInputEnv) string { return "api_key=" + argvSecret + "\x1b[2J\n" },
			wantCode:   2,
			wantStderr: []string{"api_key"},
			hidden:     str(argvSecret),
		},
		{
			name:       "invalid name: empty",
			args:       name(""),
			stdin:      driftStdin,
			wantCode:   2,
			wantStderr: []string{"name"},
		},
		{
			name:       "invalid name: too long",
			args:       name(strings.Repeat("n", store.MaxNameLen+1)),
			stdin:      driftStdin,
			wantCode:   2,
			wantStderr: []string{"name"},
		},
		{
			name:       "invalid name: slash",
			args:       name("prod/drift"),
			stdin:      driftStdin,
			wantCode:   2,
			wantStderr: []string{"name"},
		},
		{
			name:       "invalid name: space",
			args:       name("prod drift"),
			stdin:      driftStdin,
			wantCode:   2,
			wantStderr: []string{"name"},
		},
		{
			name:       "invalid name: control character",
			args:       name("prod\x1b[31mdrift"),
			stdin:      driftStdin,
			wantCode:   2,
			wantStderr: []string{"name"},
		},
		{
			name: "description with a terminal escape",
			args: func(e badInputEnv) []string {
				return driftArgs(e, "--description", "red\x1b[31malert", "--secrets-stdin")
			},
			stdin:      driftStdin,
			wantCode:   2,
			wantStderr: []string{"description"},
		},
		// The URL cases pass --no-test, so that even a credwiz that accepted
		// the URL would send nothing to a non-loopback host.
		{
			name: "http:// base URL on a non-loopback host",
			args: func(e badInputEnv) []string {
				return []string{"add", "drift", "--name", e.name, "--field", "base_url=http://example.com", "--no-test", "--secrets-stdin"}
			},
			stdin:      driftStdin,
			wantCode:   2,
			wantStderr: []string{"base_url", "https://"},
			hidden:     func(e badInputEnv) []string { return []string{driftKey(e)} },
		},
		{
			name: "http:// base URL on a look-alike of a loopback host",
			args: func(e badInputEnv) []string {
				return []string{"add", "drift", "--name", e.name, "--field", "base_url=http://127.0.0.1.example.com", "--no-test", "--secrets-stdin"}
			},
			stdin:      driftStdin,
			wantCode:   2,
			wantStderr: []string{"base_url", "https://"},
		},
		{
			name: "wrong-scheme base URL",
			args: func(e badInputEnv) []string {
				return []string{"add", "demandbase", "--name", e.name, "--field", "base_url=ftp://127.0.0.1:21/",
					"--field", "client_id=x", "--no-test", "--secrets-stdin"}
			},
			stdin:      func(badInputEnv) string { return "client_secret=" + argvSecret + "\n" },
			wantCode:   2,
			wantStderr: []string{"base_url"},
			hidden:     str(argvSecret),
		},
		{
			name: "base URL with a password in it",
			args: func(e badInputEnv) []string {
				return []string{"add", "clazar", "--name", e.name, "--field", "base_url=https://user:" + argvSecret + "@127.0.0.1/",
					"--field", "client_id=x", "--no-test", "--secrets-stdin"}
			},
			stdin:      func(badInputEnv) string { return "client_secret=whatever\n" },
			wantCode:   2,
			wantStderr: []string{"base_url"},
			hidden:     str(argvSecret),
		},
		{
			name: "unknown connector",
			args: func(e badInputEnv) []string {
				return []string{"add", "nosuchvendor", "--name", e.name, "--secrets-stdin"}
			},
			stdin:      driftStdin,
			wantCode:   2,
			wantStderr: []string{"nosuchvendor", "drift"},
		},
		{
			// Another key, and --no-test: only the name check stands between
			// the command and the saved credential.
			name: "existing name without --force",
			args: func(e badInputEnv) []string {
				return []string{"add", "drift", "--name", e.existing, "--field", "base_url=" + e.drift.URL(), "--no-test", "--secrets-stdin"}
			},
			stdin:      func(badInputEnv) string { return "api_key=" + argvSecret + "\n" },
			wantCode:   1,
			wantStderr: []string{"{existing}", "--force"},
			hidden:     str(argvSecret),
		},
		{
			name:       "wrong secret: the test fails and nothing is saved (drift)",
			args:       func(e badInputEnv) []string { return driftArgs(e, "--secrets-stdin") },
			stdin:      func(badInputEnv) string { return "api_key=" + wrongKey + "\n" },
			wantCode:   1,
			wantStderr: []string{"rejected", "--force"},
			hidden:     str(wrongKey),
		},
		{
			name: "wrong secret: the test fails and nothing is saved (demandbase)",
			args: func(e badInputEnv) []string {
				return []string{"add", "demandbase", "--name", e.name, "--field", "base_url=" + e.demandbase.URL(),
					"--field", "client_id=" + e.demandbase.Values()["client_id"], "--secrets-stdin"}
			},
			stdin:      func(badInputEnv) string { return "client_secret=" + wrongKey + "\n" },
			wantCode:   1,
			wantStderr: []string{"rejected", "--force"},
			hidden:     str(wrongKey),
		},
		{
			name:     "--force with a wrong secret saves",
			args:     func(e badInputEnv) []string { return driftArgs(e, "--force", "--secrets-stdin") },
			stdin:    func(badInputEnv) string { return "api_key=" + wrongKey + "\n" },
			wantCode: 0,
			hidden:   str(wrongKey),
			saves:    true,
		},
		{
			name:       "add with a credentials.json that does not parse",
			prepare:    corruptIndex,
			args:       func(e badInputEnv) []string { return driftArgs(e, "--secrets-stdin") },
			stdin:      driftStdin,
			wantCode:   1,
			wantStderr: []string{store.IndexFile},
			hidden:     func(e badInputEnv) []string { return []string{driftKey(e)} },
		},
		{
			name:       "list with a credentials.json that does not parse",
			prepare:    corruptIndex,
			args:       str("list", "--json"),
			wantCode:   1,
			wantStderr: []string{store.IndexFile},
		},
		{
			name:       "edit: secret field on argv",
			args:       func(e badInputEnv) []string { return []string{"edit", e.existing, "--field", "api_key=" + argvSecret} },
			wantCode:   2,
			wantStderr: []string{"api_key", "--secrets-stdin"},
			hidden:     str(argvSecret),
		},
		{
			name: "edit: http:// base URL on a non-loopback host",
			args: func(e badInputEnv) []string {
				return []string{"edit", e.existing, "--field", "base_url=http://example.com", "--no-test"}
			},
			wantCode:   2,
			wantStderr: []string{"base_url"},
		},
		{
			name:       "edit: invalid new name",
			args:       func(e badInputEnv) []string { return []string{"edit", e.existing, "--name", "new name"} },
			wantCode:   2,
			wantStderr: []string{"name"},
		},
		{
			name: "edit: rename onto an existing name without --force",
			prepare: func(t *testing.T, sb *sandbox, e badInputEnv) {
				sb.must(driftStdin(e), driftArgs(e, "--secrets-stdin")...)
			},
			args:       func(e badInputEnv) []string { return []string{"edit", e.existing, "--name", e.name} },
			wantCode:   1,
			wantStderr: []string{"{name}", "--force"},
		},
		{
			name:       "edit: a wrong new secret fails the test and changes nothing",
			args:       func(e badInputEnv) []string { return []string{"edit", e.existing, "--secrets-stdin"} },
			stdin:      func(badInputEnv) string { return "api_key=" + wrongKey + "\n" },
			wantCode:   1,
			wantStderr: []string{"rejected", "--force"},
			hidden:     str(wrongKey),
		},
		{
			name:       "reauth: a wrong new secret changes nothing",
			args:       func(e badInputEnv) []string { return []string{"reauth", e.existing, "--secrets-stdin"} },
			stdin:      func(badInputEnv) string { return "api_key=" + wrongKey + "\n" },
			wantCode:   1,
			wantStderr: []string{"rejected", "--force"},
			hidden:     str(wrongKey),
		},
		{
			name: "reauth: secret field on argv",
			args: func(e badInputEnv) []string {
				return []string{"reauth", e.existing, "--field", "api_key=" + argvSecret}
			},
			wantCode:   2,
			wantStderr: []string{"api_key", "--secrets-stdin"},
			hidden:     str(argvSecret),
		},
		{
			name:       "reauth: no new secret given",
			args:       func(e badInputEnv) []string { return []string{"reauth", e.existing, "--secrets-stdin"} },
			wantCode:   2,
			wantStderr: []string{"api_key"},
		},
		{
			name:       "rm without --yes off a terminal",
			args:       func(e badInputEnv) []string { return []string{"rm", e.existing} },
			wantCode:   2,
			wantStderr: []string{"--yes", "{existing}"},
		},
		{
			name:       "--store with an unknown store",
			args:       func(e badInputEnv) []string { return []string{"list", "--store", "plaintext"} },
			wantCode:   2,
			wantStderr: []string{"--store"},
		},
		{
			name:       "test with neither names nor --all",
			args:       str("test"),
			wantCode:   2,
			wantStderr: []string{"--all"},
		},
	}
	for _, cmd := range []string{"show", "test", "token", "rm", "edit"} {
		cases = append(cases, badInputCase{
			name: "unknown credential: " + cmd,
			args: func(e badInputEnv) []string {
				args := []string{cmd, e.name}
				if cmd == "rm" {
					args = append(args, "--yes")
				}
				if cmd == "edit" {
					args = append(args, "--description", "x")
				}
				return args
			},
			wantCode:   1,
			wantStderr: []string{"no credential named", "{name}"},
		})
	}
	return cases
}

// TestBadInput runs bad commands through the binary, each against a config
// dir holding one saved Drift credential and the real Secret Service.
func TestBadInput(t *testing.T) {
	requireKeychain(t)
	t.Parallel()
	env0 := badInputEnv{
		drift:      startEmulator(t, "drift"),
		demandbase: startEmulator(t, "demandbase"),
		salesforce: startEmulator(t, "salesforce"),
	}
	for _, tc := range badInputCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := env0
			e.name, e.existing = credName(t, "bad"), credName(t, "old")
			cleanKeychain(t, e.name, e.existing)
			sb := newSandbox(t, keychainStore)
			sb.must(driftStdin(e), "add", "drift", "--name", e.existing, "--field", "base_url="+e.drift.URL(), "--secrets-stdin")

			if tc.prepare != nil {
				tc.prepare(t, sb, e)
			}
			filesBefore := snapshot(t, sb.configDir)
			keychainBefore := keychainState(t, e.name, e.existing)
			args := tc.args(e)
			if len(args) == 0 {
				t.Fatal("test bug: the case has no arguments")
			}
			stdin := ""
			if tc.stdin != nil {
				stdin = tc.stdin(e)
			}
			r := sb.run(stdin, args...)
			t.Logf("exit %d, stderr: %s", r.code, strings.TrimSpace(r.stderr))

			if r.code != tc.wantCode {
				t.Errorf("exit %d; want %d:\n%s", r.code, tc.wantCode, r)
			}
			low := strings.ToLower(r.stderr)
			for _, w := range tc.wantStderr {
				w = strings.NewReplacer("{name}", e.name, "{existing}", e.existing).Replace(w)
				if !strings.Contains(low, strings.ToLower(w)) {
					t.Errorf("stderr does not name %q:\n%s", w, r)
				}
			}
			for _, w := range tc.notStderr {
				if strings.Contains(low, strings.ToLower(w)) {
					t.Errorf("stderr names %q, which is not at fault:\n%s", w, r)
				}
			}
			if !tc.saves {
				oneLine(t, "stderr", r, r.stderr)
				if strings.TrimSpace(r.stdout) != "" {
					t.Errorf("a failed command printed data on stdout:\n%s", r)
				}
			}
			if strings.Contains(r.stderr, "Usage:") {
				t.Errorf("stderr holds the usage text; want one sentence:\n%s", r)
			}
			filesAfter := snapshot(t, sb.configDir)
			if tc.hidden != nil {
				for _, h := range tc.hidden(e) {
					if containsPiece(r.stderr, h, len(h)) || containsPiece(r.stdout, h, len(h)) {
						t.Errorf("a secret value given to the command appears in its output:\n%s", r)
					}
					for p, content := range filesAfter {
						if containsPiece(content, h, leakWindow) {
							t.Errorf("a secret value given to the command appears in plaintext in %s", p)
						}
					}
				}
			}

			keychainAfter := keychainState(t, e.name, e.existing)
			if _, ok := keychainAfter[store.SecretService+"/"+e.existing]; !ok {
				t.Errorf("the keychain item of the existing credential %s is gone", e.existing)
			}
			if !tc.saves {
				if d := diffSnapshots(filesBefore, filesAfter); d != "" {
					t.Errorf("the config dir changed: %s", d)
				}
				if d := diffSnapshots(keychainBefore, keychainAfter); d != "" {
					t.Errorf("the keychain changed: %s", d)
				}
				return
			}
			cr, ok := find(sb.list(), e.name)
			if !ok {
				t.Fatalf("--force did not save %s", e.name)
			}
			if cr.LastTest == nil || cr.LastTest.OK {
				t.Errorf("--force saved %s with last_test %+v; want the failed test recorded", e.name, cr.LastTest)
			}
			if got, ok := keychainSecrets(t, e.name); !ok || !maps.Equal(got, map[string]string{"api_key": wrongKey}) {
				t.Errorf("--force did not save the given secret in the keychain (found %v)", ok)
			}
		})
	}
}

// keychainState returns the keychain items (both services) of the given
// names, by "service/name".
func keychainState(t *testing.T, names ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, n := range names {
		for _, svc := range keychainServices {
			if v, ok := lookupKeychain(t, svc, n); ok {
				out[svc+"/"+n] = v
			}
		}
	}
	return out
}
