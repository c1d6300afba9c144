//go:build linux

package integritytest

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/credwiz/credwiz/connectors/connectortest"
	"github.com/credwiz/credwiz/internal/testenv"
)

// credState is what the tests track of a credential: its description and
// the marker its client ID and secret carry (they change together).
type credState struct {
	Desc   string
	Marker string
}

// state is the credential map of a config dir, by name.
type state map[string]credState

// String lists the credentials in name order.
func (s state) String() string {
	var parts []string
	for _, n := range slices.Sorted(maps.Keys(s)) {
		parts = append(parts, fmt.Sprintf("%s=%q/%s", n, s[n].Desc, s[n].Marker))
	}
	return "{" + strings.Join(parts, " ") + "}"
}

// with returns a copy of s with name set to c.
func (s state) with(name string, c credState) state {
	out := maps.Clone(s)
	if out == nil {
		out = state{}
	}
	out[name] = c
	return out
}

// without returns a copy of s without name.
func (s state) without(name string) state {
	out := maps.Clone(s)
	delete(out, name)
	return out
}

// world is a config dir under test (A) and, for the keychain, another
// config dir (B) sharing its keychain, as two of one user's config dirs
// do; plus a Demandbase emulator behind a front that accepts marked
// values, so a credential whose client ID and secret carry marker rev-N
// works.
type world struct {
	t    testing.TB
	kind testenv.StoreKind
	a    *testenv.Sandbox
	b    *testenv.Sandbox
	em   *connectortest.Demandbase
	url  string
	cid  string
	sec  string

	// bItems and bIndex are B's items and index after setup: nothing A
	// does may change them.
	bItems testenv.Items
	bIndex []byte

	// dirty counts the checks that found leftovers (an interrupted
	// write), matched counts by state index the checks whose state was
	// cands[i].
	dirty   int
	matched [2]int
}

// worldOptions qualify newWorld.
type worldOptions struct {
	// configDir is A's config dir ("" for a fresh one).
	configDir string
	// noB leaves out the other config dir.
	noB bool
	// em is the emulator to use; nil starts one.
	em *connectortest.Demandbase
}

// fileScryptWorkFactor is the scrypt work factor of A's encrypted file
// store: every command that reads a secret there (edit, reauth, test,
// token) unwraps the identity once, about a second at the default factor,
// which would spend the tests' time in scrypt and make random kills land
// there, before any write. The protocol under test does not depend on it.
const fileScryptWorkFactor = 10

// newWorld makes a world with A (a hook build, for kills at steps) on the
// store kind and, for the keychain, B with one credential, its cached
// token and an unfinished write (a staged item) on the same keyring.
func newWorld(t testing.TB, kind testenv.StoreKind, o worldOptions) *world {
	t.Helper()
	w := &world{t: t, kind: kind, em: o.em}
	if w.em == nil {
		w.em = testenv.Demandbase(t, testenv.EmulatorOptions{})
	}
	w.url = testenv.MarkedFront(t, w.em.URL())
	v := w.em.Values()
	w.cid, w.sec = v["client_id"], v["client_secret"]
	var kr *testenv.Keyring
	if kind == testenv.Keychain {
		kr = testenv.StartKeyring(t)
	}
	w.a = testenv.New(t, testenv.Options{Store: kind, Keyring: kr, ConfigDir: o.configDir, Hooks: true,
		ScryptWorkFactor: fileScryptWorkFactor})
	if kind == testenv.Keychain && !o.noB {
		w.b = testenv.New(t, testenv.Options{Store: testenv.Keychain, Keyring: kr, Hooks: true})
		if r := w.b.RunCmd(w.addCmd("ob", "B's", "b-1")); r.Code != 0 {
			t.Fatalf("setup: B's add:\n%s", r)
		}
		w.b.Must("", "token", "ob")
		edit := w.editCmd("ob", "", "B's, edited", "b-2")
		if _, paused := w.b.KillAt("index-committed", 1, edit); !paused {
			t.Fatal("setup: B's edit did not pause at index-committed")
		}
		w.snapshotB()
	}
	return w
}

