package store

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/credwiz/credwiz/store/vaultkv"
)

// A lost index (destroyed, deleted, or garbage) is rebuilt by the next
// list from the entries, and saved; the test results it held are lost.
func TestVaultLostIndexIsRebuilt(t *testing.T) {
	t.Parallel()
	for _, how := range []string{"destroyed", "deleted", "garbage"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			folder, team := newTeam(t, 1)
			st := team[0].st
			ctx := ctxV(t)
			c := sampleCredential("a")
			mustAdd(t, st, sampleCredential("b"), map[string]string{"client_secret": "b"})
			if _, err := st.Add(ctx, c, map[string]string{"marker": c.Description}, AddOptions{Test: passed(c.CreatedAt)}); err != nil {
				t.Fatal(err)
			}
			if err := st.Delete(ctx, "b"); err != nil {
				t.Fatal(err)
			}
			ac := vaultAdmin(t).Logical()
			var err error
			switch how {
			case "destroyed":
				_, err = ac.Delete("secret/metadata/" + folder + "/" + indexKey)
			case "deleted":
				_, err = ac.Delete("secret/data/" + folder + "/" + indexKey)
			case "garbage":
				_, err = ac.Write("secret/data/"+folder+"/"+indexKey, map[string]any{"data": map[string]any{indexField: "{not json"}})
			}
			if err != nil {
				t.Fatal(err)
			}
			fresh := openVaultStore(t, t.TempDir(), folder, "bob@desk", "")
			if got := listNames(t, fresh); !slices.Equal(got, []string{"a"}) {
				t.Fatalf("list after the index was %s: %v", how, got)
			}
			if got := getV(t, fresh, "a"); got.LastTest != nil {
				t.Fatalf("a test result survived the loss: %+v", got.LastTest)
			}
			// Saved: the index is whole again, and knows b is gone.
			doc, err := decodeVaultIndex(rawData(t, folder, indexKey)[indexField].(string))
			if err != nil || len(doc.Credentials) != 1 || doc.Credentials[0].Name != "a" || doc.Gone["b"] != 2 {
				t.Fatalf("saved index %+v, %v", doc, err)
			}
			wantState(t, fresh, map[string]string{"a": c.Description})
		})
	}
}

