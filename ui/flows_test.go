package ui

import (
	"strings"
	"testing"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
)

// driftAnswers are the name and settings pages of a Drift credential.
func driftAnswers(name, key, url string) []answer {
	return []answer{
		{page: "name", set: map[string]string{"name": name, "description": "chat feed"}},
		{page: "settings/1", set: map[string]string{"api_key": key, "base_url": url}},
	}
}

func TestAddWizardSavesAfterTheTest(t *testing.T) {
	e := newTestEnv(t)
	em := connectortest.NewDrift()
	defer em.Close()
	v := em.Values()
	answers := append([]answer{{page: "connector", set: map[string]string{"connector": "drift"},
		check: func(t *testing.T, p *Page) {
			if len(p.Questions[0].Options) != len(connectors.All()) {
				t.Errorf("the picker offers %d connectors", len(p.Questions[0].Options))
			}
		}}},
		driftAnswers("d1", v["api_key"], em.URL())...)
	answers = append(answers, answer{page: "decide", set: map[string]string{"decide": actSave},
		check: func(t *testing.T, p *Page) {
			if !strings.Contains(p.Title, "Connected to Drift") {
				t.Errorf("decision title %q", p.Title)
			}
		}})
	s := newScript(t, answers...)
	r := e.runScript(s, "add")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	for _, want := range []string{"✓ Connector: Drift", "✓ Connected to Drift", `Saved "d1"`, "Next: credwiz test d1"} {
		if !strings.Contains(r.err, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.err)
		}
	}
	if strings.Contains(r.err+r.out, v["api_key"]) {
		t.Error("the API key was printed")
	}
	sec := e.secretValues("d1")
	cred, err := e.index().Get("d1")
	if err != nil || sec["api_key"] != v["api_key"] || cred.Description != "chat feed" || cred.LastTest == nil || !cred.LastTest.OK {
		t.Errorf("saved %+v, %v (%v)", cred, sec, err)
	}
}

// TestEscGoesBackKeepingValues walks back from the settings to the
// connector picker and forward again: every page shows what was typed.
func TestEscGoesBackKeepingValues(t *testing.T) {
	e := newTestEnv(t)
	em := connectortest.NewDrift()
	defer em.Close()
	v := em.Values()
	expect := func(k, want string) func(*testing.T, *Page) {
		return func(t *testing.T, p *Page) {
			if got := shown(p, k); got != want {
				t.Errorf("page %s shows %s=%q, want %q (typed before going back)", p.ID, k, got, want)
			}
		}
	}
	s := newScript(t,
		answer{page: "connector", set: map[string]string{"connector": "drift"}},
		answer{page: "name", set: map[string]string{"name": "d2", "description": "typed once"}},
		answer{page: "settings/1", set: map[string]string{"api_key": v["api_key"], "base_url": em.URL()}},
		answer{page: "decide", err: ErrBack},
		answer{page: "settings/1", err: ErrBack, check: expect("api_key", v["api_key"])},
		answer{page: "name", err: ErrBack, check: expect("description", "typed once")},
		answer{page: "connector", check: expect("connector", "drift"), set: map[string]string{"connector": "drift"}},
		answer{page: "name", check: expect("name", "d2")},
		answer{page: "settings/1", check: expect("base_url", em.URL())},
		answer{page: "decide", set: map[string]string{"decide": actSave}},
	)
	r := e.runScript(s, "add")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	if sec := e.secretValues("d2"); sec["api_key"] != v["api_key"] {
		t.Errorf("saved key %q", sec["api_key"])
	}
	if n := strings.Count(r.err, "✓ Settings:"); n != 1 {
		t.Errorf("the same settings were printed %d times (want once):\n%s", n, r.err)
	}
}

