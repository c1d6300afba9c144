package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
)

// history returns the scrollback and the screen as text.
func (tm *tmuxRun) history() string {
	tm.t.Helper()
	return tm.tmux("capture-pane", "-p", "-t", "e2e", "-S", "-")
}

// lineIndex returns the index of the first line of screen that contains
// text, or -1.
func lineIndex(screen, text string) int {
	return slices.IndexFunc(strings.Split(screen, "\n"), func(l string) bool { return strings.Contains(l, text) })
}

// salesforceKeys is every answer of the Salesforce wizard after the
// connector, with the Enters between them, in two bursts: ahead, typed on
// the name page, is the name page, the login URL (replacing the
// default) and the flow; onSecret, typed once the connected app's page
// (the first that asks a secret, which drops keys typed before it was
// shown) is drawn, is the connected app, the user, and No to the
// advanced settings.
func salesforceKeys(name, desc, url string, v connectors.Values) (ahead, onSecret []string) {
	return []string{
			name, "Enter", desc, "Enter",
			"C-u", url, "Enter",
			"Enter",
		}, []string{
			v["consumer_key"], "Enter", v["consumer_secret"], "Enter",
			v["username"], "Enter", v["password"], "Enter", v["security_token"], "Enter",
			"Enter",
		}
}

// typeSalesforce types salesforceKeys: the first burst, then the second
// once the connected app's page is drawn.
func (tm *tmuxRun) typeSalesforce(name, desc, url string, v connectors.Values) {
	tm.t.Helper()
	ahead, onSecret := salesforceKeys(name, desc, url, v)
	tm.typeKeys(ahead...)
	tm.waitFocus("Consumer Key")
	tm.typeKeys(onSecret...)
}

// TestWizardSalesforceTypedAtOnceTmux types the whole Salesforce answer
// set in two bursts (the second on the first page that asks a secret),
// no other pause, at 80×24: every value must be saved exactly (the
// emulator accepts only the exact secrets).
func TestWizardSalesforceTypedAtOnceTmux(t *testing.T) {
	requireTmux(t)
	requireKeychain(t)
	t.Parallel()
	em := startEmulator(t, "salesforce").(*connectortest.Salesforce)
	v := em.Values()
	sb := newSandbox(t, keychainStore)
	name := credName(t, "fast")
	cleanKeychain(t, name)
	const desc = "typed with no pauses"

	tm := startTmuxSized(t, sb, 80, 24, "add", "salesforce")
	tm.waitFocus("Credential Name")
	tm.typeSalesforce(name, desc, em.URL(), v)
	result := tm.waitText("What next?", "Connected to Salesforce")
	tm.logScreen("Salesforce typed at once, the result", result)
	tm.keys("Enter")
	if code := tm.waitExit(); code != 0 {
		t.Fatalf("exit %d; last screen:\n%s", code, tm.last())
	}
	cr, ok := find(sb.list(), name)
	if !ok {
		t.Fatalf("%s not saved", name)
	}
	for k, want := range map[string]string{"login_url": em.URL(), "consumer_key": v["consumer_key"], "username": v["username"], "flow": "password"} {
		if cr.Fields[k] != want {
			t.Errorf("%s saved as %q, typed %q", k, cr.Fields[k], want)
		}
	}
	if cr.Description != desc {
		t.Errorf("description saved as %q, typed %q", cr.Description, desc)
	}
	got, _ := keychainSecrets(t, name)
	for _, k := range []string{"consumer_secret", "password", "security_token"} {
		if got[k] != v[k] {
			t.Errorf("secret %s is not what was typed (lengths %d, %d)", k, len(got[k]), len(v[k]))
		}
	}
}

