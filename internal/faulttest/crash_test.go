package faulttest

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/credwiz/credwiz/connectors/connectortest"
	"github.com/credwiz/credwiz/store"
)

// crashCase is one command killed at one step of store.Save or
// store.Delete, and what must hold afterwards.
type crashCase struct {
	cmd  string // add, edit (rename), reauth, rm
	step store.Step
	// listed are the credentials the index must hold after the kill.
	listed []string
	// orphans are the names doctor must report as orphan secrets (a
	// secret or a cached token without metadata).
	orphans []string
}

// crashCases are every step of every writing command. The credential is
// "cred-a"; edit renames it to "cred-b". Before edit, reauth and rm a
// token is cached, so that a kill before the tokens are dropped leaves one.
var crashCases = []crashCase{
	{cmd: "add", step: store.StepSecretWritten, listed: nil, orphans: []string{"cred-a"}},
	{cmd: "add", step: store.StepIndexWritten, listed: []string{"cred-a"}},
	{cmd: "add", step: store.StepTokensDropped, listed: []string{"cred-a"}},
	{cmd: "edit", step: store.StepSecretWritten, listed: []string{"cred-a"}, orphans: []string{"cred-b"}},
	{cmd: "edit", step: store.StepIndexWritten, listed: []string{"cred-b"}, orphans: []string{"cred-a"}},
	{cmd: "edit", step: store.StepOldSecretDeleted, listed: []string{"cred-b"}, orphans: []string{"cred-a"}},
	{cmd: "edit", step: store.StepTokensDropped, listed: []string{"cred-b"}},
	{cmd: "reauth", step: store.StepSecretWritten, listed: []string{"cred-a"}},
	{cmd: "reauth", step: store.StepIndexWritten, listed: []string{"cred-a"}},
	{cmd: "reauth", step: store.StepTokensDropped, listed: []string{"cred-a"}},
	{cmd: "rm", step: store.StepIndexWritten, listed: nil, orphans: []string{"cred-a"}},
	{cmd: "rm", step: store.StepSecretDeleted, listed: nil, orphans: []string{"cred-a"}},
	{cmd: "rm", step: store.StepTokensDropped, listed: nil},
}

// TestKillAtEveryStep SIGKILLs add, edit (with rename), reauth and rm at
// every step between their writes, with the keychain store against a real
// Secret Service: the index parses, every credential it lists has its
// (old or new) secret, doctor reports exactly the orphans the step leaves,
// doctor --fix removes them and nothing else, and no temp file is left in
// the config dir.
func TestKillAtEveryStep(t *testing.T) {
	t.Parallel()
	for _, cc := range crashCases {
		t.Run(cc.cmd+"@"+string(cc.step), func(t *testing.T) {
			t.Parallel()
			bus := startSecretService(t)
			sb := newSandbox(t, "keychain", bus)
			em := connectortest.NewDemandbase()
			t.Cleanup(em.Close)
			v := em.Values()
			oldSecret, newSecret := v["client_secret"], "dbsecret-rotated-"+randomHex(12)
			sb.secret(oldSecret, newSecret)
			add := []string{"add", "demandbase", "--name", "cred-a", "--field", "base_url=" + em.URL(),
				"--field", "client_id=" + v["client_id"], "--secrets-stdin"}
			if cc.cmd != "add" {
				sb.must(stdinOf("client_secret", oldSecret), add...)
				tok := sb.must("", "token", "cred-a")
				sb.secret(strings.TrimSpace(tok.stdout))
				if item, ok := keychainItem(t, bus, store.TokenService, "cred-a"); !ok || !strings.Contains(item, "access_token") {
					t.Fatalf("setup: no cached token for cred-a in the keychain")
				}
			}
			want := oldSecret
			var args []string
			stdin := ""
			switch cc.cmd {
			case "add":
				args, stdin = add, stdinOf("client_secret", oldSecret)
			case "edit":
				args = []string{"edit", "cred-a", "--name", "cred-b", "--description", "renamed"}
			case "reauth":
				em.SetSecret(newSecret)
				args, stdin, want = []string{"reauth", "cred-a", "--secrets-stdin"}, stdinOf("client_secret", newSecret), newSecret
			case "rm":
				args = []string{"rm", "cred-a", "--yes"}
			}
			sb.killAt(string(cc.step), stdin, args...)
			checkAfterKill(t, sb, cc.listed, cc.orphans, func(t *testing.T, name string) {
				got := keychainSecret(t, bus, name)
				if got == nil {
					t.Errorf("%s is listed but has no keychain item", name)
				} else if got["client_secret"] != want {
					t.Errorf("%s: the keychain holds another client_secret than the one saved last", name)
				}
			})
			// doctor --fix removed the orphans' secrets and tokens, and
			// nothing of the listed credentials.
			for _, n := range cc.orphans {
				for _, svc := range []string{store.SecretService, store.TokenService} {
					if _, ok := keychainItem(t, bus, svc, n); ok {
						t.Errorf("after doctor --fix, the keychain still holds %s/%s", svc, n)
					}
				}
			}
			for _, n := range cc.listed {
				if keychainSecret(t, bus, n) == nil {
					t.Errorf("doctor --fix removed the secret of %s, which is listed", n)
				}
				// The credential works: a token is printed.
				sb.must("", "token", n)
			}
		})
	}
}

