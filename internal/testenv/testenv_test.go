//go:build linux

package testenv

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	dbus "github.com/godbus/dbus/v5"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// TestKeyringItems writes an item with an owner over D-Bus and reads it
// back with Items and with secret-tool.
func TestKeyringItems(t *testing.T) {
	t.Parallel()
	k := StartKeyring(t)
	want := Item{Service: SecretService, Account: "h-1", Owner: Owner{Dir: "abc", Rev: 7}, Values: map[string]string{"api_key": "k-1"}}
	k.Put(t, want)
	k.Put(t, Item{Service: TokenService, Account: "h-1", Raw: "not json"})
	items := k.Items(t)
	if got := items.Keys(); strings.Join(got, ",") != "credwiz-token/h-1,credwiz/h-1" {
		t.Fatalf("items = %v", got)
	}
	got, _ := items.Get(SecretService, "h-1")
	if got.Owner != want.Owner || got.Values["api_key"] != "k-1" || got.Raw != `{"api_key":"k-1"}` {
		t.Errorf("read back %+v, want %+v", got, want)
	}
	if tok, _ := items.Get(TokenService, "h-1"); tok.Values != nil || tok.Owner != (Owner{}) {
		t.Errorf("token item %+v: want no values (not JSON) and no owner", tok)
	}
	if v, ok := k.Lookup(t, SecretService, "h-1"); !ok || v != `{"api_key":"k-1"}` {
		t.Errorf("secret-tool lookup = %q, %v", v, ok)
	}
	k.Replace(t, Items{want})
	if got := k.Items(t).Keys(); len(got) != 1 {
		t.Errorf("after Replace: %v", got)
	}
	k.Remove(t, SecretService, "h-1")
	if _, ok := k.Lookup(t, SecretService, "h-1"); ok {
		t.Error("secret-tool still finds the removed item")
	}
}

