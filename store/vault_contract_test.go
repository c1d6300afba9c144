package store

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/credwiz/credwiz/store/vaultkv"
)

// getV reads credential name through st's catalog.
func getV(t testing.TB, st *Store, name string) Credential {
	t.Helper()
	c, err := st.Catalog().Get(name)
	if err != nil {
		t.Fatalf("Get(%q): %v", name, err)
	}
	return c
}

// listNames returns the names st's catalog lists.
func listNames(t testing.TB, st *Store) []string {
	t.Helper()
	creds, err := st.Catalog().List()
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	var out []string
	for _, c := range creds {
		out = append(out, c.Name)
	}
	return out
}

func passed(at time.Time) *TestResult {
	return &TestResult{At: at, OK: true, Account: "Example Corp"}
}

// The whole credential lives in one entry: settings and secrets under
// their own fields, the connector and description reserved, revision =
// KV version; the local index records only the store and its folder.
func TestVaultAddKeepsTheCredentialWhole(t *testing.T) {
	t.Parallel()
	folder, team := newTeam(t, 1)
	st := team[0].st
	c := sampleCredential("prod-db")
	saved, err := st.Add(ctxV(t), c, map[string]string{"client_secret": "s3cr3t"}, AddOptions{Test: passed(c.CreatedAt)})
	if err != nil {
		t.Fatal(err)
	}
	if saved.Revision != 1 || saved.SecretRevision != 1 || saved.Tested() == nil || !slices.Equal(saved.SecretKeys, []string{"client_secret"}) {
		t.Fatalf("saved %+v", saved)
	}
	raw := rawData(t, folder, "prod-db")
	if raw["client_secret"] != "s3cr3t" || raw["client_id"] != "client-prod-db" || raw["_connector"] != "demandbase" ||
		raw["_description"] != c.Description || raw[vaultkv.AuthorField] != "alice@laptop" {
		t.Fatalf("entry %v", raw)
	}
	idx := rawData(t, folder, indexKey)
	if idx == nil || strings.Contains(idx[indexField].(string), "s3cr3t") || !strings.Contains(idx[indexField].(string), "prod-db") {
		t.Fatalf("index %v", idx)
	}
	got := getV(t, st, "prod-db")
	if got.Revision != 1 || got.Tested() == nil || got.Fields["client_id"] != "client-prod-db" || got.Description != c.Description {
		t.Fatalf("Get %+v", got)
	}
	if sec, err := st.Secret(got); err != nil || sec["client_secret"] != "s3cr3t" {
		t.Fatalf("Secret: %v, %v", sec, err)
	}
	local, err := NewIndex(team[0].dir).List()
	if err != nil || len(local) != 0 {
		t.Fatalf("local credentials: %v, %v", local, err)
	}
	if k, _ := NewIndex(team[0].dir).Kind(); k != KindVault {
		t.Fatalf("recorded kind %q", k)
	}
	if h, err := NewIndex(team[0].dir).peek(); err != nil || h.vault == nil || h.vault.Path != folder || h.vault.Mount != "secret" {
		t.Fatalf("recorded settings %+v, %v", h.vault, err)
	}
	if _, err := st.Add(ctxV(t), c, map[string]string{"client_secret": "x"}, AddOptions{}); !errors.Is(err, ErrExists) {
		t.Fatalf("add over an existing name: %v", err)
	}
}

