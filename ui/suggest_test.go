package ui

import (
	"strings"
	"testing"

	"github.com/credwiz/credwiz/connectors/connectortest"
)

func TestSuggestions(t *testing.T) {
	em := connectortest.NewDrift()
	defer em.Close()
	key := em.Values()["api_key"]
	tests := []struct {
		name  string
		env   map[string]string
		stdin string
		args  []string
		code  int
		want  []string
		not   []string
	}{
		{name: "connector", args: []string{"add", "drfit", "--name", "x"}, code: 2,
			want: []string{`unknown connector "drfit"; did you mean drift?`}},
		{name: "connector far from any", args: []string{"add", "hubspot", "--name", "x"}, code: 2,
			want: []string{`unknown connector "hubspot" (one of:`}, not: []string{"did you mean"}},
		{name: "field key", args: []string{"add", "drift", "--name", "x", "--field", "base_ur=http://127.0.0.1:1"}, code: 2,
			want: []string{`Drift has no field "base_ur"; did you mean base_url?`}},
		{name: "secret key on stdin", args: []string{"add", "drift", "--name", "x", "--secrets-stdin"}, stdin: "apikey=" + key + "\n", code: 2,
			want: []string{`has no field "apikey"; did you mean api_key?`}, not: []string{key}},
		{name: "secret variable", args: []string{"add", "drift", "--name", "x", "--no-test"},
			env: map[string]string{"CREDWIZ_SECRET_APIKEY": key}, code: 2,
			want: []string{"warning: CREDWIZ_SECRET_APIKEY matches no secret field of Drift and is ignored; did you mean CREDWIZ_SECRET_API_KEY?", "api_key"},
			not:  []string{key}},
		{name: "command", args: []string{"lsit"}, code: 2, want: []string{"did you mean list?"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t)
			for k, v := range tc.env {
				e.env[k] = v
			}
			r := e.run(tc.stdin, tc.args...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d: %s", r.code, tc.code, r.err)
			}
			for _, w := range tc.want {
				if !strings.Contains(flat(r.err), w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.err)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(r.err+r.out, w) {
					t.Errorf("output holds %q:\n%s", w, r.err)
				}
			}
		})
	}
}

func TestSuggest(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"drfit", "drift", true}, {"sales", "", false}, {"API_KEY", "api_key", true},
		{"CREDWIZ_SECRET_APIKEY", "CREDWIZ_SECRET_API_KEY", true}, {"zz", "", false},
	} {
		got, ok := suggest(tc.in, []string{"drift", "salesforce", "api_key", "CREDWIZ_SECRET_API_KEY"})
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("suggest(%q) = %q, %v", tc.in, got, ok)
		}
	}
}