// snapshotB records B's items and index.
func (w *world) snapshotB() {
	ix := testenv.ReadIndex(w.t, w.b.ConfigDir)
	w.bItems = ownedBy(w.b.Keyring.Items(w.t), ix.ID)
	w.bIndex = ix.Raw
	if len(w.bItems) < 3 {
		w.t.Fatalf("setup: B holds %v; want its secret, staged item and token", w.bItems.Keys())
	}
}

// ownedBy returns the items of config dir id: its owner says so, or, for
// a staged item, its account.
func ownedBy(items testenv.Items, id string) testenv.Items {
	var out testenv.Items
	for _, it := range items {
		_, _, dir, staged := testenv.StagedName(it.Account)
		if id != "" && (it.Owner.Dir == id || (staged && dir == id)) {
			out = append(out, it)
		}
	}
	return out
}

// secretOf is the secret map of a credential marked m.
func (w *world) secretOf(m string) map[string]string {
	return map[string]string{"client_secret": testenv.Mark(w.sec, m)}
}

// addCmd is a scripted add of a Demandbase credential marked m (with
// its live test).
func (w *world) addCmd(name, desc, m string, extra ...string) testenv.Cmd {
	args := []string{"add", "demandbase", "--name", name, "--description", desc,
		"--field", "base_url=" + w.url, "--field", "client_id=" + testenv.Mark(w.cid, m), "--secrets-stdin"}
	return testenv.Cmd{Args: append(args, extra...), Stdin: "client_secret=" + testenv.Mark(w.sec, m) + "\n"}
}

// editCmd is a scripted edit of name without a test: to newName unless
// "", to description desc, and, unless m is "", to client ID and secret
// marked m.
func (w *world) editCmd(name, newName, desc, m string, extra ...string) testenv.Cmd {
	args := []string{"edit", name, "--description", desc, "--no-test"}
	if newName != "" {
		args = append(args, "--name", newName)
	}
	c := testenv.Cmd{}
	if m != "" {
		args = append(args, "--field", "client_id="+testenv.Mark(w.cid, m), "--secrets-stdin")
		c.Stdin = "client_secret=" + testenv.Mark(w.sec, m) + "\n"
	}
	c.Args = append(args, extra...)
	return c
}

// reauthCmd re-authenticates name with client ID and secret marked m
// (the live test runs).
func (w *world) reauthCmd(name, m string) testenv.Cmd {
	return testenv.Cmd{Args: []string{"reauth", name, "--field", "client_id=" + testenv.Mark(w.cid, m), "--secrets-stdin"},
		Stdin: "client_secret=" + testenv.Mark(w.sec, m) + "\n"}
}

// must runs c in A and fails the test unless it exits 0.
func (w *world) must(c testenv.Cmd) testenv.Result {
	w.t.Helper()
	r := w.a.RunCmd(c)
	if r.Code != 0 {
		w.t.Fatalf("want exit 0:\n%s", r)
	}
	return r
}

// seed adds the credentials of s to A, in name order, with a cached token
// for those in tokens.
func (w *world) seed(s state, tokens ...string) {
	w.t.Helper()
	for _, n := range slices.Sorted(maps.Keys(s)) {
		w.must(w.addCmd(n, s[n].Desc, s[n].Marker))
	}
	for _, n := range tokens {
		w.must(testenv.Cmd{Args: []string{"token", n}})
	}
}

// observed is A as read from its files and secret store, without credwiz.
type observed struct {
	st    state
	ix    testenv.Index
	items testenv.Items
}