func TestEscAtTheFirstStep(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		answers []answer
		code    int
	}{
		{name: "nothing typed: cancelled without a question", args: []string{"add"}, code: 130,
			answers: []answer{{page: "connector", err: ErrBack}}},
		{name: "nothing typed after picking the connector", args: []string{"add"}, code: 130,
			answers: []answer{
				{page: "connector", set: map[string]string{"connector": "drift"}},
				{page: "name", err: ErrBack},
				{page: "connector", err: ErrBack},
			}},
		{name: "typed: asks, No stays, Yes discards", args: []string{"add", "drift"}, code: 130,
			answers: []answer{
				{page: "name", set: map[string]string{"name": "half"}, err: nil},
				{page: "settings/1", err: ErrBack},
				{page: "name", err: ErrBack},
				{page: "discard", set: map[string]string{"discard": "no"}, check: func(t *testing.T, p *Page) {
					if p.Questions[0].Title != "Discard this credential?" {
						t.Errorf("discard question %q", p.Questions[0].Title)
					}
				}},
				{page: "name", err: ErrBack},
				{page: "discard", set: map[string]string{"discard": "yes"}},
			}},
		{name: "Esc on the discard question is No", args: []string{"add", "drift"}, code: 130,
			answers: []answer{
				{page: "name", set: map[string]string{"name": "half"}},
				{page: "settings/1", err: ErrBack},
				{page: "name", err: ErrBack},
				{page: "discard", err: ErrBack},
				{page: "name", err: ErrCancelled},
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t)
			r := e.runScript(newScript(t, tc.answers...), tc.args...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d: %s", r.code, tc.code, r.err)
			}
			if creds, _ := e.index().List(); len(creds) != 0 {
				t.Errorf("saved %v", creds)
			}
		})
	}
}

func TestCtrlCAnywhereSavesNothing(t *testing.T) {
	em := connectortest.NewDrift()
	defer em.Close()
	v := em.Values()
	full := []answer{
		{page: "connector", set: map[string]string{"connector": "drift"}},
		{page: "name", set: map[string]string{"name": "cc"}},
		{page: "settings/1", set: map[string]string{"api_key": v["api_key"], "base_url": em.URL()}},
		{page: "decide", set: map[string]string{"decide": actSave}},
	}
	for i := range full {
		t.Run(full[i].page, func(t *testing.T) {
			e := newTestEnv(t)
			answers := append([]answer(nil), full[:i]...)
			answers = append(answers, answer{page: full[i].page, err: ErrCancelled})
			r := e.runScript(newScript(t, answers...), "add")
			if r.code != 130 {
				t.Fatalf("exit %d, want 130: %s", r.code, r.err)
			}
			if len(e.snapshot()) != 0 {
				t.Errorf("Ctrl-C at %s left %v", full[i].page, e.snapshot())
			}
		})
	}
	t.Run("during the test", func(t *testing.T) {
		e := newTestEnv(t)
		answers := append([]answer(nil), full[:3]...)
		answers = append(answers, answer{work: "Testing", err: ErrCancelled})
		r := e.runScript(newScript(t, answers...), "add")
		if r.code != 130 || len(e.snapshot()) != 0 {
			t.Fatalf("exit %d, saved %v: %s", r.code, e.snapshot(), r.err)
		}
	})
}

