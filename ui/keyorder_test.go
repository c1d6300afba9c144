package ui

import (
	"strings"
	"testing"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
)

// TestSalesforceTypedAllAtOnce types the answers of the Salesforce wizard
// in two writes, as a paste or a password manager's auto-type does: every
// answer up to the first page that asks a secret (which drops the keys
// typed before it was shown), then, on that page, every answer left,
// over three pages. No key may be lost or land in another field, at field
// or page changes.
func TestSalesforceTypedAllAtOnce(t *testing.T) {
	e := newTestEnv(t)
	em := connectortest.NewSalesforce()
	defer em.Close()
	v := em.Values()
	tr := e.startTerminal(80, 24, "add", "salesforce")
	var keys strings.Builder
	for _, s := range []string{"prod-sf", "ABM sync, owned by RevOps"} {
		keys.WriteString(s + kEnter)
	}
	keys.WriteString(kCtrlU + em.URL() + kEnter) // login URL, replacing the default
	keys.WriteString(kEnter)                     // flow: password
	tr.keys(keys.String())
	tr.waitSecretShown()
	keys.Reset()
	for _, k := range []string{"consumer_key", "consumer_secret", "username", "password", "security_token"} {
		keys.WriteString(v[k] + kEnter)
	}
	keys.WriteString(kEnter) // no advanced settings
	tr.keys(keys.String())
	tr.waitAsk("decide")
	tr.keys(kEnter) // Save
	r := tr.wait()
	if r.code != 0 {
		t.Fatalf("exit %d (%v); stderr:\n%s", r.code, r.err, r.err)
	}
	sec, err := e.secretValuesErr("prod-sf")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"consumer_secret", "password", "security_token"} {
		if sec[k] != v[k] {
			t.Errorf("%s saved as %q, typed %q", k, sec[k], v[k])
		}
	}
	cred, err := e.index().Get("prod-sf")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"consumer_key", "username"} {
		if cred.Fields[k] != v[k] {
			t.Errorf("%s saved as %q, typed %q", k, cred.Fields[k], v[k])
		}
	}
	if cred.Fields["login_url"] != em.URL() || cred.Description != "ABM sync, owned by RevOps" {
		t.Errorf("login_url %q, description %q", cred.Fields["login_url"], cred.Description)
	}
	_ = connectors.All
}