// observe reads A and checks that every credential's metadata and secret
// are one pair: the item its index record names exists, belongs to this
// config dir at the credential's secret revision, and carries the marker
// of its client ID.
func (w *world) observe(t testing.TB) observed {
	t.Helper()
	o := observed{st: state{}, ix: testenv.ReadIndex(t, w.a.ConfigDir), items: w.a.Items()}
	for _, c := range o.ix.Credentials {
		idm := testenv.Marker(c.Fields["client_id"])
		o.st[c.Name] = credState{Desc: c.Description, Marker: idm}
		it, ok := o.items.Get(testenv.SecretService, c.SecretAccount())
		switch {
		case !ok:
			t.Errorf("%s: its secret item %q is missing (items: %v)", c.Name, c.SecretAccount(), o.items.Keys())
		case it.Owner != (testenv.Owner{Dir: o.ix.ID, Rev: c.SecretRevision}):
			t.Errorf("%s: its secret item %q has owner %s, want %s/%d", c.Name, c.SecretAccount(), it.Owner, o.ix.ID, c.SecretRevision)
		case testenv.Marker(it.Values["client_secret"]) != idm:
			t.Errorf("%s: NOT ONE PAIR: the metadata (client ID) is marked %q, the secret in %q is marked %q",
				c.Name, idm, c.SecretAccount(), testenv.Marker(it.Values["client_secret"]))
		}
	}
	return o
}

// leftovers returns what doctor must report for A: the items of this
// config dir that nothing refers to (as doctor names them), the
// credentials whose write is unfinished, the temporary files, and the
// items of other config dirs.
func leftovers(o observed, configDir string) (orphans, unfinished, temps, foreign []string) {
	id := o.ix.ID
	for _, it := range o.items {
		name, _, dir, staged := testenv.StagedName(it.Account)
		mine := id != "" && (it.Owner.Dir == id || (staged && dir == id))
		if !mine {
			foreign = append(foreign, doctorName(it))
			continue
		}
		c, exists := o.ix.Get(name)
		used := false
		switch {
		case it.Service == testenv.TokenService:
			used = exists && !staged && it.Owner.Rev == c.Revision
		case staged:
			used = exists && c.SecretItem == it.Account
		default:
			used = exists
		}
		if !used {
			orphans = append(orphans, doctorName(it))
		}
	}
	for _, c := range o.ix.Credentials {
		if c.SecretItem != "" {
			unfinished = append(unfinished, c.Name)
		}
	}
	temps = tempFiles(configDir)
	slices.Sort(orphans)
	slices.Sort(foreign)
	return orphans, unfinished, temps, foreign
}

// doctorName is how doctor names an item.
func doctorName(it testenv.Item) string {
	if it.Service == testenv.TokenService {
		return "cached token " + it.Account
	}
	return "secret " + it.Account
}

// tempPattern matches the temporary files of an interrupted file write
// in the config dir (the index's), and secretsTempPattern those in the
// encrypted file store's secrets directory (an item's, identity.age's).
var (
	tempPattern        = regexp.MustCompile(`^\.(credentials\.json|secrets\.age)[0-9]+$`)
	secretsTempPattern = regexp.MustCompile(`^\.(identity\.age|[a-z0-9_%A-F-]+\.[a-z0-9_%A-F-]+\.age)[0-9]+$`)
)

// isTemp reports whether rel, a slash-separated path relative to the
// config dir, is a temporary file of an interrupted write.
func isTemp(rel string) bool {
	if name, ok := strings.CutPrefix(rel, testenv.SecretsDirName+"/"); ok {
		return secretsTempPattern.MatchString(name)
	}
	return tempPattern.MatchString(rel)
}

// tempFiles lists the temporary files of config dir dir and of its
// secrets directory (full paths).
func tempFiles(dir string) []string {
	var out []string
	for _, sub := range []string{"", testenv.SecretsDirName} {
		ents, _ := os.ReadDir(filepath.Join(dir, sub))
		for _, e := range ents {
			if rel := path.Join(sub, e.Name()); e.Type().IsRegular() && isTemp(rel) {
				out = append(out, filepath.Join(dir, rel))
			}
		}
	}
	return out
}

// doctorJSON is the part of doctor --json the tests read.
type doctorJSON struct {
	Answers       bool     `json:"answers"`
	OrphanSecrets []string `json:"orphan_secrets"`
	OrphanTokens  []string `json:"orphan_tokens"`
	UnknownItems  []string `json:"unknown_items"`
	UnknownTokens []string `json:"unknown_tokens"`
	// Orphans and Unknown name the items as doctor prints them ("secret
	// x", "cached token y").
	Orphans    []string `json:"-"`
	Unknown    []string `json:"-"`
	Missing    []string `json:"missing_secrets"`
	Unfinished []string `json:"unfinished"`
	Mismatched []string `json:"mismatched"`
	Temps      []string `json:"temp_files"`
	Hints      []string `json:"hints"`
}

