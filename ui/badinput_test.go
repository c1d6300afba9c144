package ui

import (
	"maps"
	"strings"
	"testing"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
)

// TestBadInput runs bad command lines and inputs: each exits with its
// code (2 for usage, 1 for failure), says on one line what is wrong and names the field,
// never echoes a secret, and changes nothing on disk or in the stores.
func TestBadInput(t *testing.T) {
	em := connectortest.NewDrift()
	defer em.Close()
	good := em.Values()
	key := good["api_key"]
	base := "--field=base_url=" + good["base_url"]
	tests := []struct {
		name    string
		args    []string
		stdin   string
		env     map[string]string
		code    int
		mention string // the message must contain this
	}{
		{name: "secret on argv", args: []string{"add", "drift", "--name", "x", "--field", "api_key=" + key, base}, code: 2, mention: "--secrets-stdin"},
		{name: "missing name and secret", args: []string{"add", "drift", base}, code: 2, mention: "name (--name), api_key"},
		{name: "missing secret", args: []string{"add", "drift", "--name", "x", base, "--secrets-stdin"}, code: 2, mention: "api_key"},
		{name: "unknown field", args: []string{"add", "drift", "--name", "x", base, "--field", "colour=blue", "--secrets-stdin"}, stdin: "api_key=" + key, code: 2, mention: "colour"},
		{name: "duplicate key on stdin", args: []string{"add", "drift", "--name", "x", base, "--secrets-stdin"}, stdin: "api_key=" + key + "\napi_key=" + key + "\n", code: 2, mention: "given twice"},
		{name: "stdin line without =", args: []string{"add", "drift", "--name", "x", base, "--secrets-stdin"}, stdin: key + "\n", code: 2, mention: "KEY=VALUE"},
		{name: "empty name", args: []string{"add", "drift", "--name", "", base, "--secrets-stdin"}, stdin: "api_key=" + key, code: 2, mention: "name"},
		{name: "name with slash", args: []string{"add", "drift", "--name", "a/b", base, "--secrets-stdin"}, stdin: "api_key=" + key, code: 2, mention: "name"},
		{name: "name with space", args: []string{"add", "drift", "--name", "a b", base, "--secrets-stdin"}, stdin: "api_key=" + key, code: 2, mention: "name"},
		{name: "name with control char", args: []string{"add", "drift", "--name", "a\x07b", base, "--secrets-stdin"}, stdin: "api_key=" + key, code: 2, mention: "name"},
		{name: "name too long", args: []string{"add", "drift", "--name", strings.Repeat("n", 65), base, "--secrets-stdin"}, stdin: "api_key=" + key, code: 2, mention: "64"},
		{name: "non-loopback http", args: []string{"add", "drift", "--name", "x", "--field", "base_url=http://driftapi.com", "--secrets-stdin"}, stdin: "api_key=" + key, code: 2, mention: "base_url"},
		{name: "wrong scheme", args: []string{"add", "drift", "--name", "x", "--field", "base_url=ftp://driftapi.com", "--secrets-stdin"}, stdin: "api_key=" + key, code: 2, mention: "base_url"},
		{name: "control char in value", args: []string{"add", "drift", "--name", "x", base, "--secrets-stdin"}, stdin: "api_key=ab\x01cd", code: 2, mention: "api_key"},
		{name: "invalid utf-8", args: []string{"add", "drift", "--name", "x", base, "--secrets-stdin"}, stdin: "api_key=ab\xffcd", code: 2, mention: "api_key"},
		{name: "value too long", args: []string{"add", "drift", "--name", "x", base, "--secrets-stdin"}, stdin: "api_key=" + strings.Repeat("k", 1<<20), code: 2, mention: "api_key"},
		{name: "unknown connector", args: []string{"add", "hubspot", "--name", "x"}, code: 2, mention: "drift"},
		{name: "wrong secret", args: []string{"add", "drift", "--name", "x", base, "--secrets-stdin"}, stdin: "api_key=wrong-" + key, code: 1, mention: "rejected"},
		{name: "no-input and nothing given", args: []string{"add", "drift", "--no-input"}, code: 2, mention: "api_key"},
		{name: "rm without yes", args: []string{"rm", "exists"}, code: 2, mention: "--yes"},
		{name: "show unknown", args: []string{"show", "nope"}, code: 1, mention: "nope"},
		{name: "test unknown", args: []string{"test", "nope"}, code: 1, mention: "nope"},
		{name: "token unknown", args: []string{"token", "nope"}, code: 1, mention: "nope"},
		{name: "test nothing", args: []string{"test"}, code: 2, mention: "--all"},
		{name: "bad flag", args: []string{"list", "--colour"}, code: 2, mention: "colour"},
		{name: "bad store", args: []string{"list", "--store", "cloud"}, code: 2, mention: "cloud"},
		{name: "existing name", args: []string{"add", "drift", "--name", "exists", base, "--secrets-stdin"}, stdin: "api_key=" + key, code: 1, mention: "--force"},
		{name: "reauth without secrets", args: []string{"reauth", "exists"}, code: 2, mention: "api_key"},
		{name: "secret env on argv-free path is fine but bad env value", args: []string{"add", "drift", "--name", "x", base}, env: map[string]string{"CREDWIZ_SECRET_API_KEY": "a\nb"}, code: 2, mention: "api_key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			c, _ := connectors.Lookup("drift")
			args, stdin := addArgs(c, "exists", good)
			if r := e.run(stdin, args...); r.code != 0 {
				t.Fatalf("setup add: %d %s", r.code, r.err)
			}
			maps.Copy(e.env, tt.env)
			before := e.snapshot()
			r := e.run(tt.stdin, tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\nstderr: %s", r.code, tt.code, r.err)
			}
			msg := strings.TrimSpace(r.err)
			if !strings.Contains(msg, tt.mention) {
				t.Errorf("stderr %q does not mention %q", msg, tt.mention)
			}
			if strings.Count(msg, "\n") > 0 && tt.code == 2 {
				t.Errorf("usage error is not one line: %q", msg)
			}
			if strings.Contains(r.err+r.out, key) {
				t.Errorf("the secret was echoed: %q", r.err)
			}
			after := e.snapshot()
			if !maps.Equal(before, after) {
				t.Errorf("a failed command changed the stores or the config dir")
			}
		})
	}
}
