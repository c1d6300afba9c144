package main

import (
	"strings"
	"testing"
	"time"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
	"github.com/credwiz/credwiz/store"
)

// TestWizardSalesforceReauthTmux drives the interactive Salesforce re-auth
// end to end in tmux, against the Salesforce emulator and the real Secret
// Service: the password is changed on the server, credwiz test fails and
// names credwiz reauth, the re-auth form (guide, Consumer Secret, Username
// pre-filled, Password, Security Token) logs in and shows the permission
// checklist, and Save replaces the secrets in the keychain and drops the
// cached token.
func TestWizardSalesforceReauthTmux(t *testing.T) {
	requireTmux(t)
	requireKeychain(t)
	t.Parallel()
	c, _ := connectors.Lookup("salesforce")
	em := startEmulator(t, "salesforce").(*connectortest.Salesforce)
	sb := newSandbox(t, keychainStore)
	name := credName(t, "sf")
	cleanKeychain(t, name)
	fields, secrets := split(c, em.Values())
	sb.must(stdinLines(secrets), addArgs("salesforce", name, fields, "--secrets-stdin")...)
	sb.must("", "token", name) // a cached token, which the re-auth must drop
	if _, ok := lookupKeychain(t, store.TokenService, name); !ok {
		t.Fatal("no cached token after credwiz token")
	}

	const newPassword, newToken = "Winter-Reauth-2027!", "ReauthTok7Qx9Lm2Pz"
	em.SetPassword(em.Username(), newPassword, newToken)
	em.RemoveObject("Report") // optional: a warning in the checklist, not a failure
	r := sb.runNoFatal("", "test", name)
	if r.code != 1 || !strings.Contains(r.stdout, "credwiz reauth "+name) {
		t.Fatalf("test after the password change should fail and name credwiz reauth %s:\n%s", name, r)
	}

	start := time.Now().UTC().Truncate(time.Second)
	tm := startTmux(t, sb, "reauth", name)
	guide := tm.waitText("Re-authenticate", "Manage Consumer Details", "I have the new values")
	tm.logScreen("The re-auth guide", guide)
	tm.keys("Enter")
	tm.fillInput("Consumer Secret", secrets["consumer_secret"], showsMask(len(secrets["consumer_secret"])))
	tm.waitFocus("Username")
	if !strings.Contains(tm.capture(), em.Username()) {
		t.Errorf("the username is not pre-filled:\n%s", tm.last())
	}
	tm.keys("Enter")
	tm.fillInput("Password", newPassword, showsMask(len(newPassword)))
	tm.fillInput("Security Token", newToken, showsMask(len(newToken)))

	result := tm.waitText("What next?")
	tm.logScreen("The Salesforce re-auth result with the permission checklist", result)
	for _, want := range []string{"Connected to Salesforce", "required", "✓ Account", "✓ Lead", "! Report (optional)", "> Save"} {
		if !strings.Contains(result, want) {
			t.Errorf("the result screen does not show %q", want)
		}
	}
	tm.keys("Enter")
	if code := tm.waitExit(); code != 0 {
		t.Fatalf("reauth exited %d; last screen:\n%s", code, tm.last())
	}
	tm.logScreen("After Save", tm.last())
	for i, s := range tm.screens {
		for _, secret := range []string{newPassword, newToken, secrets["consumer_secret"]} {
			if containsPiece(s, secret, leakWindow) {
				t.Errorf("screen %d shows a secret (or a piece of it)", i+1)
			}
		}
	}

	got, ok := keychainSecrets(t, name)
	if !ok || got["password"] != newPassword || got["security_token"] != newToken || got["consumer_secret"] != secrets["consumer_secret"] {
		t.Errorf("the keychain does not hold the new secrets (found %v, keys %v)", ok, sortedKeys(got))
	}
	if _, ok := lookupKeychain(t, store.TokenService, name); ok {
		t.Error("the cached token survived the re-auth")
	}
	after, _ := find(sb.list(), name)
	if after.SecretsUpdatedAt.Before(start) || after.LastTest == nil || !after.LastTest.OK {
		t.Errorf("list after reauth: secrets_updated_at %v (re-auth started %v), last_test %+v", after.SecretsUpdatedAt, start, after.LastTest)
	}
	sb.must("", "test", name)
}