// doctor runs doctor --json in A.
func (w *world) doctor(t testing.TB) (doctorJSON, testenv.Result) {
	t.Helper()
	r := w.a.In(t).Run("", "doctor", "--json")
	var d doctorJSON
	if err := json.Unmarshal([]byte(r.Stdout), &d); err != nil {
		t.Fatalf("doctor --json printed no JSON: %v\n%s", err, r)
	}
	name := func(kind string, names []string) (out []string) {
		for _, n := range names {
			out = append(out, kind+n)
		}
		return out
	}
	d.Orphans = append(name("secret ", d.OrphanSecrets), name("cached token ", d.OrphanTokens)...)
	d.Unknown = append(name("secret ", d.UnknownItems), name("cached token ", d.UnknownTokens)...)
	return d, r
}

// sameSet reports whether a and b hold the same strings.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// checkOptions qualify check.
type checkOptions struct {
	// works runs credwiz test --all at the end: every credential must
	// pass (its secret reached the vendor).
	works bool
	// keepLeftovers skips doctor --fix (and what follows it).
	keepLeftovers bool
}

// check is the whole check after a kill or a failure: A's credentials are
// pairs and its state is one of cands; doctor reports exactly the
// leftovers; doctor --fix removes them and leaves only what the
// credentials use; secret-tool finds each credential's current secret
// map; B is untouched. It returns the state found.
func (w *world) check(t testing.TB, o checkOptions, cands ...state) state {
	t.Helper()
	before := w.observe(t)
	st := before.st
	if !slices.ContainsFunc(cands, func(c state) bool { return maps.Equal(c, st) }) {
		t.Errorf("the credentials are %v: neither the state before nor the one after the command (%v)", st, cands)
	}
	orphans, unfinished, temps, foreign := leftovers(before, w.a.ConfigDir)
	d, r := w.doctor(t)
	switch {
	case !d.Answers:
		t.Errorf("doctor: the secret store does not answer:\n%s", r)
	case !sameSet(d.Orphans, orphans):
		t.Errorf("doctor reports leftovers %q, want %q (items: %v)\n%s", d.Orphans, orphans, before.items, r)
	case !sameSet(d.Unfinished, unfinished):
		t.Errorf("doctor reports unfinished writes %q, want %q\n%s", d.Unfinished, unfinished, r)
	case !sameSet(d.Temps, temps):
		t.Errorf("doctor reports temporary files %q, want %q\n%s", d.Temps, temps, r)
	case !sameSet(d.Unknown, foreign):
		t.Errorf("doctor reports other config dirs' items %q, want %q\n%s", d.Unknown, foreign, r)
	case len(d.Missing)+len(d.Mismatched) > 0:
		t.Errorf("doctor reports missing %q and mismatched %q secrets\n%s", d.Missing, d.Mismatched, r)
	}
	dirty := len(orphans)+len(unfinished)+len(temps) > 0
	if dirty {
		w.dirty++
	}
	if i := slices.IndexFunc(cands, func(c state) bool { return maps.Equal(c, st) }); i >= 0 && i < 2 && len(cands) == 2 && !maps.Equal(cands[0], cands[1]) {
		w.matched[i]++
	}
	if want := map[bool]int{true: 1, false: 0}[dirty]; r.Code != want {
		t.Errorf("doctor exit %d, want %d (leftovers: %v)\n%s", r.Code, want, dirty, r)
	}
	w.checkB(t)
	if o.keepLeftovers {
		return st
	}

	if r := w.a.In(t).Run("", "doctor", "--fix"); r.Code != 0 {
		t.Errorf("doctor --fix: want exit 0:\n%s", r)
	}
	after := w.observe(t)
	if !maps.Equal(after.st, st) {
		t.Errorf("doctor --fix changed the credentials from %v to %v", st, after.st)
	}
	w.checkClean(t, after)
	if d, r := w.doctor(t); r.Code != 0 || len(d.Orphans)+len(d.Unfinished)+len(d.Temps) > 0 {
		t.Errorf("doctor after doctor --fix: want exit 0 and no leftovers:\n%s", r)
	}
	w.checkB(t)
	if o.works && len(st) > 0 {
		if r := w.a.In(t).Run("", "test", "--all"); r.Code != 0 {
			t.Errorf("the credentials do not work after the repair:\n%s", r)
		}
	}
	return st
}