// An index of a newer format is neither read nor rewritten: upgrade.
func TestVaultNewerIndexFormat(t *testing.T) {
	t.Parallel()
	folder, team := newTeam(t, 1)
	st := team[0].st
	mustAdd(t, st, sampleCredential("a"), map[string]string{"client_secret": "a"})
	newer := `{"format":99,"credentials":[]}`
	if _, err := vaultAdmin(t).Logical().Write("secret/data/"+folder+"/"+indexKey, map[string]any{"data": map[string]any{indexField: newer}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Catalog().List(); !errors.Is(err, ErrNewerVersion) || !strings.Contains(err.Error(), "upgrade credwiz") {
		t.Fatalf("list: %v", err)
	}
	if _, err := st.Add(ctxV(t), sampleCredential("b"), nil, AddOptions{}); !errors.Is(err, ErrNewerVersion) {
		t.Fatalf("add: %v", err)
	}
	if got := rawData(t, folder, indexKey)[indexField]; got != newer {
		t.Fatalf("the newer index was rewritten: %v", got)
	}
}

// An index that lags the entries (a write killed between its commit point
// and the index update, or a change made with the vault CLI) is noticed
// and brought up to date.
func TestVaultStaleIndex(t *testing.T) {
	t.Parallel()
	folder, team := newTeam(t, 2)
	alice, bob := team[0].st, team[1].st
	ctx := ctxV(t)
	a := mustAdd(t, alice, sampleCredential("a"), map[string]string{"client_secret": "one"})
	if _, err := alice.Record(ctx, []Record{{Name: "a", Revision: a.Revision, Result: passed(time.Now())}}); err != nil {
		t.Fatal(err)
	}
	ac := vaultAdmin(t).Logical()

	// An admin rotates the secret with the vault CLI: list cannot see it
	// (one read, no read per credential), Get does, and fixes the index;
	// the old test no longer counts, the new secret is used.
	if _, err := ac.JSONMergePatch(ctx, "secret/data/"+folder+"/a", map[string]any{"data": map[string]any{"client_secret": "rotated"}}); err != nil {
		t.Fatal(err)
	}
	got := getV(t, bob, "a")
	if got.Revision != 2 || got.SecretRevision != 2 || got.Tested() != nil || got.LastTest == nil {
		t.Fatalf("after an outside rotation: %+v", got)
	}
	if sec, _ := bob.Secret(got); sec["client_secret"] != "rotated" {
		t.Fatalf("secret %v", sec)
	}
	creds, _ := alice.Catalog().List()
	if len(creds) != 1 || creds[0].Revision != 2 || creds[0].Tested() != nil {
		t.Fatalf("list after the fix: %+v", creds)
	}

	// A write killed after its commit point leaves its mark: list reads
	// that entry and shows the truth.
	doc, _ := decodeVaultIndex(rawData(t, folder, indexKey)[indexField].(string))
	doc.mark("a", vaultMark{Op: "write", From: 2, At: time.Now()})
	doc.mark("k", vaultMark{Op: "write", From: 0, At: time.Now()})
	data, _ := encodeVaultIndex(doc)
	v := alice.remote.(*vaultStore)
	s, _ := v.kv.Read(ctx, indexKey)
	if _, err := v.kv.WriteUntracked(ctx, indexKey, data, s.Version); err != nil {
		t.Fatal(err)
	}
	e, _ := v.readEntry(ctx, "a")
	e.cred.Description = "killed writer"
	e.book.Version, e.book.DescriptionVersion = 3, 3
	raw, _ := encodeEntry(e.cred, e.secret, e.book)
	if _, err := v.kv.Write(ctx, "a", raw, 2); err != nil {
		t.Fatal(err)
	}
	k := sampleCredential("k")
	k.Revision, k.SecretRevision = 1, 1
	raw, _ = encodeEntry(k, map[string]string{"client_secret": "k"}, entryBookkeeping{Version: 1, ValuesVersion: 1, DescriptionVersion: 1})
	if _, err := v.kv.Write(ctx, "k", raw, 0); err != nil {
		t.Fatal(err)
	}
	fresh := openVaultStore(t, t.TempDir(), folder, "carol@ci", "")
	creds, err := fresh.Catalog().List()
	if err != nil || len(creds) != 2 || creds[0].Description != "killed writer" || creds[0].Revision != 3 || creds[1].Name != "k" {
		t.Fatalf("list with marks: %+v, %v", creds, err)
	}
	// Saved: the marks of finished writes are gone.
	doc, _ = decodeVaultIndex(rawData(t, folder, indexKey)[indexField].(string))
	if len(doc.Pending) != 0 || len(doc.Credentials) != 2 {
		t.Fatalf("index after list: %+v", doc)
	}

	// A key the index does not know (written by hand, credwiz's format)
	// is found by list's look at the folder's keys.
	l := sampleCredential("late")
	raw, _ = encodeEntry(l, map[string]string{"client_secret": "l"}, entryBookkeeping{Version: 1, ValuesVersion: 1, DescriptionVersion: 1})
	if _, err := v.kv.Write(ctx, "late", raw, 0); err != nil {
		t.Fatal(err)
	}
	if got := listNames(t, bob); !slices.Equal(got, []string{"a", "k", "late"}) {
		t.Fatalf("list with an unknown key: %v", got)
	}
	// And an entry the index lists but Vault destroyed is dropped.
	if _, err := ac.Delete("secret/metadata/" + folder + "/late"); err != nil {
		t.Fatal(err)
	}
	if got := listNames(t, bob); !slices.Equal(got, []string{"a", "k"}) {
		t.Fatalf("list after a destroy by hand: %v", got)
	}
}

// An entry credwiz did not write is never taken for a credential, its
// values never shown; the rest still work.
func TestVaultForeignEntry(t *testing.T) {
	t.Parallel()
	folder, team := newTeam(t, 1)
	st := team[0].st
	ctx := ctxV(t)
	mustAdd(t, st, sampleCredential("ok"), map[string]string{"client_secret": "s"})
	if _, err := vaultAdmin(t).Logical().Write("secret/data/"+folder+"/handmade", map[string]any{"data": map[string]any{"password": "hunter2-by-hand"}}); err != nil {
		t.Fatal(err)
	}
	if got := listNames(t, st); !slices.Equal(got, []string{"ok"}) {
		t.Fatalf("list %v", got)
	}
	_, err := st.Catalog().Get("handmade")
	if !errors.Is(err, ErrForeignItem) || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("Get of a hand-made entry: %v", err)
	}
	h, err := st.Check(ctx)
	if err != nil || len(h.Mismatched) != 1 || !strings.Contains(h.Mismatched[0], "handmade") {
		t.Fatalf("Check %+v %v", h, err)
	}
	// An entry whose bookkeeping does not list a field takes it for a
	// secret: never shown, never in the index.
	if _, err := vaultAdmin(t).Logical().JSONMergePatch(ctx, "secret/data/"+folder+"/ok", map[string]any{"data": map[string]any{"added_by_hand": "zzz-secretish"}}); err != nil {
		t.Fatal(err)
	}
	got := getV(t, st, "ok")
	if _, ok := got.Fields["added_by_hand"]; ok || !slices.Contains(got.SecretKeys, "added_by_hand") {
		t.Fatalf("a field added by hand: %+v", got)
	}
	if strings.Contains(rawData(t, folder, indexKey)[indexField].(string), "zzz-secretish") {
		t.Fatal("a field added by hand reached the index")
	}
}

// doctor finds what the index lacks and what the cache keeps for nothing,
// and --fix brings both back in line.
func TestVaultDoctor(t *testing.T) {
	t.Parallel()
	folder, team := newTeam(t, 1)
	st := team[0].st
	ctx := ctxV(t)
	a := mustAdd(t, st, sampleCredential("a"), map[string]string{"client_secret": "a"})
	mustAdd(t, st, sampleCredential("b"), map[string]string{"client_secret": "b"})
	if h, err := st.Check(ctx); err != nil || !h.Clean() {
		t.Fatalf("Check of a clean store: %+v %v", h, err)
	}
	id, _ := st.DirID()
	_ = st.Tokens.Set("gone", Item{Values: map[string]string{"access_token": "x"}, Owner: Owner{Dir: id, Rev: 1}})
	_ = st.Tokens.Set("a", Item{Values: map[string]string{"access_token": "x"}, Owner: Owner{Dir: "someone-else", Rev: a.Revision}})
	if _, err := vaultAdmin(t).Logical().JSONMergePatch(ctx, "secret/data/"+folder+"/b", map[string]any{"data": map[string]any{"client_secret": "patched"}}); err != nil {
		t.Fatal(err)
	}
	h, err := st.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(h.Unfinished, []string{"b"}) || len(h.Orphans) != 1 || h.Orphans[0].Account != "gone" || len(h.Foreign) != 1 {
		t.Fatalf("Check %+v", h)
	}
	if _, err := st.Repair(ctx, false); err != nil {
		t.Fatal(err)
	}
	h, err = st.Check(ctx)
	if err != nil || len(h.Unfinished)+len(h.Orphans) != 0 || len(h.Foreign) != 1 {
		t.Fatalf("Check after Repair %+v %v", h, err)
	}
	if _, err := st.Repair(ctx, true); err != nil {
		t.Fatal(err)
	}
	if h, err := st.Check(ctx); err != nil || !h.Clean() {
		t.Fatalf("Check after Repair with foreign: %+v %v", h, err)
	}
}

// A token that may only read: list, show, test and token work; the test
// results are not recorded (and the error says so); add, edit, rm fail
// before anything is written, in one line naming the path and the
// capability.
func TestVaultReadOnlyToken(t *testing.T) {
	t.Parallel()
	folder, team := newTeam(t, 1)
	ctx := ctxV(t)
	a := mustAdd(t, team[0].st, sampleCredential("a"), map[string]string{"client_secret": "s"})
	ro := openVaultStore(t, t.TempDir(), folder, "reader@server", roToken(t, folder))
	if got := listNames(t, ro); !slices.Equal(got, []string{"a"}) {
		t.Fatalf("list %v", got)
	}
	c := getV(t, ro, "a")
	if sec, err := ro.Secret(c); err != nil || sec["client_secret"] != "s" {
		t.Fatalf("secret %v %v", sec, err)
	}
	errs, err := ro.Record(ctx, []Record{{Name: "a", Revision: c.Revision, Result: passed(time.Now()), Token: map[string]string{"access_token": "T"}}})
	if err == nil || !strings.Contains(err.Error(), "update on secret/data/"+folder+"/"+indexKey) || !strings.Contains(err.Error(), "test results") {
		t.Fatalf("record with a read-only token: %v", err)
	}
	if errs[0] != nil {
		t.Fatalf("the token was not cached: %v", errs[0])
	}
	if tok, _ := ro.CachedToken(c); tok["access_token"] != "T" {
		t.Fatalf("cached token %v", tok)
	}
	path := "secret/data/" + folder + "/a"
	checks := []struct {
		name string
		err  error
		want string
	}{
		{"ready", ro.Ready(ctx, "a"), "update on " + path},
		{"add", func() error { _, err := ro.Add(ctx, sampleCredential("n"), nil, AddOptions{}); return err }(), "on secret/data/" + folder + "/n"},
		{"edit", func() error { _, err := ro.Change(ctx, "a", a.Revision, Change{Description: desc("x")}); return err }(), "update on " + path},
		{"rm", ro.Delete(ctx, "a"), "update on " + path},
		{"rm --destroy", ro.Destroy(ctx, "a"), "update on " + path},
	}
	for _, ch := range checks {
		if vaultkv.KindOf(ch.err) != vaultkv.KindPermission || !strings.Contains(ch.err.Error(), ch.want) || strings.Contains(ch.err.Error(), "\n") {
			t.Errorf("%s: %v (want %q)", ch.name, ch.err, ch.want)
		}
	}
	if got := getV(t, team[0].st, "a"); got.Revision != 1 {
		t.Fatalf("a refused write changed a: %+v", got)
	}
}

// roToken returns a token that may only read folder.
func roToken(t testing.TB, folder string) string {
	return vaultTokenWithPolicy(t, `path "secret/data/`+folder+`/*" { capabilities = ["read"] }
path "secret/metadata/`+folder+`/*" { capabilities = ["read", "list"] }
path "secret/metadata/`+folder+`/" { capabilities = ["list"] }`)
}

// A folder whose credentials were written before any index (by hand, in
// credwiz's format): the first write starts the index from all of them.
func TestVaultFirstIndexHoldsEveryEntry(t *testing.T) {
	t.Parallel()
	folder, team := newTeam(t, 1)
	st := team[0].st
	v := st.remote.(*vaultStore)
	ctx := ctxV(t)
	for _, n := range []string{"h1", "h2"} {
		raw, _ := encodeEntry(sampleCredential(n), map[string]string{"client_secret": n}, entryBookkeeping{Version: 1, ValuesVersion: 1, DescriptionVersion: 1})
		if _, err := v.kv.Write(ctx, n, raw, 0); err != nil {
			t.Fatal(err)
		}
	}
	a := mustAdd(t, st, sampleCredential("a"), map[string]string{"client_secret": "a"})
	if _, err := st.Record(ctx, []Record{{Name: "a", Revision: a.Revision, Result: passed(time.Now())}}); err != nil {
		t.Fatal(err)
	}
	doc, err := decodeVaultIndex(rawData(t, folder, indexKey)[indexField].(string))
	if err != nil || len(doc.Credentials) != 3 {
		t.Fatalf("first index %+v, %v", doc, err)
	}
}