// TestMarkedFront: a marked secret passes the front, a wrong one does
// not, and the emulator itself refuses the marked one.
func TestMarkedFront(t *testing.T) {
	t.Parallel()
	em := Demandbase(t, EmulatorOptions{})
	front := MarkedFront(t, em.URL())
	v := em.Values()
	post := func(base, id, secret string) int {
		body := `{"grantType":"client_credentials","clientId":"` + id + `","clientSecret":"` + secret + `"}`
		resp, err := http.Post(base+"/auth/v1/token", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if c := post(front, Mark(v["client_id"], "rev-3"), Mark(v["client_secret"], "rev-3")); c != 200 {
		t.Errorf("marked values through the front: status %d, want 200", c)
	}
	if c := post(front, v["client_id"], "wrong"+MarkSep+"rev-3"); c == 200 {
		t.Error("a wrong secret passed the front")
	}
	if c := post(front, Mark(v["client_id"], "rev-3"), Mark(v["client_secret"], "rev-4")); c != 401 {
		t.Errorf("a client ID and a secret of different markers: status %d, want 401", c)
	}
	if c := post(em.URL(), v["client_id"], Mark(v["client_secret"], "rev-3")); c == 200 {
		t.Error("the emulator itself accepted a marked secret")
	}
	if Marker("a~rev-9") != "rev-9" || Unmark("a~rev-9") != "a" || Marker("plain") != "" {
		t.Error("Mark/Marker/Unmark disagree")
	}
}

// TestRunAndKillAt runs the binary, and stops a hook build at a store
// step and kills it there.
func TestRunAndKillAt(t *testing.T) {
	t.Parallel()
	s := New(t, Options{Store: File, Hooks: true})
	r := s.Run("", "--version")
	if r.Code != 0 || !strings.Contains(r.Stdout, "credwiz") {
		t.Fatalf("--version:\n%s", r)
	}
	if r := s.Run("", "no-such-command"); r.Code != 2 {
		t.Errorf("an unknown command: want exit 2:\n%s", r)
	}
	add := Cmd{Args: []string{"add", "drift", "--name", "k1", "--field", "base_url=http://127.0.0.1:9", "--secrets-stdin", "--no-test"},
		Stdin: "api_key=" + Mark("key", "rev-1") + "\n"}
	r, paused := s.KillAt("index-committed", 1, add)
	if !paused || !r.Killed() {
		t.Fatalf("KillAt: paused %v:\n%s", paused, r)
	}
	if ix := ReadIndex(t, s.ConfigDir); len(ix.Credentials) != 1 || ix.Credentials[0].Name != "k1" {
		t.Errorf("after the kill past the commit: index %v", ix.Names())
	}
	if r, paused := s.KillAt("no-such-step", 1, Cmd{Args: []string{"list"}}); paused || r.Code != 0 {
		t.Errorf("KillAt a step never reached: paused %v:\n%s", paused, r)
	}
	items := s.FileItems()
	if it, ok := items.Get(SecretService, "k1"); !ok || Marker(it.Values["api_key"]) != "rev-1" || it.Owner.Dir == "" {
		t.Errorf("file store items: %v", items)
	}
}

// TestOpenGateFills makes a tmpfs full right before the second new file
// is opened in a directory: the first write works, the second fails with
// ENOSPC.
func TestOpenGateFills(t *testing.T) {
	t.Parallel()
	mnt := Tmpfs(t, 256<<10)
	dir := filepath.Join(mnt, "config")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	f := NewFiller(filepath.Join(mnt, "filler"))
	g := NewOpenGate(t, dir, func(rel string) bool { return strings.HasPrefix(path.Base(rel), "w") })
	g.Before(2, func() {
		if err := f.Fill(); err != nil {
			t.Error(err)
		}
	})
	// Another process writes, as credwiz would.
	write := func(name string) error {
		return runShell(t, "printf %4096s x > "+filepath.Join(dir, name))
	}
	if err := write("w1"); err != nil {
		t.Fatalf("first write: %v", err)
	}
	if err := write("w2"); err == nil {
		t.Fatal("the second write worked on a full file system")
	}
	if got := g.Opens(); strings.Join(got, ",") != "w1,w2" {
		t.Errorf("opens = %v", got)
	}
	if err := f.Release(); err != nil {
		t.Fatal(err)
	}
	if err := write("w3"); err != nil {
		t.Errorf("a write after Release: %v", err)
	}
	if Free(t, mnt) <= 0 {
		t.Error("no space after Release")
	}
	// A directory made under dir since the gate started is watched after
	// Reset; its files match by their path relative to dir.
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	g.Reset()
	if err := write("sub/w4"); err != nil {
		t.Fatal(err)
	}
	if err := write("sub/x5"); err != nil {
		t.Fatal(err)
	}
	if got := g.Opens(); strings.Join(got, ",") != "sub/w4" {
		t.Errorf("opens in a new subdirectory = %v", got)
	}
}

// runShell runs a shell command in another process.
func runShell(t *testing.T, script string) error {
	t.Helper()
	var errOut bytes.Buffer
	cmd := exec.Command("sh", "-c", script)
	cmd.Stderr = &errOut
	if err := cmd.Run(); err != nil {
		return errors.Join(err, errors.New(errOut.String()))
	}
	return nil
}

// TestFileItems reads a file store credwiz wrote: a credential's item and
// the staged item of an edit killed past its commit point (an account
// whose file name is escaped), with their owners from the headers.
func TestFileItems(t *testing.T) {
	t.Parallel()
	s := New(t, Options{Store: File, Hooks: true})
	add := Cmd{Args: []string{"add", "drift", "--name", "k1", "--field", "base_url=http://127.0.0.1:9", "--secrets-stdin", "--no-test"},
		Stdin: "api_key=" + Mark("key", "rev-1") + "\n"}
	if r := s.RunCmd(add); r.Code != 0 {
		t.Fatalf("add:\n%s", r)
	}
	if items := s.FileItems(); len(items) != 1 {
		t.Fatalf("after the add: items %v", items)
	}
	edit := Cmd{Args: []string{"edit", "k1", "--secrets-stdin", "--no-test"}, Stdin: "api_key=" + Mark("key", "rev-2") + "\n"}
	if _, paused := s.KillAt("index-committed", 1, edit); !paused {
		t.Fatal("the edit did not pause at index-committed")
	}
	ix := ReadIndex(t, s.ConfigDir)
	c, ok := ix.Get("k1")
	if !ok || c.SecretItem == "" {
		t.Fatalf("index after the kill: %s", ix.Raw)
	}
	items := s.Items()
	if got, want := strings.Join(items.Keys(), ","), "credwiz/k1,credwiz/"+c.SecretItem; got != want {
		t.Fatalf("items %s, want %s", got, want)
	}
	for _, w := range []struct {
		account, marker string
		rev             int64
	}{{"k1", "rev-1", 1}, {c.SecretItem, "rev-2", c.SecretRevision}} {
		it, _ := items.Get(SecretService, w.account)
		if it.Owner != (Owner{Dir: ix.ID, Rev: w.rev}) || Marker(it.Values["api_key"]) != w.marker || it.Raw != `{"api_key":"`+Mark("key", w.marker)+`"}` {
			t.Errorf("%s: owner %s, raw %q; want owner %s/%d and marker %s", w.account, it.Owner, it.Raw, ix.ID, w.rev, w.marker)
		}
		path := filepath.Join(s.ConfigDir, SecretsDirName, ItemFileName(SecretService, w.account))
		if _, err := os.Stat(path); err != nil {
			t.Errorf("%s: %v", w.account, err)
		}
	}
	if name := ItemFileName(SecretService, c.SecretItem); strings.ContainsAny(name, "#@") || !strings.Contains(name, "%23r") {
		t.Errorf("the staged item's file name %q is not escaped", name)
	}
}

// TestItemFileNames: names round-trip; only the canonical escape is a name.
func TestItemFileNames(t *testing.T) {
	for _, acct := range []string{"k1", "prod-db_2", "k1#r12@0a1b", "Üx.y/z", "%41"} {
		svc, got, ok := ParseItemFileName(ItemFileName(TokenService, acct))
		if !ok || svc != TokenService || got != acct {
			t.Errorf("%q: parsed back as %q, %q, %v", acct, svc, got, ok)
		}
	}
	for _, name := range []string{"credwiz.k1", "credwiz.k%31.age", "credwiz.k%2f.age", "credwiz.K1.age", "credwiz..age",
		".k1.age", "credwiz.k%2.age", "credwiz.k1.x.age", "credwiz.k%+F.age"} {
		if svc, acct, ok := ParseItemFileName(name); ok {
			t.Errorf("%q parsed as %q, %q", name, svc, acct)
		}
	}
}

// TestItemHeader reads the credwiz-item stanza and refuses headers
// without exactly one.
func TestItemHeader(t *testing.T) {
	const magic = "age-encryption.org/v1\n"
	const x = "-> X25519 abc\nAAAA\n"
	tests := []struct {
		name, data string
		svc        string
		owner      Owner
		ok         bool
	}{
		{"owner", magic + "-> credwiz-item credwiz 0a1b%2F7 h1\n\n" + x + "--- mac\nbody", "credwiz", Owner{"0a1b", 7}, true},
		{"no owner", magic + x + "-> credwiz-item credwiz-token none -\n\n--- mac\n", "credwiz-token", Owner{}, true},
		{"none", magic + x + "--- mac\n", "", Owner{}, false},
		{"two", magic + "-> credwiz-item a none -\n\n-> credwiz-item a none -\n\n--- mac\n", "", Owner{}, false},
		{"no end", magic + "-> credwiz-item a none -\n\n", "", Owner{}, false},
		{"bad owner", magic + "-> credwiz-item a 0a1b/7 -\n\n--- mac\n", "", Owner{}, false},
		{"two args", magic + "-> credwiz-item a none\n\n--- mac\n", "", Owner{}, false},
		{"not age", "age-encryption.org/v2\n--- mac\n", "", Owner{}, false},
	}
	for _, tc := range tests {
		svc, owner, err := ItemHeader([]byte(tc.data))
		if (err == nil) != tc.ok || svc != tc.svc || owner != tc.owner {
			t.Errorf("%s: got %q, %v, %v", tc.name, svc, owner, err)
		}
	}
}

// TestScryptWorkFactorHookOnly: CREDWIZ_TEST_SCRYPT_WORK_FACTOR lowers
// the scrypt work factor of a new file store's identity in a HookTag
// build only; the shipped binary ignores it and keeps the default (18).
func TestScryptWorkFactorHookOnly(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		hooks bool
		want  string
	}{{false, "18"}, {true, "10"}} {
		s := New(t, Options{Store: File, Hooks: tc.hooks, ScryptWorkFactor: 10})
		add := Cmd{Args: []string{"add", "drift", "--name", "k1", "--field", "base_url=http://127.0.0.1:9", "--secrets-stdin", "--no-test"},
			Stdin: "api_key=" + RandomHex(12) + "\n"}
		if r := s.RunCmd(add); r.Code != 0 {
			t.Fatalf("add (hooks %v):\n%s", tc.hooks, r)
		}
		data, err := os.ReadFile(filepath.Join(s.ConfigDir, SecretsDirName, IdentityFileName))
		if err != nil {
			t.Fatal(err)
		}
		if got := scryptLogN(data); got != tc.want {
			t.Errorf("hooks %v: identity.age's scrypt work factor is %q, want %s", tc.hooks, got, tc.want)
		}
	}
}

// scryptLogN returns the work factor of an age file's scrypt stanza
// ("-> scrypt SALT LOGN"), or "" when it has none.
func scryptLogN(data []byte) string {
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "---") {
			break
		}
		if f := strings.Fields(line); len(f) == 4 && f[0] == "->" && f[1] == "scrypt" {
			return f[3]
		}
	}
	return ""
}

