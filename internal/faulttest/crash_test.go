//go:build unix

package faulttest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/credwiz/credwiz/connectors/connectortest"
	"github.com/credwiz/credwiz/store"
)

// crashOp is a writing command the crash tests kill, and what it changes.
// Its credential is called a before and b after a rename; it holds the
// description "old" and the old secret before, "new" (when the command
// sets one) and the new secret (when it sets one) after.
type crashOp struct {
	creates   bool // add: there is no credential before
	renames   bool // a is renamed to b
	newDesc   bool // the description becomes "new"
	newSecret bool // the secret becomes the new one
	deletes   bool // rm
}

// crashOps are the commands that write, by name: add, edit of the
// description alone, edit with a rename, edit with a new secret (with and
// without a rename), reauth and rm.
var crashOps = map[string]crashOp{
	"add":                {creates: true, newDesc: true, newSecret: true},
	"edit":               {newDesc: true},
	"edit-rename":        {renames: true, newDesc: true},
	"edit-secret":        {newDesc: true, newSecret: true},
	"edit-rename-secret": {renames: true, newDesc: true, newSecret: true},
	"reauth":             {newSecret: true},
	"rm":                 {deletes: true},
}

// args returns op's command line and stdin for credential a (b after a
// rename) of connector cn, with secret as the new secret.
func (op crashOp) args(name string, cn *crashConn, a, b, secret string) ([]string, string) {
	stdin := stdinOf(cn.key, secret)
	switch name {
	case "add":
		return cn.addArgs(a, "new"), stdin
	case "edit":
		return []string{"edit", a, "--description", "new"}, ""
	case "edit-rename":
		return []string{"edit", a, "--name", b, "--description", "new"}, ""
	case "edit-secret":
		return []string{"edit", a, "--description", "new", "--secrets-stdin"}, stdin
	case "edit-rename-secret":
		return []string{"edit", a, "--name", b, "--description", "new", "--secrets-stdin"}, stdin
	case "reauth":
		return []string{"reauth", a, "--secrets-stdin"}, stdin
	case "rm":
		return []string{"rm", a, "--yes"}, ""
	}
	panic("unknown crash op " + name)
}

// crashCase is one command killed at the nth passage (0 means the first)
// through one step of the store's write protocol, and what must hold
// afterwards.
type crashCase struct {
	op   string
	step store.Step
	nth  int
	// committed: the change is saved (the kill came after its commit
	// point); otherwise everything is as before.
	committed bool
	// unfinished: the credential's new secret sits in its staged item,
	// which doctor --fix moves to the canonical one.
	unfinished bool
	// orphans are the leftovers doctor must report, as it names them;
	// {id} stands for the config dir ID.
	orphans []string
}

