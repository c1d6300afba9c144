package ui

import (
	"strings"
	"testing"

	"github.com/credwiz/credwiz/connectors/connectortest"
)

func TestCompletion(t *testing.T) {
	e := newTestEnv(t)
	em := connectortest.NewSalesforce()
	defer em.Close()
	if r := e.run("", "add", "drift", "--name", "d-one", "--field", "base_url=http://127.0.0.1:9", "--no-test", "--secrets-stdin"); r.code != 2 {
		// api_key is missing: nothing saved; add it properly below.
		t.Log(r.err)
	}
	e.env["CREDWIZ_SECRET_API_KEY"] = "drift-key-for-completion"
	if r := e.run("", "add", "drift", "--name", "d-one", "--field", "base_url=http://127.0.0.1:9", "--no-test"); r.code != 0 {
		t.Fatal(r.err)
	}
	tests := []struct {
		name string
		args []string
		want []string
		not  []string
	}{
		{name: "field keys of add's connector", args: []string{"add", "salesforce", "--field", ""},
			want: []string{"login_url=\tLogin URL", "flow=\tConnect Using", "username=", ":6"}, not: []string{"password=", "consumer_secret="}},
		{name: "field options", args: []string{"add", "salesforce", "--field", "flow="},
			want: []string{"flow=password", "flow=client_credentials", ":4"}},
		{name: "field options by prefix", args: []string{"add", "salesforce", "--field", "flow=cl"},
			want: []string{"flow=client_credentials"}, not: []string{"flow=password"}},
		{name: "no values for a free field", args: []string{"add", "salesforce", "--field", "username="},
			want: []string{":4"}, not: []string{"username="}},
		{name: "field keys of edit's credential", args: []string{"edit", "d-one", "--field", "b"},
			want: []string{"base_url=\tBase URL"}, not: []string{"api_key"}},
		{name: "unknown credential", args: []string{"reauth", "nope", "--field", ""}, want: []string{":4"}},
		{name: "names", args: []string{"show", "d-"}, want: []string{"d-one\tdrift"}},
		{name: "connectors", args: []string{"add", "d"}, want: []string{"drift\tDrift"}},
		{name: "stores", args: []string{"list", "--store", ""}, want: []string{"auto", "keychain", "file"}},
		{name: "exec names", args: []string{"exec", "d-"}, want: []string{"d-one\tdrift"}},
		{name: "exec command after --", args: []string{"exec", "d-one", "--", "d-"}, want: []string{":0"}, not: []string{"d-one"}},
		{name: "env formats", args: []string{"env", "d-one", "--format", ""}, want: []string{"shell", "dotenv", "json"}},
		{name: "reveal keys", args: []string{"show", "d-one", "--reveal", ""}, want: []string{"api_key"}, not: []string{"base_url"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.run("", append([]string{"__complete"}, tc.args...)...)
			for _, w := range tc.want {
				if !strings.Contains(r.out, w) {
					t.Errorf("completion lacks %q:\n%s", w, r.out)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(r.out, w) {
					t.Errorf("completion offers %q:\n%s", w, r.out)
				}
			}
		})
	}
}