// TestKeyringReadsAgainAfterACrash: when gnome-keyring dies in the middle
// of the OpenSession a read starts (the bus answers NoReply), the read
// dials again, the bus starts the daemon again, and the read finds what
// was saved. A stand-in takes the service's name and leaves the bus
// without answering, as the crashed daemon did.
func TestKeyringReadsAgainAfterACrash(t *testing.T) {
	t.Parallel()
	k := StartKeyring(t)
	want := Item{Service: SecretService, Account: "crash-1", Owner: Owner{Dir: "abc", Rev: 2}, Values: map[string]string{"api_key": "k-2"}}
	k.Put(t, want)

	standIn := TakeSecretServiceName(t, k.Addr)
	var calls atomic.Int32
	if err := standIn.ExportMethodTable(map[string]any{
		"OpenSession": func(string, dbus.Variant) (dbus.Variant, dbus.ObjectPath, *dbus.Error) {
			calls.Add(1)
			_ = standIn.Close() // leaves the bus: the caller gets NoReply
			return dbus.MakeVariant(""), "/", nil
		},
	}, ssPath, ssService); err != nil {
		t.Fatal(err)
	}

	r := KeyringAt(k.Addr)
	defer r.Stop()
	got, ok := r.Items(t, SecretService).Get(SecretService, "crash-1")
	if n := calls.Load(); n != 1 {
		t.Fatalf("the stand-in got %d OpenSession calls, want 1 (the test staged nothing)", n)
	}
	if !ok || got.Values["api_key"] != "k-2" || got.Owner != want.Owner {
		t.Errorf("after the crash the read found %+v (found %v), want %+v", got, ok, want)
	}
}