// crashCases are every step of every writing command, in the order the
// command passes them. The credential is "cred-a"; a rename makes it
// "cred-b". Before every command but add, cred-a was saved (revision 1)
// and a token cached for it, so a change's staged item is revision 2's.
// TestKillStepsCoverEveryStep proves the list complete.
var crashCases = []crashCase{
	{op: "add", step: store.StepIDCommitted},
	{op: "add", step: store.StepSecretWritten, orphans: []string{"secret cred-a"}},
	{op: "add", step: store.StepIndexCommitted, committed: true},

	{op: "edit", step: store.StepIndexCommitted, committed: true},

	{op: "edit-rename", step: store.StepSecretWritten, orphans: []string{"secret cred-b"}},
	{op: "edit-rename", step: store.StepIndexCommitted, committed: true, orphans: []string{"secret cred-a", "cached token cred-a"}},
	{op: "edit-rename", step: store.StepOldSecretDeleted, committed: true, orphans: []string{"cached token cred-a"}},
	{op: "edit-rename", step: store.StepTokenDeleted, committed: true},

	{op: "edit-secret", step: store.StepSecretStaged, orphans: []string{"secret cred-a#r2@{id}"}},
	{op: "edit-secret", step: store.StepIndexCommitted, committed: true, unfinished: true, orphans: []string{"cached token cred-a"}},
	{op: "edit-secret", step: store.StepSecretWritten, committed: true, unfinished: true, orphans: []string{"cached token cred-a"}},
	{op: "edit-secret", step: store.StepIndexSettled, committed: true, orphans: []string{"secret cred-a#r2@{id}", "cached token cred-a"}},
	{op: "edit-secret", step: store.StepStagedDeleted, committed: true, orphans: []string{"cached token cred-a"}},
	{op: "edit-secret", step: store.StepTokenDeleted, committed: true},

	{op: "edit-rename-secret", step: store.StepSecretWritten, orphans: []string{"secret cred-b"}},
	{op: "edit-rename-secret", step: store.StepIndexCommitted, committed: true, orphans: []string{"secret cred-a", "cached token cred-a"}},
	{op: "edit-rename-secret", step: store.StepOldSecretDeleted, committed: true, orphans: []string{"cached token cred-a"}},
	{op: "edit-rename-secret", step: store.StepTokenDeleted, committed: true},

	{op: "reauth", step: store.StepSecretStaged, orphans: []string{"secret cred-a#r2@{id}"}},
	{op: "reauth", step: store.StepIndexCommitted, committed: true, unfinished: true, orphans: []string{"cached token cred-a"}},
	{op: "reauth", step: store.StepSecretWritten, committed: true, unfinished: true, orphans: []string{"cached token cred-a"}},
	{op: "reauth", step: store.StepIndexSettled, committed: true, orphans: []string{"secret cred-a#r2@{id}", "cached token cred-a"}},
	{op: "reauth", step: store.StepStagedDeleted, committed: true, orphans: []string{"cached token cred-a"}},
	{op: "reauth", step: store.StepTokenDeleted, committed: true},

	{op: "rm", step: store.StepIndexCommitted, committed: true, orphans: []string{"secret cred-a", "cached token cred-a"}},
	{op: "rm", step: store.StepOldSecretDeleted, committed: true, orphans: []string{"cached token cred-a"}},
	{op: "rm", step: store.StepTokenDeleted, committed: true},
}

// String names the case for a subtest: "edit-secret@index-committed".
func (cc crashCase) String() string {
	s := cc.op + "@" + string(cc.step)
	if cc.nth > 0 {
		s += fmt.Sprintf("#%d", cc.nth+1)
	}
	return s
}

// listed returns the credentials the index must hold after the kill.
func (cc crashCase) listed() []string {
	op := crashOps[cc.op]
	switch {
	case !cc.committed && op.creates, cc.committed && op.deletes:
		return nil
	case cc.committed && op.renames:
		return []string{"cred-b"}
	}
	return []string{"cred-a"}
}

// wantOrphans returns cc's orphans for config dir id, without the cached
// tokens when the connector caches none.
func (cc crashCase) wantOrphans(id string, tokens bool) []string {
	var out []string
	for _, o := range cc.orphans {
		if !tokens && strings.HasPrefix(o, "cached token ") {
			continue
		}
		out = append(out, strings.ReplaceAll(o, "{id}", id))
	}
	slices.Sort(out)
	return out
}

// crashConn is the connector a crash test saves, with its emulator.
type crashConn struct {
	id  string // connector ID
	key string // its one secret field
	em  connectortest.Emulator
	// fields are its --field arguments.
	fields []string
	// accept makes the emulator accept exactly secret from now on.
	accept func(secret string)
	// caches: credwiz token caches an access token (OAuth), so that
	// commands that change values leave a stale one to drop.
	caches bool
}

// demandbaseConn is an OAuth connector: token caches an access token.
func demandbaseConn(t *testing.T) *crashConn {
	em := connectortest.NewDemandbase()
	t.Cleanup(em.Close)
	v := em.Values()
	return &crashConn{id: "demandbase", key: "client_secret", em: em, caches: true,
		fields: []string{"base_url=" + em.URL(), "client_id=" + v["client_id"]},
		accept: em.SetSecret}
}

// driftConn is a static-key connector: token prints the stored key.
func driftConn(t *testing.T) *crashConn {
	em := connectortest.NewDrift()
	t.Cleanup(em.Close)
	return &crashConn{id: "drift", key: "api_key", em: em,
		fields: []string{"base_url=" + em.URL()}, accept: em.SetToken}
}

// addArgs is a scripted add of name with description desc; the secret
// comes on stdin.
func (cn *crashConn) addArgs(name, desc string, extra ...string) []string {
	args := []string{"add", cn.id, "--name", name, "--description", desc, "--secrets-stdin"}
	for _, f := range cn.fields {
		args = append(args, "--field", f)
	}
	return append(args, extra...)
}

