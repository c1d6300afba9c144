package ui

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
	"github.com/credwiz/credwiz/store"
)

// TestScriptedLifecycle adds, lists, shows, tests, edits, tokens and
// removes a credential of every connector through the commands, against
// its emulator, and checks no secret reaches stdout or stderr.
func TestScriptedLifecycle(t *testing.T) {
	for _, c := range connectors.All() {
		t.Run(c.ID, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			em := connectortest.New(c.ID)
			defer em.Close()
			v := em.Values()
			secrets := secretValues(c, v)
			name := "prod-" + c.ID
			var outputs []string
			check := func(r result, want int, what string) result {
				t.Helper()
				if r.code != want {
					t.Fatalf("%s: exit %d, want %d\nstdout: %s\nstderr: %s", what, r.code, want, r.out, r.err)
				}
				outputs = append(outputs, r.out, r.err)
				return r
			}

			args, stdin := addArgs(c, name, v)
			r := check(e.run(stdin, append(args, "--description", "nightly sync")...), 0, "add")
			if !strings.Contains(r.err, "Saved") {
				t.Errorf("add stderr %q does not confirm the save", r.err)
			}
			sec, err := e.secrets.Get(name)
			if err != nil {
				t.Fatalf("secret not saved: %v", err)
			}
			for _, k := range c.SecretKeys() {
				if v[k] != "" && sec.Values[k] != v[k] {
					t.Errorf("secret %s not saved as given", k)
				}
			}

			r = check(e.run("", "list", "--json"), 0, "list --json")
			var list []struct {
				Name, Connector, Description string
				LastTest                     *store.TestResult `json:"last_test"`
				Expiring                     *bool             `json:"expiring"`
			}
			if err := json.Unmarshal([]byte(r.out), &list); err != nil {
				t.Fatalf("list --json: %v\n%s", err, r.out)
			}
			if len(list) != 1 || list[0].Name != name || list[0].Connector != c.ID || list[0].Description != "nightly sync" {
				t.Fatalf("list --json = %+v", list)
			}
			if list[0].Expiring == nil {
				t.Errorf("list --json lacks expiring: %s", r.out)
			}
			if list[0].LastTest == nil || !list[0].LastTest.OK {
				t.Errorf("add's test not recorded: %+v", list[0].LastTest)
			}

			r = check(e.run("", "show", name), 0, "show")
			if !strings.Contains(r.out, "••••••••") {
				t.Errorf("show does not mask secrets:\n%s", r.out)
			}
			check(e.run("", "show", name, "--json"), 0, "show --json")
			check(e.run("", "list"), 0, "list")

			r = check(e.run("", "test", name, "--json"), 0, "test")
			var outs []testOutcome
			if err := json.Unmarshal([]byte(r.out), &outs); err != nil || len(outs) != 1 || !outs[0].OK {
				t.Fatalf("test --json = %s (%v)", r.out, err)
			}

			r = check(e.run("", "token", name), 0, "token")
			tok := strings.TrimSpace(r.out)
			if tok == "" {
				t.Fatal("token printed nothing")
			}
			outputs = outputs[:len(outputs)-2] // the token itself is token's stdout by design
			outputs = append(outputs, r.err)
			minted := em.TokensIssued()
			r2 := e.run("", "token", name)
			if strings.TrimSpace(r2.out) != tok {
				t.Errorf("second token call printed a different token")
			}
			if em.TokensIssued() != minted {
				t.Errorf("second token call minted a new token (%d → %d)", minted, em.TokensIssued())
			}

			check(e.run("", "edit", name, "--description", "hourly sync", "--no-test"), 0, "edit")
			check(e.run("", "edit", name, "--name", name+"-2"), 0, "rename")
			if _, err := e.secrets.Get(name); err == nil {
				t.Error("rename left the old secret behind")
			}
			if _, err := e.secrets.Get(name + "-2"); err != nil {
				t.Errorf("rename lost the secret: %v", err)
			}
			r = check(e.run("", "list", "--json"), 0, "list after edit")
			if !strings.Contains(r.out, `"hourly sync"`) || !strings.Contains(r.out, name+"-2") {
				t.Errorf("edit not visible in list: %s", r.out)
			}

			check(e.run("", "rm", name+"-2", "--yes"), 0, "rm")
			if _, err := e.secrets.Get(name + "-2"); err == nil {
				t.Error("rm left the secret")
			}
			r = check(e.run("", "list", "--json"), 0, "list after rm")
			if strings.TrimSpace(r.out) != "[]" {
				t.Errorf("list after rm = %s", r.out)
			}

			for _, o := range outputs {
				for _, s := range secrets {
					if strings.Contains(o, s) {
						t.Errorf("a secret value reached the output:\n%s", o)
					}
				}
			}
		})
	}
}