// checkClean checks that A holds exactly what its credentials use: their
// canonical items at their secret revision, holding exactly the current
// secret map (looked up with secret-tool too on the keychain), and tokens
// of their current revision; no staged item, orphan or temporary file.
func (w *world) checkClean(t testing.TB, o observed) {
	t.Helper()
	for _, c := range o.ix.Credentials {
		if c.SecretItem != "" {
			t.Errorf("%s still points to its staged item %q", c.Name, c.SecretItem)
		}
		want := w.secretOf(testenv.Marker(c.Fields["client_id"]))
		if it, ok := o.items.Get(testenv.SecretService, c.Name); ok && !maps.Equal(it.Values, want) {
			t.Errorf("%s: its item is not exactly the current secret map (it holds the keys %v, marked %q; want %v, marked %q)",
				c.Name, slices.Sorted(maps.Keys(it.Values)), testenv.Marker(it.Values["client_secret"]),
				slices.Sorted(maps.Keys(want)), testenv.Marker(c.Fields["client_id"]))
		}
		if w.kind == testenv.Keychain {
			raw, ok := w.a.Keyring.Lookup(t, testenv.SecretService, c.Name)
			var got map[string]string
			if ok {
				_ = json.Unmarshal([]byte(raw), &got)
			}
			if !maps.Equal(got, want) {
				t.Errorf("secret-tool lookup service credwiz username %s = %q, want the current secret map (marked %s)",
					c.Name, raw, testenv.Marker(c.Fields["client_id"]))
			}
		}
	}
	orphans, unfinished, temps, _ := leftovers(o, w.a.ConfigDir)
	if len(orphans)+len(unfinished)+len(temps) > 0 {
		t.Errorf("after doctor --fix: leftovers %q, unfinished %q, temporary files %q", orphans, unfinished, temps)
	}
	for _, it := range ownedBy(o.items, o.ix.ID) {
		if _, _, _, staged := testenv.StagedName(it.Account); staged {
			t.Errorf("after doctor --fix: staged item %s is left", it)
		}
	}
}

// checkB checks that nothing of B changed.
func (w *world) checkB(t testing.TB) {
	t.Helper()
	if w.b == nil {
		return
	}
	ix := testenv.ReadIndex(t, w.b.ConfigDir)
	if string(ix.Raw) != string(w.bIndex) {
		t.Errorf("the other config dir's index changed")
	}
	now := ownedBy(w.b.Keyring.Items(t), ix.ID)
	if !slices.EqualFunc(now, w.bItems, func(a, b testenv.Item) bool {
		return a.Key() == b.Key() && a.Owner == b.Owner && a.Raw == b.Raw
	}) {
		t.Errorf("the other config dir's items changed: %v, were %v", now, w.bItems)
	}
}

// snapshot is A's files and, for the keychain, every item of the keyring.
type snapshot struct {
	dir   string
	items testenv.Items
}

// save records A in a directory of the test's.
func (w *world) save(t testing.TB) snapshot {
	t.Helper()
	s := snapshot{dir: filepath.Join(t.TempDir(), "snap")}
	testenv.CopyDir(t, w.a.ConfigDir, s.dir)
	if w.kind == testenv.Keychain {
		s.items = w.a.Keyring.Items(t)
	}
	return s
}

// restore puts A back as s recorded it.
func (w *world) restore(t testing.TB, s snapshot) {
	t.Helper()
	testenv.CopyDir(t, s.dir, w.a.ConfigDir)
	if w.kind == testenv.Keychain {
		w.a.Keyring.Replace(t, s.items)
	}
}