// crashSetup saves, for every op but add, credential a with description
// "old" and secret oldSecret (tested live) and caches a token for it; then
// it makes the emulator accept newSecret, which the command saves.
func crashSetup(sb *sandbox, cn *crashConn, op crashOp, a, oldSecret, newSecret string) {
	sb.t.Helper()
	if !op.creates {
		cn.accept(oldSecret)
		sb.must(stdinOf(cn.key, oldSecret), cn.addArgs(a, "old")...)
		if cn.caches {
			tok := sb.must("", "token", a)
			sb.secret(strings.TrimSpace(tok.stdout))
		}
	}
	cn.accept(newSecret)
}

// TestKillAtEveryStep SIGKILLs add, edit (description; rename; new
// secret; rename with a new secret), reauth and rm at every step of the
// store's write protocol, with the keychain store against a real Secret
// Service, a second config dir sharing it. After each kill the invariants
// of the store package hold: the index parses; each credential is one
// consistent pair, the old one before the commit point and the new one
// after (its description marker, its secret value and the owner revision
// of the item it refers to agree); the other config dir's item is
// untouched; doctor reports exactly the leftovers the step leaves and the
// unfinished write; doctor --fix finishes and removes them and nothing
// else, leaving the canonical item readable with secret-tool; and later
// commands work, the interrupted one included.
func TestKillAtEveryStep(t *testing.T) {
	t.Parallel()
	for _, cc := range crashCases {
		t.Run(cc.String(), func(t *testing.T) {
			t.Parallel()
			bus := startSecretService(t)
			cn := demandbaseConn(t)
			oldSecret, newSecret := cn.em.Values()[cn.key], "dbsecret-rotated-"+randomHex(12)

			// Another config dir on the same keychain, with a credential
			// of its own (and a vendor of its own).
			other, on := newSandbox(t, "keychain", bus), demandbaseConn(t)
			theirSecret := on.em.Values()[on.key]
			other.secret(theirSecret)
			other.must(stdinOf(on.key, theirSecret), on.addArgs("cred-z", "theirs", "--no-test")...)
			theirs, _ := keychainGet(t, bus, store.SecretService, "cred-z")

			sb := newSandbox(t, "keychain", bus)
			sb.secret(oldSecret, newSecret)
			op := crashOps[cc.op]
			crashSetup(sb, cn, op, "cred-a", oldSecret, newSecret)
			args, stdin := op.args(cc.op, cn, "cred-a", "cred-b", newSecret)
			sb.killAt(cc.step, cc.nth, stdin, args...)

			keychainPair := func(t *testing.T, c indexCred, id, want string, settled bool) {
				t.Helper()
				acct := c.SecretAccount()
				if settled {
					acct = c.Name
				}
				e, ok := keychainGet(t, bus, store.SecretService, acct)
				switch {
				case !ok:
					t.Errorf("%s: its secret item %q is not in the keychain", c.Name, acct)
				case e.Value[cn.key] != want:
					t.Errorf("%s (description %q, secret revision %d): item %q holds the %s secret", c.Name, c.Description, c.SecretRevision, acct, which(e.Value[cn.key], oldSecret, newSecret))
				case e.Owner != (store.Owner{Dir: id, Rev: c.SecretRevision}):
					t.Errorf("%s: item %q has owner %q, want %s/%d", c.Name, acct, e.Owner, id, c.SecretRevision)
				}
				if settled {
					if m := keychainSecret(t, bus, c.Name); m[cn.key] != want {
						t.Errorf("secret-tool lookup service credwiz username %s does not print its current secret", c.Name)
					}
				}
			}
			checkAfterKill(t, sb, cn, cc, oldSecret, newSecret, keychainPair)

			if got, _ := keychainGet(t, bus, store.SecretService, "cred-z"); !equalEntry(got, theirs) {
				t.Errorf("the other config dir's item cred-z changed")
			}
			if r := other.must("", "token", "cred-z"); strings.TrimSpace(r.stdout) == "" {
				t.Errorf("the other config dir's credential no longer works")
			}
			want := append(sb.names(), "cred-z")
			if got := keychainAccounts(t, bus, store.SecretService); !sameSet(got, want) {
				t.Errorf("after doctor --fix the keychain holds the secret items %v, want %v", got, want)
			}
			for _, tok := range keychainAccounts(t, bus, store.TokenService) {
				if tok != "cred-z" && !slices.Contains(sb.names(), tok) {
					t.Errorf("after doctor --fix the keychain holds a cached token of %s, which is not saved", tok)
				}
			}
		})
	}
}