// A description-only change writes a new version whose values, test
// result and cached token stay valid; a secret change invalidates both.
func TestVaultChangeKeepsWhatItDoesNotTouch(t *testing.T) {
	t.Parallel()
	_, team := newTeam(t, 1)
	st := team[0].st
	ctx := ctxV(t)
	c := sampleCredential("a")
	saved, err := st.Add(ctx, c, map[string]string{"client_secret": "one"}, AddOptions{Test: passed(c.CreatedAt)})
	if err != nil {
		t.Fatal(err)
	}
	if errs, err := st.Record(ctx, []Record{{Name: "a", Revision: saved.Revision, Token: map[string]string{"access_token": "tok-1"}}}); err != nil || errs[0] != nil {
		t.Fatalf("Record: %v %v", errs, err)
	}
	d, err := st.Change(ctx, "a", saved.Revision, Change{Description: desc("new words")})
	if err != nil {
		t.Fatal(err)
	}
	if d.Revision != 2 || d.SecretRevision != 1 || d.Tested() == nil {
		t.Fatalf("after a description change: %+v", d)
	}
	got := getV(t, st, "a")
	if got.Description != "new words" || got.Tested() == nil || got.Fields["client_id"] != "client-a" {
		t.Fatalf("Get %+v", got)
	}
	if tok, err := st.CachedToken(got); err != nil || tok["access_token"] != "tok-1" || tok[tokenCreatedKey] != "" {
		t.Fatalf("token after a description change: %v, %v", tok, err)
	}
	s, err := st.Change(ctx, "a", got.Revision, Change{Secret: map[string]string{"client_secret": "two"}})
	if err != nil {
		t.Fatal(err)
	}
	got = getV(t, st, "a")
	if s.Revision != 3 || got.SecretRevision != 3 || got.Tested() != nil || got.LastTest == nil || got.Description != "new words" {
		t.Fatalf("after a secret change: %+v / %+v", s, got)
	}
	if tok, _ := st.CachedToken(got); tok != nil {
		t.Fatalf("a token minted with the old secret is still served: %v", tok)
	}
	if sec, err := st.Secret(got); err != nil || sec["client_secret"] != "two" {
		t.Fatalf("Secret: %v %v", sec, err)
	}
	f, err := st.Change(ctx, "a", got.Revision, Change{Fields: map[string]string{"base_url": "", "region": "eu"}, Test: passed(time.Now())})
	if err != nil {
		t.Fatal(err)
	}
	got = getV(t, st, "a")
	if _, ok := got.Fields["base_url"]; ok || got.Fields["region"] != "eu" || got.Tested() == nil || f.Revision != 4 {
		t.Fatalf("after a field patch with a test: %+v", got)
	}
	if sec, _ := st.Secret(got); sec["client_secret"] != "two" {
		t.Fatalf("a field patch lost the secret: %v", sec)
	}
}

