//go:build linux

package testenv

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
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
	g := NewOpenGate(t, dir, func(name string) bool { return strings.HasPrefix(name, "w") })
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