// TestKillAtStepFileStore is the same with the encrypted file store, for
// the kinds of leftover a kill leaves (its scrypt costs about a second per
// process, so only these): a new credential's item, an unfinished write,
// a staged item after it settled, a renamed credential's old item, a
// deleted credential's item. The connector has a static key: credwiz
// token prints the secret the index refers to.
func TestKillAtStepFileStore(t *testing.T) {
	t.Parallel()
	for _, cc := range crashCases {
		switch cc.String() {
		case "add@secret-written", "edit-secret@index-committed", "reauth@index-settled",
			"edit-rename-secret@index-committed", "rm@index-committed":
		default:
			continue
		}
		t.Run(cc.String(), func(t *testing.T) {
			t.Parallel()
			sb := newSandbox(t, "file", "")
			cn := driftConn(t)
			oldSecret, newSecret := cn.em.Values()[cn.key], "drift-rotated-"+randomHex(12)
			sb.secret(oldSecret, newSecret)
			op := crashOps[cc.op]
			crashSetup(sb, cn, op, "cred-a", oldSecret, newSecret)
			args, stdin := op.args(cc.op, cn, "cred-a", "cred-b", newSecret)
			sb.killAt(cc.step, cc.nth, stdin, args...)
			checkAfterKill(t, sb, cn, cc, oldSecret, newSecret, func(t *testing.T, c indexCred, _, want string, _ bool) {
				t.Helper()
				if r := sb.must("", "token", c.Name); strings.TrimSpace(r.stdout) != want {
					t.Errorf("%s (description %q, secret revision %d): the encrypted file holds the %s secret for it", c.Name, c.Description, c.SecretRevision, which(strings.TrimSpace(r.stdout), oldSecret, newSecret))
				}
			})
		})
	}
}

// which names secret for a failure message, never showing it.
func which(secret, oldSecret, newSecret string) string {
	switch secret {
	case oldSecret:
		return "old"
	case newSecret:
		return "new"
	case "":
		return "empty"
	}
	return "unknown"
}

// equalEntry reports whether two keychain entries are the same.
func equalEntry(a, b keychainEntry) bool {
	return a.Owner == b.Owner && fmt.Sprint(a.Value) == fmt.Sprint(b.Value)
}

// names returns the sorted names of the sandbox's index.
func (s *sandbox) names() []string { return names(s.readIndex()) }

// pairCheck checks that credential c of config dir id is one pair with
// the secret want; settled asks for its canonical item (after doctor
// --fix), not the item its metadata refers to.
type pairCheck func(t *testing.T, c indexCred, id, want string, settled bool)