// TestWizardResultAt60x20Tmux: at 60×20 the verdict heads the choices, on
// screen, for a failure and for a success; the whole report (the account,
// the permission checklist) is in the scrollback, lines wrapped at spaces.
func TestWizardResultAt60x20Tmux(t *testing.T) {
	requireTmux(t)
	requireKeychain(t)
	t.Parallel()
	em := startEmulator(t, "salesforce").(*connectortest.Salesforce)
	v := em.Values()
	good := v["password"]
	v["password"] = "Wrong-Password-1"
	sb := newSandbox(t, keychainStore)
	name := credName(t, "narrow")
	cleanKeychain(t, name)

	tm := startTmuxSized(t, sb, 60, 20, "add", "salesforce")
	tm.waitFocus("Credential Name")
	tm.typeSalesforce(name, "", em.URL(), v)
	failed := tm.waitText("What next?", "Save anyway")
	tm.logScreen("The failure at 60×20", failed)
	verdictNextToMenu(t, failed, "✗ Test failed: credentials rejected")
	if h := tm.history(); !strings.Contains(h, "Salesforce rejected the credentials") {
		t.Errorf("the explanation is not in the scrollback:\n%s", h)
	}

	// Edit values: the connected app pages come back; fix the password.
	tm.keys("Down")
	tm.waitText("> Edit values")
	tm.keys("Enter")
	tm.waitFocus("Login URL")
	tm.keys("Enter", "Enter", "Enter", "Enter") // URL, flow, consumer key and secret as typed
	tm.waitFocus("Username")
	tm.typeKeys("Enter", "C-u", good, "Enter", "Enter")
	tm.waitFocus("Edit advanced settings?")
	tm.keys("Enter")
	ok := tm.waitText("What next?", "> Save")
	tm.logScreen("The success at 60×20", ok)
	verdictNextToMenu(t, ok, "✓ Connected to Salesforce")
	h := tm.history()
	for _, want := range []string{"Account:", v["username"], "Access (", "✓ Account", "✓ Opportunity"} {
		if !strings.Contains(h, want) {
			t.Errorf("the scrollback lacks %q", want)
		}
	}
	for _, l := range strings.Split(h, "\n") {
		if len([]rune(strings.TrimRight(l, " "))) > 60 {
			t.Errorf("a line wider than the terminal: %q", l)
		}
		if strings.HasSuffix(strings.TrimSpace(l), "✓") {
			t.Errorf("a checklist item split from its name: %q", l)
		}
	}
	tm.keys("Enter")
	if code := tm.waitExit(); code != 0 {
		t.Fatalf("exit %d", code)
	}
}

// verdictNextToMenu checks that the verdict is on screen right above the
// question.
func verdictNextToMenu(t *testing.T, screen, verdict string) {
	t.Helper()
	vi, qi := lineIndex(screen, verdict), lineIndex(screen, "What next?")
	if vi < 0 || qi != vi+1 {
		t.Errorf("the verdict %q is not right above the choices (lines %d, %d):\n%s", verdict, vi, qi, screen)
	}
}

