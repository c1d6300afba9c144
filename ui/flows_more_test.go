package ui

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"

	"github.com/credwiz/credwiz/store"
)

// savedDrift adds a Drift credential name against em, scripted.
func savedDrift(t *testing.T, e *testEnv, em connectortest.Emulator, name string) {
	t.Helper()
	c, _ := connectors.Lookup("drift")
	args, stdin := addArgs(c, name, em.Values())
	if r := e.run(stdin, append(args, "--description", "orig")...); r.code != 0 {
		t.Fatal(r.err)
	}
}

func TestEditInteractive(t *testing.T) {
	em := connectortest.NewDrift()
	defer em.Close()
	key := em.Values()["api_key"]
	tests := []struct {
		name    string
		answers []answer
		code    int
		check   func(t *testing.T, e *testEnv, r result)
	}{
		{
			name: "nothing changed",
			answers: []answer{
				{page: "name", check: func(t *testing.T, p *Page) {
					if shown(p, "name") != "ed" || shown(p, "description") != "orig" {
						t.Errorf("not pre-filled: %q %q", shown(p, "name"), shown(p, "description"))
					}
				}},
				{page: "settings/1", check: func(t *testing.T, p *Page) {
					if shown(p, "api_key") != "" || p.question("api_key").Placeholder != "(unchanged)" {
						t.Errorf("the secret is pre-filled (%q) or not marked unchanged", shown(p, "api_key"))
					}
					if shown(p, "base_url") != em.URL() {
						t.Errorf("base_url %q", shown(p, "base_url"))
					}
				}},
			},
			check: func(t *testing.T, e *testEnv, r result) {
				if !strings.Contains(r.err, `Nothing to change in "ed"`) {
					t.Errorf("stderr: %s", r.err)
				}
			},
		},
		{
			name: "rename and describe: no test, the last test kept",
			answers: []answer{
				{page: "name", set: map[string]string{"name": "ed2", "description": "new words"}},
				{page: "settings/1"},
			},
			check: func(t *testing.T, e *testEnv, r result) {
				cred, err := e.index().Get("ed2")
				if err != nil || cred.Description != "new words" || cred.LastTest == nil {
					t.Fatalf("%+v %v", cred, err)
				}
				if _, err := e.index().Get("ed"); err == nil {
					t.Error("the old name is still there")
				}
				if sec := e.secretValues("ed2"); sec["api_key"] != key {
					t.Error("the secret did not follow the rename")
				}
				if !strings.Contains(r.err, `Renamed "ed" to "ed2"`) || strings.Contains(r.err, "Testing") {
					t.Errorf("stderr: %s", r.err)
				}
			},
		},
		{
			name: "a new wrong key fails the test: the advice is about the values, not reauth of the old name",
			answers: []answer{
				{page: "name", set: map[string]string{"name": "ed3"}},
				{page: "settings/1", set: map[string]string{"api_key": "drift-wrong-0000000"}},
				{page: "decide", set: map[string]string{"decide": actCancel}},
			},
			code: 130,
			check: func(t *testing.T, e *testEnv, r result) {
				if strings.Contains(r.err, "reauth ed") || strings.Contains(r.err, "password expired") {
					t.Errorf("the edit's failure advice names the old credential or a password:\n%s", r.err)
				}
				if _, err := e.index().Get("ed"); err != nil {
					t.Error("a cancelled edit changed the credential")
				}
			},
		},
		{
			name: "Esc on the first page with changes asks",
			answers: []answer{
				{page: "name", set: map[string]string{"description": "changed"}},
				{page: "settings/1", err: ErrBack},
				{page: "name", err: ErrBack},
				{page: "discard", set: map[string]string{"discard": "yes"}, check: func(t *testing.T, p *Page) {
					if !strings.Contains(p.Questions[0].Title, `changes to "ed"`) {
						t.Errorf("%q", p.Questions[0].Title)
					}
				}},
			},
			code: 130,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t)
			savedDrift(t, e, em, "ed")
			r := e.runScript(newScript(t, tc.answers...), "edit", "ed")
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d: %s", r.code, tc.code, r.err)
			}
			if tc.check != nil {
				tc.check(t, e, r)
			}
		})
	}
}