// checkAfterKill checks a config dir after the kill of case cc: the index
// parses and lists what cc says, list --json and show --json agree, each
// credential is one pair (old or new as cc says, checked by pair); doctor
// reports exactly cc's leftovers and unfinished write and no credential
// without its secret; doctor --fix finishes and removes them, a second
// doctor is clean, and the pairs stand; the credentials work (a live
// test and a token with the secret the pair holds), and the interrupted
// command, run again, succeeds.
func checkAfterKill(t *testing.T, sb *sandbox, cn *crashConn, cc crashCase, oldSecret, newSecret string, pair pairCheck) {
	t.Helper()
	op := crashOps[cc.op]
	listed := cc.listed()
	head, idx := sb.readIndexFile()
	if got := names(idx); !slices.Equal(got, listed) {
		t.Fatalf("after the kill the index lists %v, want %v", got, listed)
	}
	sb.checkNoStrayFiles()
	wantDesc, wantSecret := "old", oldSecret
	if cc.committed || op.creates {
		if op.newDesc {
			wantDesc = "new"
		}
		if op.newSecret {
			wantSecret = newSecret
		}
	}
	for _, n := range listed {
		c := idx[n]
		if c.Description != wantDesc {
			t.Errorf("%s: description %q, want %q", n, c.Description, wantDesc)
		}
		if unfinished := c.SecretItem != ""; unfinished != cc.unfinished {
			t.Errorf("%s: secret_item %q; want an unfinished write: %v", n, c.SecretItem, cc.unfinished)
		}
		pair(t, c, head.ID, wantSecret, false)
	}

	r := sb.must("", "list", "--json")
	var list []struct{ Name, Description string }
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil {
		t.Fatalf("list --json: %v\n%s", err, r)
	}
	var got []string
	for _, c := range list {
		got = append(got, c.Name)
	}
	if !slices.Equal(got, listed) {
		t.Errorf("list --json shows %v, want %v", got, listed)
	}
	for _, n := range listed {
		r := sb.must("", "show", n, "--json")
		var shown struct{ Secrets map[string]string }
		if err := json.Unmarshal([]byte(r.stdout), &shown); err != nil {
			t.Fatalf("show --json: %v\n%s", err, r)
		}
		if len(shown.Secrets) == 0 {
			t.Errorf("show %s --json shows no secrets:\n%s", n, r)
		}
		for k, m := range shown.Secrets {
			if strings.HasPrefix(m, "(") {
				t.Errorf("show %s: secret %s is %s", n, k, m)
			}
		}
	}

	orphans := cc.wantOrphans(head.ID, cn.caches)
	var unfinished []string
	if cc.unfinished {
		unfinished = listed
	}
	doc := doctorJSON(t, sb, false)
	if !sameSet(doc.Orphans, orphans) {
		t.Errorf("doctor reports leftovers %q, want %q", doc.Orphans, orphans)
	}
	if !sameSet(doc.Unfinished, unfinished) {
		t.Errorf("doctor reports unfinished writes %q, want %q", doc.Unfinished, unfinished)
	}
	if len(doc.Missing)+len(doc.Mismatched) > 0 {
		t.Errorf("doctor reports credentials without their secret %q, mismatched items %q", doc.Missing, doc.Mismatched)
	}
	if sb.kind == "keychain" && !sameSet(doc.Unknown, []string{"secret cred-z"}) {
		t.Errorf("doctor reports other config dirs' items %q, want the other dir's cred-z", doc.Unknown)
	}
	dirty := len(orphans)+len(unfinished)+len(doc.TempFiles) > 0
	if dirty && !strings.Contains(strings.Join(doc.Hints, " "), "doctor --fix") {
		t.Errorf("doctor does not offer to repair (hints %q)", doc.Hints)
	}
	if wantCode := map[bool]int{false: 0, true: 1}[dirty]; doc.code != wantCode {
		t.Errorf("doctor exits %d, want %d", doc.code, wantCode)
	}

	fix := sb.run("", "doctor", "--fix")
	if fix.code != 0 {
		t.Errorf("doctor --fix: want exit 0:\n%s", fix)
	}
	for _, o := range orphans {
		if !strings.Contains(fix.stdout, "removed "+o) {
			t.Errorf("doctor --fix does not say it removed %s:\n%s", o, fix)
		}
	}
	for _, n := range unfinished {
		if !strings.Contains(fix.stdout, fmt.Sprintf("finished the interrupted write of %q", n)) {
			t.Errorf("doctor --fix does not say it finished the write of %s:\n%s", n, fix)
		}
	}
	after := doctorJSON(t, sb, false)
	if len(after.Orphans)+len(after.Unfinished)+len(after.Missing)+len(after.Mismatched)+len(after.TempFiles) > 0 || after.code != 0 {
		t.Errorf("after doctor --fix, doctor still reports leftovers %q, unfinished %q, missing %q, mismatched %q, temp files %q (exit %d)",
			after.Orphans, after.Unfinished, after.Missing, after.Mismatched, after.TempFiles, after.code)
	}
	if sb.kind == "keychain" && !sameSet(after.Unknown, []string{"secret cred-z"}) {
		t.Errorf("after doctor --fix, the other config dir's items are %q, want cred-z kept", after.Unknown)
	}
	head2, idx2 := sb.readIndexFile()
	if got := names(idx2); !slices.Equal(got, listed) || head2.ID != head.ID {
		t.Errorf("doctor --fix changed the index: %v (ID %s), want %v (ID %s)", got, head2.ID, listed, head.ID)
	}
	for _, n := range listed {
		c := idx2[n]
		if c.SecretItem != "" || c.Description != wantDesc || c.Revision != idx[n].Revision {
			t.Errorf("after doctor --fix, %s: secret_item %q, description %q, revision %d; want none, %q, %d",
				n, c.SecretItem, c.Description, c.Revision, wantDesc, idx[n].Revision)
		}
		pair(t, c, head.ID, wantSecret, true)
	}

	// The credentials work with the secret their pair holds.
	cn.accept(wantSecret)
	for _, n := range listed {
		sb.must("", "test", n)
		sb.must("", "token", n)
	}
	if cc.committed || t.Failed() {
		return
	}
	// The interrupted command, run again, does its change.
	cn.accept(newSecret)
	args, stdin := op.args(cc.op, cn, "cred-a", "cred-b", newSecret)
	sb.must(stdin, args...)
	done := crashCase{op: cc.op, committed: true}
	if got := sb.names(); !slices.Equal(got, done.listed()) {
		t.Errorf("after %s ran again, the index lists %v, want %v", cc.op, got, done.listed())
	}
}