// TestFailedTestThenRetryEditAndSave: a wrong key fails; Retry fails
// again (attempt 2); Edit values returns to the settings with the values
// typed; the right key passes and is saved.
func TestFailedTestThenRetryEditAndSave(t *testing.T) {
	e := newTestEnv(t)
	em := connectortest.NewDrift()
	defer em.Close()
	v := em.Values()
	s := newScript(t,
		answer{page: "name", set: map[string]string{"name": "fix"}},
		answer{page: "settings/1", set: map[string]string{"api_key": "drift-wrong-key-0000", "base_url": em.URL()}},
		answer{page: "decide", set: map[string]string{"decide": actRetry}, check: func(t *testing.T, p *Page) {
			if !strings.HasPrefix(p.Title, "✗ Test failed: credentials rejected") || shown(p, "decide") != actRetry {
				t.Errorf("failure decision %q, default %q", p.Title, shown(p, "decide"))
			}
		}},
		answer{page: "decide", set: map[string]string{"decide": actEdit}, check: func(t *testing.T, p *Page) {
			if !strings.Contains(p.Title, "attempt 2") {
				t.Errorf("a retry's title does not say which attempt: %q", p.Title)
			}
		}},
		answer{page: "settings/1", set: map[string]string{"api_key": v["api_key"]}, check: func(t *testing.T, p *Page) {
			if shown(p, "base_url") != em.URL() {
				t.Errorf("Edit values lost the base URL: %q", shown(p, "base_url"))
			}
		}},
		answer{page: "decide", set: map[string]string{"decide": actSave}},
	)
	r := e.runScript(s, "add", "drift")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	if !strings.Contains(flat(r.err), "Drift rejected the credentials") || !strings.Contains(flat(r.err), "Check the values you entered") {
		t.Errorf("the failure is not explained:\n%s", r.err)
	}
	if strings.Contains(r.err, "reauth") || strings.Contains(r.err, "password expired") {
		t.Errorf("a new Drift credential's failure talks about re-auth or passwords:\n%s", r.err)
	}
	if strings.Count(r.err, "✓ Settings:") != 1 {
		t.Errorf("the settings line (secrets masked) did not change, yet it was printed again:\n%s", r.err)
	}
	if sec := e.secretValues("fix"); sec["api_key"] != v["api_key"] {
		t.Errorf("saved %v", sec)
	}
}

func TestSaveAnywayAndCancelAfterAFailure(t *testing.T) {
	em := connectortest.NewDrift()
	defer em.Close()
	for _, act := range []string{actSaveAnyway, actCancel} {
		t.Run(act, func(t *testing.T) {
			e := newTestEnv(t)
			r := e.runScript(newScript(t, append(driftAnswers("sa", "drift-wrong-key-0000", em.URL()),
				answer{page: "decide", set: map[string]string{"decide": act}})...), "add", "drift")
			cred, err := e.index().Get("sa")
			switch act {
			case actSaveAnyway:
				if r.code != 0 || err != nil || cred.LastTest == nil || cred.LastTest.OK {
					t.Fatalf("Save anyway: exit %d, %+v, %v: %s", r.code, cred, err, r.err)
				}
				if !strings.Contains(r.err, "although its test failed") {
					t.Errorf("Save anyway does not say the test failed:\n%s", r.err)
				}
			case actCancel:
				if r.code != 130 || err == nil {
					t.Fatalf("Cancel: exit %d, saved %v", r.code, err == nil)
				}
			}
		})
	}
}