func TestReauthInteractive(t *testing.T) {
	e := newTestEnv(t)
	em, v := sfSetup(t, e)
	const pw, tok = "Winter-2027!", "NewTok5566"
	em.SetPassword(em.Username(), pw, tok)
	before := e.state(sfName)
	// A wrong token first: nothing changes, then the right one.
	s := newScript(t,
		answer{page: "guide", check: func(t *testing.T, p *Page) {
			if p.Questions[0].NextLabel != "I have the new values" {
				t.Errorf("guide button %q", p.Questions[0].NextLabel)
			}
		}},
		answer{page: "settings/1", check: func(t *testing.T, p *Page) {
			if shown(p, "consumer_secret") != "" {
				t.Errorf("the saved consumer secret is shown: %q", shown(p, "consumer_secret"))
			}
		}},
		answer{page: "settings/2", set: map[string]string{"password": pw, "security_token": "WrongTok"}, check: func(t *testing.T, p *Page) {
			if shown(p, "username") != v["username"] {
				t.Errorf("username %q not pre-filled", shown(p, "username"))
			}
		}},
		answer{page: "decide", set: map[string]string{"decide": actEdit}},
		answer{page: "settings/1"},
		answer{page: "settings/2", set: map[string]string{"security_token": tok}},
		answer{page: "decide", set: map[string]string{"decide": actSave}},
	)
	r := e.runScript(s, "reauth", sfName)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	if e.state(sfName) == before {
		t.Fatal("nothing changed")
	}
	sec, _ := e.secretsOf(sfName)
	if sec["password"] != pw || sec["security_token"] != tok || sec["consumer_secret"] != v["consumer_secret"] {
		t.Errorf("secrets after reauth: %v", sec)
	}
	for _, want := range []string{"Manage Consumer Details", "Re-authenticated", "password expires around"} {
		if !strings.Contains(flat(r.err), want) {
			t.Errorf("stderr lacks %q", want)
		}
	}
	if strings.Contains(r.err, "credwiz reauth "+sfName) {
		t.Errorf("a failed re-auth advises running reauth:\n%s", r.err)
	}
	// The guide is wrapped at words to the terminal (80 columns), a step's
	// continuation under its text.
	if !strings.Contains(r.err, "Reset My Security Token") || !strings.Contains(r.err, "\n   ") {
		t.Errorf("the guide is broken mid-word or not indented:\n%s", r.err)
	}
	for _, l := range strings.Split(r.err, "\n") {
		if strings.Contains(l, "Consumer") && len([]rune(l)) > 80 {
			t.Errorf("a guide line is wider than the terminal: %q", l)
		}
	}
}

func TestReauthCancelledChangesNothing(t *testing.T) {
	e := newTestEnv(t)
	sfSetup(t, e)
	before := e.state(sfName)
	s := newScript(t,
		answer{page: "guide"},
		answer{page: "settings/1"},
		answer{page: "settings/2", set: map[string]string{"password": "x-new-pass"}},
		answer{page: "decide", set: map[string]string{"decide": actCancel}},
	)
	if r := e.runScript(s, "reauth", sfName); r.code != 130 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	if e.state(sfName) != before {
		t.Error("a cancelled re-auth changed something")
	}
}