// sameSet reports whether a and b hold the same strings (nil and empty
// alike).
func sameSet(a, b []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}

// TestKillStepsCoverEveryStep proves crashCases complete: each writing
// command, paused at the step after the last passage crashCases kills it
// at (for every step of store.Steps), never pauses and succeeds; so no
// step of any command goes unkilled.
func TestKillStepsCoverEveryStep(t *testing.T) {
	t.Parallel()
	bus := startSecretService(t)
	ops := slices.Sorted(func(yield func(string) bool) {
		for n := range crashOps {
			if !yield(n) {
				return
			}
		}
	})
	for _, name := range ops {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			op := crashOps[name]
			cn := demandbaseConn(t)
			oldSecret := cn.em.Values()[cn.key]
			for _, step := range store.Steps {
				n := 0
				for _, cc := range crashCases {
					if cc.op == name && cc.step == step {
						n = max(n, cc.nth+1)
					}
				}
				// Names of this run's own: the runs share the keychain.
				tag := randomHex(4)
				a, b := "cov-"+tag+"-a", "cov-"+tag+"-b"
				sb := newSandbox(t, "keychain", bus)
				newSecret := "dbsecret-rotated-" + randomHex(12)
				sb.secret(oldSecret, newSecret)
				crashSetup(sb, cn, op, a, oldSecret, newSecret)
				args, stdin := op.args(name, cn, a, b, newSecret)
				r, paused := sb.runOrKillAt(step, n, stdin, args...)
				if paused {
					t.Errorf("%s passes %s more than the %d time(s) crashCases kill it there: add a case", name, step, n)
				} else if r.code != 0 {
					t.Errorf("want exit 0:\n%s", r)
				}
			}
		})
	}
}

// doctorReport is what the tests read of doctor --json.
type doctorReport struct {
	OrphanSecrets []string `json:"orphan_secrets"`
	OrphanTokens  []string `json:"orphan_tokens"`
	UnknownItems  []string `json:"unknown_items"`
	UnknownTokens []string `json:"unknown_tokens"`
	// Orphans and Unknown name them as doctor prints them ("secret x",
	// "cached token y").
	Orphans    []string `json:"-"`
	Unknown    []string `json:"-"`
	Unfinished []string `json:"unfinished"`
	Missing    []string `json:"missing_secrets"`
	Mismatched []string `json:"mismatched"`
	TempFiles  []string `json:"temp_files"`
	Hints      []string `json:"hints"`
	Answers    bool     `json:"answers"`
	code       int
}

// doctorJSON runs doctor --json (with --fix when fix) and parses it.
func doctorJSON(t *testing.T, sb *sandbox, fix bool) doctorReport {
	t.Helper()
	args := []string{"doctor", "--json"}
	if fix {
		args = append(args, "--fix")
	}
	r := sb.run("", args...)
	var d doctorReport
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
		t.Fatalf("doctor --json: %v\n%s", err, r)
	}
	if !d.Answers {
		t.Fatalf("doctor: the secret store does not answer:\n%s", r)
	}
	d.code = r.code
	for _, n := range d.OrphanSecrets {
		d.Orphans = append(d.Orphans, "secret "+n)
	}
	for _, n := range d.OrphanTokens {
		d.Orphans = append(d.Orphans, "cached token "+n)
	}
	slices.Sort(d.Orphans)
	for _, n := range d.UnknownItems {
		d.Unknown = append(d.Unknown, "secret "+n)
	}
	for _, n := range d.UnknownTokens {
		d.Unknown = append(d.Unknown, "cached token "+n)
	}
	return d
}