// TestKillAtStepFileStore is the same with the encrypted file store, for
// the two steps that leave an orphan (its scrypt costs about a second per
// process, so only these).
func TestKillAtStepFileStore(t *testing.T) {
	t.Parallel()
	for _, cc := range []crashCase{
		{cmd: "add", step: store.StepSecretWritten, orphans: []string{"cred-a"}},
		{cmd: "edit", step: store.StepIndexWritten, listed: []string{"cred-b"}, orphans: []string{"cred-a"}},
	} {
		t.Run(cc.cmd+"@"+string(cc.step), func(t *testing.T) {
			t.Parallel()
			sb := newSandbox(t, "file", "")
			em := connectortest.NewDrift()
			t.Cleanup(em.Close)
			key := em.Values()["api_key"]
			sb.secret(key)
			add := []string{"add", "drift", "--name", "cred-a", "--field", "base_url=" + em.URL(), "--secrets-stdin"}
			var args []string
			stdin := ""
			switch cc.cmd {
			case "add":
				args, stdin = add, stdinOf("api_key", key)
			case "edit":
				sb.must(stdinOf("api_key", key), add...)
				args = []string{"edit", "cred-a", "--name", "cred-b"}
			}
			sb.killAt(string(cc.step), stdin, args...)
			checkAfterKill(t, sb, cc.listed, cc.orphans, func(t *testing.T, name string) {
				if r := sb.must("", "token", name); strings.TrimSpace(r.stdout) != key {
					t.Errorf("%s: the encrypted file holds another api_key than the one saved", name)
				}
			})
		})
	}
}

// checkAfterKill checks a config dir after a kill: the index parses and
// lists exactly listed; list --json agrees; each listed credential has its
// secret (hasSecret checks its value); doctor reports exactly orphans and
// no credential without its secret; doctor --fix removes the orphans and
// a second doctor is clean.
func checkAfterKill(t *testing.T, sb *sandbox, listed, orphans []string, hasSecret func(t *testing.T, name string)) {
	t.Helper()
	listed = slices.Sorted(slices.Values(listed))
	if got := names(sb.readIndex()); !slices.Equal(got, listed) {
		t.Errorf("after the kill the index lists %v, want %v", got, listed)
	}
	sb.checkNoStrayFiles()

	r := sb.must("", "list", "--json")
	var list []struct{ Name string }
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
		hasSecret(t, n)
	}

	doc := doctorJSON(t, sb, false)
	if !slices.Equal(doc.Orphans, orphans) && !(len(doc.Orphans) == 0 && len(orphans) == 0) {
		t.Errorf("doctor reports orphan secrets %v, want %v", doc.Orphans, orphans)
	}
	if len(doc.Missing) > 0 {
		t.Errorf("doctor reports credentials without their secret: %v", doc.Missing)
	}
	if len(orphans) > 0 && !strings.Contains(strings.Join(doc.Hints, " "), "doctor --fix") {
		t.Errorf("doctor does not offer to remove the orphans (hints %q)", doc.Hints)
	}
	if wantCode := min(len(orphans), 1); doc.code != wantCode {
		t.Errorf("doctor exits %d, want %d", doc.code, wantCode)
	}

	fix := sb.run("", "doctor", "--fix")
	if fix.code != 0 {
		t.Errorf("doctor --fix: want exit 0:\n%s", fix)
	}
	for _, n := range orphans {
		if !strings.Contains(fix.stdout, n) {
			t.Errorf("doctor --fix does not name the orphan %s it removed:\n%s", n, fix)
		}
	}
	after := doctorJSON(t, sb, false)
	if len(after.Orphans) > 0 || len(after.Missing) > 0 || after.code != 0 {
		t.Errorf("after doctor --fix, doctor still reports orphans %v, missing %v (exit %d)", after.Orphans, after.Missing, after.code)
	}
	if got := names(sb.readIndex()); !slices.Equal(got, listed) {
		t.Errorf("doctor --fix changed the index: %v, want %v", got, listed)
	}
}

// doctorReport is what the tests read of doctor --json.
type doctorReport struct {
	Orphans []string `json:"orphan_secrets"`
	Missing []string `json:"missing_secrets"`
	Hints   []string `json:"hints"`
	Answers bool     `json:"answers"`
	code    int
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
	return d
}