func TestHomeMenu(t *testing.T) {
	em := connectortest.NewDrift()
	defer em.Close()
	key := em.Values()["api_key"]
	tests := []struct {
		name    string
		answers []answer
		code    int
		check   func(t *testing.T, e *testEnv, r result)
	}{
		{name: "quit", answers: []answer{{page: "home", set: map[string]string{"home": homeQuit}}}},
		{name: "Esc quits", code: 130, answers: []answer{{page: "home", err: ErrBack}}},
		{name: "list, then quit", answers: []answer{
			{page: "home", set: map[string]string{"home": homeList}, check: func(t *testing.T, p *Page) {
				if !strings.Contains(p.Note[0], "1 saved credential ·") || !strings.Contains(strings.Join(p.Note, "\n"), "h1") {
					t.Errorf("home summary: %q", p.Note)
				}
			}},
			{page: "home", set: map[string]string{"home": homeQuit}},
		}, check: func(t *testing.T, e *testEnv, r result) {
			if !strings.Contains(r.out, "h1") {
				t.Errorf("List printed %q", r.out)
			}
		}},
		{name: "test all, test one", answers: []answer{
			{page: "home", set: map[string]string{"home": homeTest}},
			{page: "pick", set: map[string]string{"pick": ""}},
			{page: "home", set: map[string]string{"home": homeTest}},
			{page: "pick", set: map[string]string{"pick": "h1"}},
			{page: "home", set: map[string]string{"home": homeQuit}},
		}, check: func(t *testing.T, e *testEnv, r result) {
			if strings.Count(r.err, "1 passed") != 2 {
				t.Errorf("stderr: %s", r.err)
			}
		}},
		{name: "delete: No keeps it, Yes deletes", answers: []answer{
			{page: "home", set: map[string]string{"home": homeDelete}},
			{page: "pick", set: map[string]string{"pick": "h1"}},
			{page: "delete", set: map[string]string{"delete": "no"}},
			{page: "home", set: map[string]string{"home": homeDelete}},
			{page: "pick", set: map[string]string{"pick": "h1"}},
			{page: "delete", set: map[string]string{"delete": "yes"}},
			{page: "home", set: map[string]string{"home": homeQuit}, check: func(t *testing.T, p *Page) {
				if p.Note[0] != "No saved credentials · secrets in the OS keychain, or the encrypted file where none answers (chosen at the first save)" &&
					!strings.HasPrefix(p.Note[0], "No saved credentials") {
					t.Errorf("after the delete: %q", p.Note[0])
				}
			}},
		}, check: func(t *testing.T, e *testEnv, r result) {
			if !strings.Contains(r.err, "Cancelled; nothing was changed.") || !strings.Contains(r.err, `Deleted "h1"`) {
				t.Errorf("stderr: %s", r.err)
			}
		}},
		{name: "Esc in a picker returns to the menu", answers: []answer{
			{page: "home", set: map[string]string{"home": homeEdit}},
			{page: "pick", err: ErrBack},
			{page: "home", set: map[string]string{"home": homeQuit}},
		}},
		{name: "edit and re-authenticate", answers: []answer{
			{page: "home", set: map[string]string{"home": homeEdit}},
			{page: "pick", set: map[string]string{"pick": "h1"}},
			{page: "name", set: map[string]string{"description": "via home"}},
			{page: "settings/1"},
			{page: "home", set: map[string]string{"home": homeReauth}},
			{page: "pick", set: map[string]string{"pick": "h1"}},
			{page: "guide"},
			{page: "settings/1", set: map[string]string{"api_key": key}},
			{page: "decide", set: map[string]string{"decide": actSave}},
			{page: "home", set: map[string]string{"home": homeQuit}},
		}, check: func(t *testing.T, e *testEnv, r result) {
			if c, _ := e.index().Get("h1"); c.Description != "via home" {
				t.Errorf("description %q", c.Description)
			}
		}},
		{name: "add from the menu, Esc back to it, Ctrl-C leaves", code: 130, answers: []answer{
			{page: "home", set: map[string]string{"home": homeAdd}},
			{page: "connector", err: ErrBack},
			{page: "home", set: map[string]string{"home": homeAdd}},
			{page: "connector", err: ErrCancelled},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t)
			savedDrift(t, e, em, "h1")
			r := e.runScript(newScript(t, tc.answers...))
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d: %s", r.code, tc.code, r.err)
			}
			if tc.check != nil {
				tc.check(t, e, r)
			}
		})
	}
}

