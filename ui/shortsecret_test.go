package ui

import (
	"net/http"
	"strings"
	"testing"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
)

// TestShortSecretIsRefusedAtInput: a secret shorter than its field's
// minimum is refused by add (scripted), edit and reauth in one line that
// names the field and the minimum and never the value.
func TestShortSecretIsRefusedAtInput(t *testing.T) {
	e := newExecEnv(t, "drift")
	c, _ := connectors.Lookup("drift")
	args, _ := addArgs(c, "shortk", e.values["drift"])
	for _, run := range []struct {
		stdin string
		args  []string
	}{
		{"api_key=e\n", append(args, "--no-test")},
		{"api_key=e\n", []string{"edit", "x-drift", "--secrets-stdin", "--no-test"}},
		{"api_key=e\n", []string{"reauth", "x-drift", "--secrets-stdin"}},
	} {
		r := e.run(run.stdin, run.args...)
		if r.code != 2 || !strings.Contains(r.err, "api_key") || !strings.Contains(r.err, "at least 8") || strings.Count(strings.TrimSpace(r.err), "\n") != 0 {
			t.Errorf("%s with a 1-character key: exit %d: %q; want a usage error naming api_key and the minimum", run.args[0], r.code, r.err)
		}
	}
}

// TestExecWithAShortSavedSecret: a credential saved before the minimum
// is refused by exec (nothing runs, so nothing is garbled) with the way
// to replace it.
func TestExecWithAShortSavedSecret(t *testing.T) {
	e := newExecEnv(t, "drift")
	it, err := e.secrets.Get("x-drift")
	if err != nil {
		t.Fatal(err)
	}
	it.Values["api_key"] = "e"
	if err := e.secrets.Set("x-drift", it); err != nil {
		t.Fatal(err)
	}
	r := e.run("", "exec", "x-drift", "--", "sh", "-c", "echo hello there")
	if r.code != 1 || r.out != "" || !strings.Contains(r.err, "at least 8") || !strings.Contains(r.err, "credwiz reauth x-drift") {
		t.Errorf("exec with a saved 1-character key: exit %d, stdout %q, stderr %q; want a refusal saying to reauth", r.code, r.out, r.err)
	}
}

// TestExecMasksAShortTokenAndSaysSo: a vendor's access token of one
// character is masked like any other (the masker skips nothing), and exec
// warns first that its label will replace that character everywhere.
func TestExecMasksAShortTokenAndSaysSo(t *testing.T) {
	e := newExecEnv(t, "demandbase")
	e.tokens.Delete("x-demandbase")
	e.ems["demandbase"].Rewrite(func(r *http.Request, a *connectortest.Answer) {
		if strings.HasSuffix(r.URL.Path, "/token") {
			a.Body = []byte(`{"accessToken":"e","tokenType":"bearer","expiresIn":28800}`)
		}
	})
	r := e.run("", "exec", "x-demandbase", "--", "sh", "-c", "echo hello there")
	const label = "<credwiz:x-demandbase:access_token>"
	if r.code != 0 || r.out != "h"+label+"llo th"+label+"r"+label+"\n" {
		t.Errorf("exec with a 1-character token: exit %d, stdout %q (%s); want every e masked", r.code, r.out, r.err)
	}
	if !strings.Contains(r.err, "warning: the value shown as "+label+" is only 1 character long") {
		t.Errorf("exec did not warn of the short token: %q", r.err)
	}
}

// TestWizardRefusesAShortSecret: the wizard's field check refuses a short
// secret as it is typed (after a pasted "Bearer " is stripped), naming
// the field's title and its minimum.
func TestWizardRefusesAShortSecret(t *testing.T) {
	c, _ := connectors.Lookup("uppromote")
	fd, _ := c.Field("token")
	check := validateInput(fd, modeAdd, func() connectors.Values { return nil })
	err := check("Bearer abc")
	if err == nil || !strings.Contains(err.Error(), "Uppromote Bearer Token is 3 characters long") || !strings.Contains(err.Error(), "at least 8") {
		t.Errorf("a 3-character token = %v; want it refused with the minimum", err)
	}
	if err := check("Bearer abcdefgh"); err != nil {
		t.Errorf("an 8-character token = %v; want it accepted", err)
	}
}