// A teammate's concurrent change is reported, never overwritten.
func TestVaultChangeConflicts(t *testing.T) {
	t.Parallel()
	_, team := newTeam(t, 2)
	alice, bob := team[0].st, team[1].st
	ctx := ctxV(t)
	base := mustAdd(t, alice, sampleCredential("a"), map[string]string{"client_secret": "one"})

	// Bob changes the secret; Alice's values change, test result and
	// description change (from the same base) are refused.
	if _, err := bob.Change(ctx, "a", base.Revision, Change{Secret: map[string]string{"client_secret": "bob"}}); err != nil {
		t.Fatal(err)
	}
	for _, ch := range []Change{
		{Secret: map[string]string{"client_secret": "alice"}},
		{Fields: map[string]string{"client_id": "x"}},
		{Test: passed(time.Now())},
	} {
		if _, err := alice.Change(ctx, "a", base.Revision, ch); !errors.Is(err, ErrConflict) {
			t.Fatalf("%+v over a teammate's change: %v", ch, err)
		}
	}
	// A description change does not depend on the values: it applies.
	if _, err := alice.Change(ctx, "a", base.Revision, Change{Description: desc("alice")}); err != nil {
		t.Fatalf("description over a secret change: %v", err)
	}
	// But a second description change from the old base would overwrite
	// Alice's: refused.
	if _, err := bob.Change(ctx, "a", base.Revision, Change{Description: desc("bob")}); !errors.Is(err, ErrConflict) {
		t.Fatalf("description over a teammate's description: %v", err)
	}
	got := getV(t, bob, "a")
	if sec, _ := bob.Secret(got); sec["client_secret"] != "bob" || got.Description != "alice" {
		t.Fatalf("after the conflicts: %q / %v", got.Description, sec)
	}
	var ce *ConflictError
	if _, err := alice.Change(ctx, "a", base.Revision, Change{Fields: map[string]string{"client_id": "y"}}); !errors.As(err, &ce) || !strings.Contains(err.Error(), "nothing was saved") {
		t.Fatalf("conflict error: %v", err)
	}
	if err := bob.Delete(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.Change(ctx, "a", got.Revision, Change{Description: desc("z")}); !errors.As(err, &ce) || !ce.Deleted {
		t.Fatalf("change of a deleted credential: %v", err)
	}
}

// Rename: the new name holds everything (its history starts anew), the
// old is deleted, the test result carries over when the values did not
// change.
func TestVaultRename(t *testing.T) {
	t.Parallel()
	folder, team := newTeam(t, 1)
	st := team[0].st
	ctx := ctxV(t)
	c := sampleCredential("old")
	saved, err := st.Add(ctx, c, map[string]string{"client_secret": "s"}, AddOptions{Test: passed(c.CreatedAt)})
	if err != nil {
		t.Fatal(err)
	}
	mustAdd(t, st, sampleCredential("other"), map[string]string{"client_secret": "o"})
	if _, err := st.Change(ctx, "old", saved.Revision, Change{Name: "other"}); !errors.Is(err, ErrExists) {
		t.Fatalf("rename over an existing name: %v", err)
	}
	n, err := st.Change(ctx, "old", saved.Revision, Change{Name: "new"})
	if err != nil {
		t.Fatal(err)
	}
	if got := listNames(t, st); !slices.Equal(got, []string{"new", "other"}) {
		t.Fatalf("names %v", got)
	}
	got := getV(t, st, "new")
	if got.Tested() == nil || got.Revision != n.Revision || !got.CreatedAt.Equal(saved.CreatedAt) {
		t.Fatalf("renamed: %+v", got)
	}
	if sec, _ := st.Secret(got); sec["client_secret"] != "s" {
		t.Fatalf("renamed secret %v", sec)
	}
	if rawData(t, folder, "old") != nil {
		t.Fatal("the old name's entry is live")
	}
	r, err := st.Change(ctx, "new", got.Revision, Change{Name: "other", Replace: true, Secret: map[string]string{"client_secret": "t"}})
	if err != nil {
		t.Fatal(err)
	}
	got = getV(t, st, "other")
	if got.Revision != r.Revision || got.Revision != 2 || got.Tested() != nil {
		t.Fatalf("renamed over another with a new secret: %+v", got)
	}
	if got := listNames(t, st); !slices.Equal(got, []string{"other"}) {
		t.Fatalf("names %v", got)
	}
}

// rm deletes (an admin can recover it), rm --destroy destroys every
// version; a name used again goes on with the version numbers, so that
// nothing certified for the old credential holds for the new one.
func TestVaultDeleteAndDestroy(t *testing.T) {
	t.Parallel()
	folder, team := newTeam(t, 1)
	st := team[0].st
	ctx := ctxV(t)
	a := mustAdd(t, st, sampleCredential("a"), map[string]string{"client_secret": "one"})
	if _, err := st.Record(ctx, []Record{{Name: "a", Revision: a.Revision, Token: map[string]string{"access_token": "t"}}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Delete(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Catalog().Get("a"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get after Delete: %v", err)
	}
	if err := st.Delete(ctx, "a"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Delete again: %v", err)
	}
	if _, err := st.Tokens.Get("a"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the cached token survived rm: %v", err)
	}
	// Recoverable by an admin.
	old, err := vaultAdmin(t).Logical().ReadWithData("secret/data/"+folder+"/a", map[string][]string{"version": {"1"}})
	if err != nil || old == nil || old.Data["metadata"].(map[string]any)["deletion_time"] == "" {
		t.Fatalf("the deleted version: %v, %v", old, err)
	}
	b := mustAdd(t, st, sampleCredential("a"), map[string]string{"client_secret": "two"})
	if b.Revision != 3 { // 2 is the tombstone rm wrote
		t.Fatalf("re-added at revision %d, want 3", b.Revision)
	}
	if err := st.Destroy(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	m, err := vaultAdmin(t).Logical().Read("secret/metadata/" + folder + "/a")
	if err != nil {
		t.Fatal(err)
	}
	for v, meta := range m.Data["versions"].(map[string]any) {
		if meta.(map[string]any)["destroyed"] != true {
			t.Fatalf("version %s not destroyed: %v", v, meta)
		}
	}
	c := mustAdd(t, st, sampleCredential("a"), map[string]string{"client_secret": "three"})
	if c.Revision != 5 {
		t.Fatalf("re-added after destroy at revision %d, want 5", c.Revision)
	}
	if got := listNames(t, st); !slices.Equal(got, []string{"a"}) {
		t.Fatalf("names %v", got)
	}
}

// Recording: one index write for many results, each guarded by its
// credential's values; tokens stay local.
func TestVaultRecord(t *testing.T) {
	t.Parallel()
	folder, team := newTeam(t, 1)
	st := team[0].st
	ctx := ctxV(t)
	a := mustAdd(t, st, sampleCredential("a"), map[string]string{"client_secret": "1"})
	b := mustAdd(t, st, sampleCredential("b"), map[string]string{"client_secret": "1"})
	c := mustAdd(t, st, sampleCredential("c"), map[string]string{"client_secret": "1"})
	if _, err := st.Change(ctx, "b", b.Revision, Change{Description: desc("only words")}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Change(ctx, "c", c.Revision, Change{Secret: map[string]string{"client_secret": "2"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Delete(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	d := mustAdd(t, st, sampleCredential("d"), map[string]string{"client_secret": "1"})
	now := time.Now().UTC().Truncate(time.Second)
	tok := map[string]string{"access_token": "T", "expiry": now.Add(time.Hour).Format(time.RFC3339)}
	errs, err := st.Record(ctx, []Record{
		{Name: "a", Revision: a.Revision, Result: passed(now), Token: tok},
		{Name: "b", Revision: b.Revision, Result: passed(now), Token: tok},
		{Name: "c", Revision: c.Revision, Result: passed(now), Token: tok},
		{Name: "d", Revision: d.Revision, Result: &TestResult{At: now, Class: "rejected", Message: "no"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var ce *ConflictError
	if !errors.As(errs[0], &ce) || !ce.Deleted || errs[1] != nil || !errors.As(errs[2], &ce) || ce.Deleted || errs[3] != nil {
		t.Fatalf("errs %v", errs)
	}
	if got := getV(t, st, "b"); got.Tested() == nil || !got.Tested().OK {
		t.Fatalf("b (tested before a description change): %+v", got.LastTest)
	}
	if got := getV(t, st, "c"); got.LastTest != nil {
		t.Fatalf("c's result for the old secret was recorded: %+v", got.LastTest)
	}
	if got := getV(t, st, "d"); got.Tested() == nil || got.Tested().OK {
		t.Fatalf("d: %+v", got.LastTest)
	}
	if _, err := st.Tokens.Get("c"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("c's token was cached: %v", err)
	}
	if got, _ := st.CachedToken(getV(t, st, "b")); got["access_token"] != "T" {
		t.Fatalf("b's token: %v", got)
	}
	if strings.Contains(rawData(t, folder, indexKey)[indexField].(string), `"T"`) {
		t.Fatal("a token went to Vault")
	}
}

// Two config dirs on one Vault are teammates: what one adds the other
// lists, tests, uses and edits; tokens stay with each.
func TestVaultTeammates(t *testing.T) {
	t.Parallel()
	_, team := newTeam(t, 2)
	alice, bob := team[0].st, team[1].st
	ctx := ctxV(t)
	mustAdd(t, alice, sampleCredential("shared"), map[string]string{"client_secret": "s1"})
	if got := listNames(t, bob); !slices.Equal(got, []string{"shared"}) {
		t.Fatalf("bob lists %v", got)
	}
	c := getV(t, bob, "shared")
	if sec, err := bob.Secret(c); err != nil || sec["client_secret"] != "s1" {
		t.Fatalf("bob's secret: %v %v", sec, err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	if errs, err := bob.Record(ctx, []Record{{Name: "shared", Revision: c.Revision, Result: passed(now),
		Token: map[string]string{"access_token": "bobs"}}}); err != nil || errs[0] != nil {
		t.Fatalf("bob's record: %v %v", errs, err)
	}
	ac := getV(t, alice, "shared")
	if ac.Tested() == nil || !ac.Tested().At.Equal(now) {
		t.Fatalf("alice sees bob's test: %+v", ac.LastTest)
	}
	if tok, _ := alice.CachedToken(ac); tok != nil {
		t.Fatalf("alice got bob's token: %v", tok)
	}
	if _, err := bob.Change(ctx, "shared", c.Revision, Change{Secret: map[string]string{"client_secret": "s2"}}); err != nil {
		t.Fatal(err)
	}
	// What Alice's process read is one pair: the metadata and the secret
	// of the version read. Another process of hers, told about that old
	// version, reads the entry and is told it changed.
	if sec, err := alice.Secret(ac); err != nil || sec["client_secret"] != "s1" {
		t.Fatalf("alice's pair as read: %v %v", sec, err)
	}
	again := openVaultStore(t, team[0].dir, team[0].st.remote.(*vaultStore).settings.Path, "alice@laptop", "")
	if _, err := again.Secret(ac); !errors.Is(err, ErrConflict) {
		t.Fatalf("alice's stale read: %v", err)
	}
	alice = again
	ac = getV(t, alice, "shared")
	if sec, _ := alice.Secret(ac); sec["client_secret"] != "s2" || ac.Tested() != nil {
		t.Fatalf("alice after bob's rotation: %v %+v", sec, ac.LastTest)
	}
	h, err := alice.History(ctx, "shared")
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 2 || h[0].By != "alice@laptop" || h[1].By != "bob@desk" || !slices.Equal(h[1].Changed, []string{"client_secret"}) ||
		!slices.Contains(h[0].Changed, "connector") || !slices.Contains(h[0].Changed, "client_secret") || slices.Contains(h[0].Changed, "") {
		t.Fatalf("history %+v", h)
	}
}

// Many teammates change one credential from one base at once: exactly one
// change of the values lands, every other is told.
func TestVaultConcurrentEdits(t *testing.T) {
	t.Parallel()
	_, team := newTeam(t, 4)
	base := mustAdd(t, team[0].st, sampleCredential("hot"), map[string]string{"client_secret": "base"})
	errs := make(chan error, len(team))
	for i, tm := range team {
		go func() {
			_, err := tm.st.Change(ctxV(t), "hot", base.Revision, Change{Secret: map[string]string{"client_secret": tm.dir}, Description: desc(tm.dir)})
			if err == nil {
				err = errors.New("ok " + string(rune('0'+i)))
			}
			errs <- err
		}()
	}
	won := 0
	for range team {
		err := <-errs
		switch {
		case strings.HasPrefix(err.Error(), "ok "):
			won++
		case !errors.Is(err, ErrConflict):
			t.Fatalf("unexpected: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d changes landed, want 1", won)
	}
	got := getV(t, team[1].st, "hot")
	sec, _ := team[1].st.Secret(got)
	if sec["client_secret"] != got.Description || got.Revision != 2 {
		t.Fatalf("mixed result: %q vs %q at %d", got.Description, sec["client_secret"], got.Revision)
	}
}

// The history names who changed which fields, never values.
func TestVaultHistory(t *testing.T) {
	t.Parallel()
	_, team := newTeam(t, 1)
	st := team[0].st
	ctx := ctxV(t)
	a := mustAdd(t, st, sampleCredential("h"), map[string]string{"client_secret": "very-secret-value"})
	b, _ := st.Change(ctx, "h", a.Revision, Change{Description: desc("d2")})
	if _, err := st.Change(ctx, "h", b.Revision, Change{Fields: map[string]string{"client_id": "c2"}, Secret: map[string]string{"client_secret": "other-secret"}}); err != nil {
		t.Fatal(err)
	}
	h, err := st.History(ctx, "h")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"base_url", "client_id", "client_secret", "connector", "description"}, {"description"}, {"client_id", "client_secret"}}
	if len(h) != 3 {
		t.Fatalf("history %+v", h)
	}
	for i, v := range h {
		if !slices.Equal(v.Changed, want[i]) || v.By != "alice@laptop" || v.At.IsZero() || v.Version != int64(i+1) {
			t.Fatalf("version %d: %+v, want %v", i+1, v, want[i])
		}
	}
	if _, err := st.History(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("history of a missing name: %v", err)
	}
	if _, err := memStore(t).History(ctx, "h"); !errors.Is(err, ErrNoHistory) {
		t.Fatalf("history of a local store: %v", err)
	}
}

// rm and a change of the same credential at the same moment: the
// outcome is one of the two orders, and a deleted credential never comes
// back (the tombstone rm writes makes every write based on the version
// before fail).
func TestVaultDeleteRacesChange(t *testing.T) {
	t.Parallel()
	_, team := newTeam(t, 2)
	alice, bob := team[0].st, team[1].st
	ctx := ctxV(t)
	for i := range 10 {
		name := "race-" + strings.Repeat("x", i%3+1) + string(rune('a'+i))
		mustAdd(t, alice, sampleCredential(name), map[string]string{"client_secret": "v1"})
		c := getV(t, alice, name) // alice read it (as reauth does) ...
		getV(t, bob, name)
		del, chg := make(chan error, 1), make(chan error, 1)
		go func() { del <- bob.Delete(ctx, name) }()
		go func() {
			_, err := alice.Change(ctx, name, c.Revision, Change{Secret: map[string]string{"client_secret": "v2"}})
			chg <- err
		}()
		e1, e2 := <-del, <-chg
		_, gerr := bob.Catalog().Get(name)
		// Linearizable outcomes: the change then the delete (both
		// succeed), the delete then the change (which is told), or the
		// change first with the delete told. Never a delete that
		// succeeded and a credential that lives.
		switch {
		case e1 != nil && e2 != nil:
			t.Fatalf("%s: neither succeeded: %v / %v", name, e1, e2)
		case errors.Is(gerr, ErrNotFound) != (e1 == nil):
			t.Fatalf("%s: delete %v, change %v, and then Get: %v", name, e1, e2, gerr)
		}
		for _, err := range []error{e1, e2} {
			if err != nil && !errors.Is(err, ErrConflict) {
				t.Fatalf("%s: not a conflict: %v", name, err)
			}
		}
	}
}

// Readers that correct the index (Get) while teammates write: once all
// stop, the index is the truth (doctor finds nothing stale), every
// credential one pair. A reader's correction never brings back old news.
func TestVaultIndexNeverRegresses(t *testing.T) {
	t.Parallel()
	folder, team := newTeam(t, 4)
	ctx := ctxV(t)
	for _, n := range []string{"x", "y"} {
		c := sampleCredential(n)
		c.Description = "0"
		mustAdd(t, team[0].st, c, map[string]string{"marker": "0"})
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 5 {
		st := openVaultStore(t, t.TempDir(), folder, "writer@"+strconv.Itoa(w), "")
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				name := []string{"x", "y"}[i%2]
				c, err := st.Catalog().Get(name)
				if errors.Is(err, ErrNotFound) {
					nc := sampleCredential(name)
					m := strconv.Itoa(w) + "-" + strconv.Itoa(i)
					nc.Description = m
					_, _ = st.Add(ctx, nc, map[string]string{"marker": m}, AddOptions{})
					continue
				}
				if err != nil {
					t.Error(err)
					return
				}
				if i%7 == 3 {
					_ = st.Delete(ctx, name)
					continue
				}
				m := strconv.Itoa(w) + "-" + strconv.Itoa(i)
				_, _ = st.Change(ctx, name, c.Revision, Change{Description: &m, Secret: map[string]string{"marker": m}})
			}
		})
	}
	for _, tm := range team[1:] {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				for _, n := range []string{"x", "y"} {
					fresh := openVaultStore(t, tm.dir, folder, "reader@desk", "")
					_, _ = fresh.Catalog().Get(n)
				}
			}
		})
	}
	time.Sleep(3 * time.Second)
	close(stop)
	wg.Wait()
	st := openVaultStore(t, t.TempDir(), folder, "carol@ci", "")
	h, err := st.Check(ctx)
	if err != nil || len(h.Unfinished) != 0 {
		t.Fatalf("the index is not the truth once everyone stopped: %+v %v", h, err)
	}
	vaultState(t, st)
}

// A change based on a read from before a teammate's rename does not bring
// the old name back: it is told the credential is gone.
func TestVaultStaleChangeAfterRename(t *testing.T) {
	t.Parallel()
	_, team := newTeam(t, 2)
	alice, bob := team[0].st, team[1].st
	ctx := ctxV(t)
	mustAdd(t, alice, sampleCredential("old"), map[string]string{"client_secret": "v1"})
	c := getV(t, alice, "old")
	bc := getV(t, bob, "old")
	if _, err := bob.Change(ctx, "old", bc.Revision, Change{Name: "new"}); err != nil {
		t.Fatal(err)
	}
	var ce *ConflictError
	if _, err := alice.Change(ctx, "old", c.Revision, Change{Secret: map[string]string{"client_secret": "v2"}}); !errors.As(err, &ce) || !ce.Deleted {
		t.Fatalf("a stale change of the renamed credential: %v", err)
	}
	if got := listNames(t, alice); !slices.Equal(got, []string{"new"}) {
		t.Fatalf("names %v", got)
	}
}