// TestMissingNameOpensAPicker: at a terminal every command that takes one
// NAME asks for it; elsewhere it is a usage error.
func TestMissingNameOpensAPicker(t *testing.T) {
	em := connectortest.NewDrift()
	defer em.Close()
	for _, cmd := range []string{"show", "token", "edit", "reauth", "rm", "test"} {
		t.Run(cmd, func(t *testing.T) {
			e := newTestEnv(t)
			savedDrift(t, e, em, "p1")
			savedDrift(t, e, em, "p2")
			if r := e.run("", cmd); r.code != 2 || !strings.Contains(r.err, "NAME") && !strings.Contains(r.err, "names") {
				t.Errorf("%s without NAME off a terminal: exit %d, %q", cmd, r.code, r.err)
			}
			answers := []answer{{page: "pick", set: map[string]string{"pick": "p2"}, check: func(t *testing.T, p *Page) {
				q := p.Questions[0]
				var labels []string
				for _, o := range q.Options {
					labels = append(labels, o.Label)
				}
				all := strings.Join(labels, "\n")
				if !strings.Contains(all, "p1") || !strings.Contains(all, "drift") || !strings.Contains(all, "✓ tested") {
					t.Errorf("picker options lack the connector or the last test:\n%s", all)
				}
				if cmd == "test" && q.Options[0].Value != "" {
					t.Error("test's picker does not offer All first")
				}
			}}}
			switch cmd {
			case "edit":
				answers = append(answers, answer{page: "name"}, answer{page: "settings/1"})
			case "reauth":
				answers = append(answers, answer{page: "guide"}, answer{page: "settings/1", set: map[string]string{"api_key": em.Values()["api_key"]}},
					answer{page: "decide", set: map[string]string{"decide": actSave}})
			case "rm":
				answers = append(answers, answer{page: "delete", set: map[string]string{"delete": "yes"}})
			}
			r := e.runScript(newScript(t, answers...), cmd)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.err)
			}
			if cmd != "token" && !strings.Contains(r.out+r.err, "p2") {
				t.Errorf("the command did not act on p2:\n%s\n%s", r.out, r.err)
			}
			if e2 := e.runScript(newScript(t, answer{page: "pick", err: ErrBack}), cmd); e2.code != 130 {
				t.Errorf("Esc in the picker: exit %d", e2.code)
			}
		})
	}
}

func TestPickerWithNothingSaved(t *testing.T) {
	e := newTestEnv(t)
	r := e.runScript(newScript(t), "show")
	if r.code != 1 || !strings.Contains(r.err, "credwiz add") {
		t.Errorf("exit %d: %s", r.code, r.err)
	}
}

func TestDoctorAsksBeforeRemovingOrphans(t *testing.T) {
	for _, yes := range []string{"no", "yes"} {
		t.Run(yes, func(t *testing.T) {
			e := newTestEnv(t)
			if err := e.secrets.Set("stray", store.Item{Values: map[string]string{"k": "v"}}); err != nil {
				t.Fatal(err)
			}
			r := e.runScript(newScript(t, answer{page: "orphans", set: map[string]string{"orphans": yes}, check: func(t *testing.T, p *Page) {
				if !strings.Contains(p.Questions[0].Title, "Remove 1 leftover?") {
					t.Errorf("doctor asks %q", p.Questions[0].Title)
				}
			}}), "doctor", "--include-unknown")
			_, err := e.secrets.Get("stray")
			switch yes {
			case "no":
				if r.code != 1 || err != nil {
					t.Errorf("No: exit %d, item kept %v", r.code, err == nil)
				}
			case "yes":
				if r.code != 0 || err == nil {
					t.Errorf("Yes: exit %d, item removed %v: %s%s", r.code, err != nil, r.out, r.err)
				}
			}
		})
	}
}

// TestReauthWizardMissingSecret: at a terminal, a credential whose secret
// is gone asks every secret as add does (a blank one is refused, not
// "kept"), and saves them.
func TestReauthWizardMissingSecret(t *testing.T) {
	e := newTestEnv(t)
	_, v := sfSetup(t, e)
	e.dropSecret(sfName)
	s := newScript(t,
		answer{page: "guide"},
		answer{page: "settings/1", invalid: map[string]string{"consumer_secret": ""},
			set: map[string]string{"consumer_secret": v["consumer_secret"]}},
		answer{page: "settings/2", invalid: map[string]string{"password": ""},
			set: map[string]string{"password": v["password"], "security_token": v["security_token"]}},
		answer{page: "decide", set: map[string]string{"decide": actSave}},
	)
	r := e.runScript(s, "reauth", sfName)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	if !strings.Contains(flat(r.err), "missing from") {
		t.Errorf("stderr does not say the secrets are missing:\n%s", r.err)
	}
	if sec, _ := e.secretsOf(sfName); sec["consumer_secret"] != v["consumer_secret"] || sec["password"] != v["password"] {
		t.Errorf("secrets after reauth: keys %v", slices.Sorted(maps.Keys(sec)))
	}
}