// TestEscDuringTheTest: Esc cancels the live test and the decision offers
// Retry and Edit values.
func TestEscDuringTheTest(t *testing.T) {
	e := newTestEnv(t)
	em := connectortest.NewDrift()
	defer em.Close()
	v := em.Values()
	s := newScript(t, append(driftAnswers("esc", v["api_key"], em.URL()),
		answer{work: "Testing the Drift credential", err: ErrBack},
		answer{page: "decide", set: map[string]string{"decide": actRetry}, check: func(t *testing.T, p *Page) {
			var vals []string
			for _, o := range p.Questions[0].Options {
				vals = append(vals, o.Value)
			}
			// The line printed above says "Test cancelled"; the title does not repeat it.
			if strings.Contains(p.Title, "cancelled") || strings.Join(vals, ",") != "retry,edit,cancel" {
				t.Errorf("after Esc during the test: %q %v", p.Title, vals)
			}
		}},
		answer{page: "decide", set: map[string]string{"decide": actSave}},
	)...)
	r := e.runScript(s, "add", "drift")
	if r.code != 0 || !strings.Contains(r.err, "Test cancelled") {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	if _, err := e.index().Get("esc"); err != nil {
		t.Error(err)
	}
}

func TestReplaceAnExistingName(t *testing.T) {
	e := newTestEnv(t)
	em := connectortest.NewDrift()
	defer em.Close()
	v := em.Values()
	c, _ := connectors.Lookup("drift")
	args, stdin := addArgs(c, "taken", v)
	if r := e.run(stdin, args...); r.code != 0 {
		t.Fatal(r.err)
	}
	s := newScript(t,
		answer{page: "name", set: map[string]string{"name": "taken"}},
		answer{page: "replace", set: map[string]string{"replace": "no"}, check: func(t *testing.T, p *Page) {
			if got := p.Questions[0].Title; !strings.Contains(got, `A Drift credential named "taken" exists.`) {
				t.Errorf("the question does not name the connector as the wizard does: %q", got)
			}
		}},
		answer{page: "name", set: map[string]string{"name": "taken"}},
		answer{page: "replace", set: map[string]string{"replace": "yes"}},
		answer{page: "settings/1", set: map[string]string{"api_key": v["api_key"], "base_url": em.URL()}},
		answer{page: "decide", set: map[string]string{"decide": actSave}},
	)
	if r := e.runScript(s, "add", "drift"); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
}

// TestRemoteHostIsConfirmed: a base URL outside the vendor's domain asks
// before the secret goes there; No returns to the page with the URL.
func TestRemoteHostIsConfirmed(t *testing.T) {
	e := newTestEnv(t)
	s := newScript(t,
		answer{page: "name", set: map[string]string{"name": "far"}},
		answer{page: "settings/1", set: map[string]string{"api_key": "drift-key-1234567890", "base_url": "https://drift.example.net"}},
		answer{page: "host", set: map[string]string{"host": "no"}, check: func(t *testing.T, p *Page) {
			if !strings.Contains(p.Questions[0].Title, "drift.example.net") {
				t.Errorf("the warning does not name the host: %q", p.Questions[0].Title)
			}
		}},
		answer{page: "settings/1", err: ErrCancelled},
	)
	if r := e.runScript(s, "add", "drift"); r.code != 130 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
}

// TestCheckAcrossFieldsReturnsToThePage: Salesforce's client-credentials
// flow needs a My Domain login URL; the flow select refuses it at once.
func TestCheckAcrossFieldsReturnsToThePage(t *testing.T) {
	e := newTestEnv(t)
	s := newScript(t,
		answer{page: "name", set: map[string]string{"name": "sf"}},
		answer{page: "settings/1", set: map[string]string{"login_url": "https://login.salesforce.com"}},
		answer{page: "settings/2", invalid: map[string]string{"flow": "client_credentials"}, err: ErrCancelled},
	)
	if r := e.runScript(s, "add", "salesforce"); r.code != 130 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
}

func TestAdvancedSettings(t *testing.T) {
	e := newTestEnv(t)
	em := connectortest.NewSalesforce()
	defer em.Close()
	v := em.Values()
	s := newScript(t,
		answer{page: "name", set: map[string]string{"name": "sfa"}},
		answer{page: "settings/1", set: map[string]string{"login_url": em.URL()}},
		answer{page: "settings/2", set: map[string]string{"flow": "password"}},
		answer{page: "settings/3", set: map[string]string{"consumer_key": v["consumer_key"], "consumer_secret": v["consumer_secret"]}},
		answer{page: "settings/4", set: map[string]string{"username": v["username"], "password": v["password"], "security_token": v["security_token"]}},
		answer{page: "advanced", set: map[string]string{"advanced": "yes"}, check: func(t *testing.T, p *Page) {
			if !strings.Contains(p.Questions[0].Help, "90") {
				t.Errorf("the advanced question does not show the current values: %q", p.Questions[0].Help)
			}
		}},
		answer{page: "settings/5", invalid: map[string]string{"password_expires_days": "ninety"}, set: map[string]string{"password_expires_days": "30"}},
		answer{page: "decide", set: map[string]string{"decide": actSave}},
	)
	if r := e.runScript(s, "add", "salesforce"); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	if cred, _ := e.index().Get("sfa"); cred.Fields["password_expires_days"] != "30" {
		t.Errorf("fields %v", cred.Fields)
	}
}