// TestWizardEscBackTmux goes back with Esc from the Base URL to the
// connector picker, one step at a time: every step shows what was typed;
// forward again, the credential is saved with it.
func TestWizardEscBackTmux(t *testing.T) {
	requireTmux(t)
	requireKeychain(t)
	t.Parallel()
	c, _ := connectors.Lookup("drift")
	em := startEmulator(t, "drift")
	key := em.Values()["api_key"]
	sb := newSandbox(t, keychainStore)
	name := credName(t, "back")
	cleanKeychain(t, name)
	const desc = "kept through Esc"

	tm := startTmuxSized(t, sb, 80, 24, "add")
	tm.pickConnector(c)
	tm.fillInput("Credential Name", name, showsInput(name))
	tm.fillInput("Credential Description", desc, showsInput(desc))
	tm.fillInput("API Key Value", key, showsMask(len(key)))
	tm.waitFocus("Base URL")
	tm.keys("Escape")
	s := tm.waitFocus("API Key Value")
	tm.logScreen("Esc 1: back to the API key, still typed", s)
	if !showsMask(len(key))(s) {
		t.Errorf("the key typed is gone after Esc:\n%s", s)
	}
	tm.keys("Escape")
	s = tm.waitFocus("Credential Name")
	tm.logScreen("Esc 2: back to the name page", s)
	if !strings.Contains(s, "> "+name) || !strings.Contains(s, "> "+desc) {
		t.Errorf("the name page lost what was typed:\n%s", s)
	}
	tm.keys("Escape")
	s = tm.waitText("Which system is this credential for?")
	tm.logScreen("Esc 3: back to the connector picker", s)
	if !strings.Contains(s, "> Drift") {
		t.Errorf("the picker does not show Drift chosen:\n%s", s)
	}
	tm.keys("Enter")
	tm.waitFocus("Credential Name")
	tm.keys("Enter", "Enter")
	tm.waitFocus("API Key Value")
	tm.keys("Enter")
	tm.waitFocus("Base URL")
	tm.typeKeys("C-u", em.URL(), "Enter")
	tm.waitText("What next?", "Connected to Drift")
	tm.keys("Enter")
	if code := tm.waitExit(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	cr, ok := find(sb.list(), name)
	got, _ := keychainSecrets(t, name)
	if !ok || cr.Description != desc || got["api_key"] != key {
		t.Errorf("saved %+v (found %v), key kept %v", cr, ok, got["api_key"] == key)
	}
}

// TestWizardEscFirstStepTmux: Esc on the first step after typing asks
// "Discard this credential?"; No (the default) keeps the page as typed;
// Esc and y leave with 130 and nothing saved.
func TestWizardEscFirstStepTmux(t *testing.T) {
	requireTmux(t)
	requireKeychain(t)
	t.Parallel()
	sb := newSandbox(t, keychainStore)
	name := credName(t, "ask")
	cleanKeychain(t, name)
	tm := startTmuxSized(t, sb, 60, 20, "add", "drift")
	tm.waitFocus("Credential Name")
	tm.typeText(name)
	tm.waitFor("the name typed", showsInput(name))
	tm.keys("Escape")
	s := tm.waitText("Discard this credential?")
	tm.logScreen("Esc on the first step", s)
	tm.keys("Enter")
	s = tm.waitFocus("Credential Name")
	if !showsInput(name)(s) {
		t.Errorf("after No, the name is gone:\n%s", s)
	}
	tm.keys("Escape")
	tm.waitText("Discard this credential?")
	tm.keys("y")
	if code := tm.waitExit(); code != 130 {
		t.Errorf("exit %d, want 130", code)
	}
	if creds := sb.list(); len(creds) != 0 {
		t.Errorf("saved %v", names(creds))
	}
	assertNoKeychainItems(t, name)
}

// TestWizardCtrlCTmux: Ctrl-C on every step, during the test and on the
// decision ends credwiz with 130 and saves nothing.
func TestWizardCtrlCTmux(t *testing.T) {
	requireTmux(t)
	requireKeychain(t)
	t.Parallel()
	c, _ := connectors.Lookup("drift")
	for _, at := range []string{"picker", "name", "key", "test", "decision"} {
		t.Run(at, func(t *testing.T) {
			t.Parallel()
			em := startEmulator(t, "drift")
			key := em.Values()["api_key"]
			if at == "test" {
				em.Faults().Hang(true)
			}
			sb := newSandbox(t, keychainStore)
			name := credName(t, "cc")
			cleanKeychain(t, name)
			tm := startTmuxSized(t, sb, 80, 24, "add")
			func() {
				tm.waitText("Which system is this credential for?")
				if at == "picker" {
					return
				}
				tm.pickConnector(c)
				tm.fillInput("Credential Name", name, showsInput(name))
				tm.fillInput("Credential Description", "", showsInput(""))
				tm.waitFocus("API Key Value")
				tm.typeText(key[:8])
				tm.waitFor("part of the key", showsMask(8))
				if at == "key" {
					return
				}
				tm.typeKeys(key[8:], "Enter", "C-u", em.URL(), "Enter")
				if at == "test" {
					tm.waitText("Testing the Drift credential")
					return
				}
				tm.waitText("What next?")
			}()
			tm.keys("C-c")
			if code := tm.waitExit(); code != 130 {
				t.Errorf("Ctrl-C at %s: exit %d, want 130", at, code)
			}
			if creds := sb.list(); len(creds) != 0 {
				t.Errorf("Ctrl-C at %s saved %v", at, names(creds))
			}
			assertNoKeychainItems(t, name)
		})
	}
}

// TestHomeEscTmux: Esc in the wizard's first step returns to the home
// menu; Esc there leaves (130).
func TestHomeEscTmux(t *testing.T) {
	requireTmux(t)
	requireKeychain(t)
	t.Parallel()
	sb := newSandbox(t, keychainStore)
	tm := startTmuxSized(t, sb, 80, 24)
	tm.waitText("What would you like to do?", "Add credential")
	tm.keys("Enter")
	tm.waitText("Which system is this credential for?")
	tm.keys("Escape")
	tm.waitText("Cancelled; nothing was changed.", "What would you like to do?")
	tm.keys("Escape")
	if code := tm.waitExit(); code != 130 {
		t.Errorf("exit %d, want 130", code)
	}
}

// TestPickerTmux: show without NAME at a terminal opens the picker, with
// the connector and last test of each; choosing one shows it.
func TestPickerTmux(t *testing.T) {
	requireTmux(t)
	requireKeychain(t)
	t.Parallel()
	em := startEmulator(t, "drift")
	c, _ := connectors.Lookup("drift")
	sb := newSandbox(t, keychainStore)
	var made []string
	for _, what := range []string{"pa", "pb"} {
		name := credName(t, what)
		cleanKeychain(t, name)
		fields, secrets := split(c, em.Values())
		sb.must(stdinLines(secrets), addArgs("drift", name, fields, "--secrets-stdin")...)
		made = append(made, name)
	}
	tm := startTmuxSized(t, sb, 60, 20, "show")
	s := tm.waitText("Show which credential?", made[0], made[1])
	tm.logScreen("The picker of show", s)
	if !strings.Contains(s, "drift") || !strings.Contains(s, "✓ tested") {
		t.Errorf("the picker does not show the connector and last test:\n%s", s)
	}
	tm.keys("Down")
	tm.waitText("> " + made[1])
	tm.keys("Enter")
	if code := tm.waitExit(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(tm.last(), made[1]) {
		t.Errorf("show did not show %s:\n%s", made[1], tm.last())
	}
	_ = time.Second
}

// TestWizardTypedAheadBeforeStartTmux types every answer of the Drift
// wizard before credwiz starts (the shell still busy, as while `go run`
// compiles): the terminal is in its cooked mode then, and turns each
// Enter into a line feed. The name and the description must still land
// in their own fields; the key's page, the first that asks a secret,
// drops the key and URL typed ahead (the terminal showed them), so they
// are typed again there.
func TestWizardTypedAheadBeforeStartTmux(t *testing.T) {
	requireTmux(t)
	requireKeychain(t)
	t.Parallel()
	em := startEmulator(t, "drift")
	key := em.Values()["api_key"]
	sb := newSandbox(t, keychainStore)
	name := credName(t, "ahead")
	cleanKeychain(t, name)
	const desc = "typed ahead"

	gate := filepath.Join(sb.root, "gate")
	tm := startTmuxAfter(t, sb, 100, 30, "while [ ! -e "+shellQuote(gate)+" ]; do sleep 0.05; done", "add", "drift")
	tm.waitText("$ credwiz add drift")
	tm.typeKeys(name, "Enter", desc, "Enter", "stale-typed-ahead-key", "Enter", "http://127.0.0.1:9", "Enter")
	if err := os.WriteFile(gate, nil, 0o600); err != nil { // credwiz starts now
		t.Fatal(err)
	}
	tm.waitFocus("API Key Value")
	tm.typeKeys(key, "Enter", "C-u", em.URL(), "Enter")
	s := tm.waitText("What next?", "Connected to Drift")
	tm.logScreen("Typed ahead, the result", s)
	if strings.Contains(tm.history(), "invalid credential name") {
		t.Errorf("answers were glued into the name:\n%s", tm.history())
	}
	tm.keys("Enter")
	if code := tm.waitExit(); code != 0 {
		t.Fatalf("exit %d; last screen:\n%s", code, tm.last())
	}
	cr, ok := find(sb.list(), name)
	got, _ := keychainSecrets(t, name)
	if !ok || cr.Description != desc || cr.Fields["base_url"] != em.URL() || got["api_key"] != key {
		t.Errorf("saved %+v (found %v), key as typed %v", cr, ok, got["api_key"] == key)
	}
}

// TestWizardTypedAheadNewPassphraseTmux: on the first add to the file
// store (no store yet), the new store's passphrase page comes first. A
// name and a description typed before credwiz started (echoed by the
// terminal) must not become the passphrase: the page starts empty, and
// the store opens with the passphrase typed on it.
func TestWizardTypedAheadNewPassphraseTmux(t *testing.T) {
	requireTmux(t)
	t.Parallel()
	em := startEmulator(t, "drift")
	key := em.Values()["api_key"]
	sb := newSandbox(t, fileStore)
	var pass string
	asked := *sb // no CREDWIZ_PASSPHRASE: the wizard asks for a new one
	asked.env = nil
	for _, kv := range sb.env {
		if p, ok := strings.CutPrefix(kv, "CREDWIZ_PASSPHRASE="); ok {
			pass = p
		} else {
			asked.env = append(asked.env, kv)
		}
	}
	const name = "ta-drift"

	gate := filepath.Join(sb.root, "gate")
	tm := startTmuxAfter(t, &asked, 100, 30, "while [ ! -e "+shellQuote(gate)+" ]; do sleep 0.05; done", "add", "drift")
	tm.waitText("$ credwiz add drift")
	tm.typeKeys(name, "Enter", "typed ahead", "Enter")
	if err := os.WriteFile(gate, nil, 0o600); err != nil { // credwiz starts now
		t.Fatal(err)
	}
	s := tm.waitFocus("Passphrase of the new")
	tm.logScreen("The new passphrase page after typing ahead", s)
	if strings.Contains(s, "> *") {
		t.Errorf("keys typed ahead went into the passphrase:\n%s", s)
	}
	tm.typeKeys(pass, "Enter")
	tm.waitFocus("The same passphrase again")
	tm.typeKeys(pass, "Enter")
	tm.fillInput("Credential Name", name, showsInput(name))
	tm.fillInput("Credential Description", "", showsInput(""))
	tm.fillInput("API Key Value", key, showsMask(len(key)))
	tm.waitFocus("Base URL")
	tm.typeKeys("C-u", em.URL(), "Enter")
	tm.waitText("What next?", "Connected to Drift")
	tm.keys("Enter")
	if code := tm.waitExit(); code != 0 {
		t.Fatalf("exit %d; last screen:\n%s", code, tm.last())
	}
	cr, ok := find(sb.list(), name)
	if !ok || cr.Description != "" {
		t.Errorf("saved %+v (found %v)", cr, ok)
	}
	if r := sb.run("", "token", name); strings.TrimSpace(r.stdout) != key { // with CREDWIZ_PASSPHRASE = the passphrase typed
		t.Errorf("the store does not open with the passphrase typed on its page: %s", r)
	}
}
