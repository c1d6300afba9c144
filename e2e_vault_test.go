package main

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"

	"github.com/credwiz/credwiz/connectors/connectortest"
	"github.com/credwiz/credwiz/internal/vaulttest"
)

// vaultStore is the sandbox kind of the Vault store.
const vaultStore storeKind = "vault"

// vaultSandbox is a teammate's machine using the Vault store: a sandbox
// whose environment points the vault conventions (VAULT_ADDR, VAULT_TOKEN)
// at a server, and whose every run names the folder.
type vaultSandbox struct {
	*sandbox
	folder string
}

// newVaultSandbox returns a sandbox on folder of the Vault at addr, with
// token. The Secret Service, when there is one, caches access tokens.
func newVaultSandbox(t *testing.T, addr, token, folder string) *vaultSandbox {
	t.Helper()
	s := newSandbox(t, vaultStore)
	s.env = append(s.env, "VAULT_ADDR="+addr, "VAULT_TOKEN="+token)
	if a := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" {
		s.env = append(s.env, "DBUS_SESSION_BUS_ADDRESS="+a)
	}
	return &vaultSandbox{sandbox: s, folder: folder}
}

// v runs credwiz args with the folder named.
func (s *vaultSandbox) v(stdin string, args ...string) result {
	s.t.Helper()
	return s.run(stdin, append(args, "--vault-path", s.folder)...)
}

// vmust is v, which must exit 0.
func (s *vaultSandbox) vmust(stdin string, args ...string) result {
	s.t.Helper()
	r := s.v(stdin, args...)
	if r.code != 0 {
		s.t.Fatalf("want exit 0:\n%s", r)
	}
	return r
}

// vlist is list --json, decoded.
func (s *vaultSandbox) vlist() []credJSON {
	s.t.Helper()
	var creds []credJSON
	decodeJSON(s.t, s.vmust("", "list", "--json"), &creds)
	return creds
}

// failsInOneLine fails unless r failed with exit 1 and one line of stderr that
// holds every want.
func failsInOneLine(t *testing.T, r result, want ...string) {
	t.Helper()
	msg := strings.TrimSpace(r.stderr)
	if r.code != 1 || strings.Contains(msg, "\n") {
		t.Fatalf("want exit 1 and one line:\n%s", r)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Fatalf("stderr does not say %q:\n%s", w, r)
		}
	}
}

// noSecretIn fails when any secret is in any output or any file under
// the sandboxes' roots.
func noSecretIn(t *testing.T, outs []string, secrets []string, boxes ...*vaultSandbox) {
	t.Helper()
	for _, o := range outs {
		for _, s := range secrets {
			if strings.Contains(o, s) {
				t.Errorf("a secret value reached the output:\n%s", o)
			}
		}
	}
	for _, b := range boxes {
		_ = filepath.WalkDir(b.configDir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			data, _ := os.ReadFile(p)
			for _, s := range secrets {
				if strings.Contains(string(data), s) {
					t.Errorf("%s holds a secret value", p)
				}
			}
			return nil
		})
	}
}

// TestE2EVaultTeam: two teammates through the binary on one Vault folder:
// what one adds the other lists, tests, gets a token for, re-authenticates
// and edits; the history names the versions; rm says an admin can
// recover it, rm --destroy destroys every version. Nothing secret reaches
// an output or a local file.
func TestE2EVaultTeam(t *testing.T) {
	addr, root := vaulttest.Require(t)
	t.Parallel()
	folder := vaulttest.Folder(t)
	alice := newVaultSandbox(t, addr, root, folder)
	bob := newVaultSandbox(t, addr, root, folder)
	em := startEmulator(t, "demandbase").(*connectortest.Demandbase)
	v := em.Values()
	name := "team-db-" + runID
	var outs []string
	keep := func(r result) result { outs = append(outs, r.stdout, r.stderr); return r }

	r := keep(alice.vmust("client_secret="+v["client_secret"]+"\n", "add", "demandbase", "--name", name, "--description", "feed v1",
		"--field", "base_url="+v["base_url"], "--field", "client_id="+v["client_id"], "--secrets-stdin"))
	if !strings.Contains(r.stderr, "in Vault (secret/"+folder+" on "+addr+")") {
		t.Fatalf("add does not say where:\n%s", r)
	}
	creds := bob.vlist()
	if len(creds) != 1 || creds[0].Name != name || creds[0].LastTest == nil || !creds[0].LastTest.OK {
		t.Fatalf("bob's list: %+v", creds)
	}
	keep(bob.vmust("", "test", name))
	r = bob.vmust("", "token", name)
	outs = append(outs, r.stderr)
	tok := strings.TrimSpace(r.stdout)
	if tok == "" {
		t.Fatalf("token printed nothing:\n%s", r)
	}
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		issued := em.TokensIssued()
		if again := bob.vmust("", "token", name); strings.TrimSpace(again.stdout) != tok || em.TokensIssued() != issued {
			t.Errorf("the second token call did not use the token cached in the keychain")
		}
	}
	r = keep(bob.vmust("", "show", name))
	if !strings.Contains(r.stdout, "••••••••") || !strings.Contains(r.stdout, "feed v1") {
		t.Errorf("show:\n%s", r)
	}

	// Bob rotates the secret: Alice's next token uses the new one.
	em.SetSecret("rotated-" + randomHex(8))
	keep(bob.vmust("client_secret=rotated-"+"x\n", "reauth", name, "--secrets-stdin", "--force"))
	newSecret := "rotated-" + randomHex(8)
	em.SetSecret(newSecret)
	keep(bob.vmust("client_secret="+newSecret+"\n", "reauth", name, "--secrets-stdin"))
	r = alice.vmust("", "token", name)
	outs = append(outs, r.stderr)
	if strings.TrimSpace(r.stdout) == "" {
		t.Fatalf("alice's token after the rotation:\n%s", r)
	}
	keep(alice.vmust("", "edit", name, "--description", "feed v2", "--no-test"))
	creds = bob.vlist()
	if creds[0].Description != "feed v2" || creds[0].LastTest == nil || !creds[0].LastTest.OK {
		t.Fatalf("bob does not see alice's edit with the last test: %+v", creds[0])
	}
	r = keep(bob.vmust("", "history", name))
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 4 || !strings.Contains(lines[0], "changed base_url, client_id, client_secret, connector, description") ||
		!strings.Contains(lines[2], "changed client_secret") || !strings.Contains(lines[3], "changed description") || !strings.Contains(lines[0], "@") {
		t.Fatalf("history:\n%s", r)
	}

	// Alice's config dir records only the store and its folder.
	raw, err := os.ReadFile(filepath.Join(alice.configDir, "credentials.json"))
	if err != nil || !strings.Contains(string(raw), `"store": "vault"`) || !strings.Contains(string(raw), `"path": "`+folder+`"`) ||
		!strings.Contains(string(raw), `"credentials": []`) {
		t.Fatalf("alice's credentials.json: %s (%v)", raw, err)
	}
	// Recorded: no flag needed any more.
	if r := alice.run("", "list"); r.code != 0 || !strings.Contains(r.stdout, name) {
		t.Fatalf("list without --vault-path:\n%s", r)
	}
	if r := alice.run("", "list", "--vault-path", "elsewhere"); r.code != 1 || !strings.Contains(r.stderr, "records the Vault folder secret/"+folder) {
		t.Fatalf("another folder than the recorded one:\n%s", r)
	}

	if r := bob.v("", "rm", name); r.code != 2 || !strings.Contains(r.stderr, "--yes") {
		t.Fatalf("rm without --yes off a terminal:\n%s", r)
	}
	r = keep(bob.vmust("", "rm", name, "--yes"))
	if !strings.Contains(r.stderr, "a Vault admin can recover version 4") {
		t.Fatalf("rm:\n%s", r)
	}
	if creds := alice.vlist(); len(creds) != 0 {
		t.Fatalf("alice still lists %v", names(creds))
	}
	ac, _ := vaulttest.API(addr, root)
	if s, err := ac.Logical().ReadWithData("secret/data/"+folder+"/"+name, map[string][]string{"version": {"3"}}); err != nil || s == nil {
		t.Fatalf("an admin cannot read the older version: %v", err)
	}
	keep(alice.vmust("client_secret="+newSecret+"\n", "add", "demandbase", "--name", name,
		"--field", "base_url="+v["base_url"], "--field", "client_id="+v["client_id"], "--secrets-stdin"))
	r = keep(alice.vmust("", "rm", name, "--yes", "--destroy"))
	if !strings.Contains(r.stderr, "Destroyed every version") {
		t.Fatalf("rm --destroy:\n%s", r)
	}
	m, err := ac.Logical().Read("secret/metadata/" + folder + "/" + name)
	if err != nil || m == nil {
		t.Fatalf("metadata after destroy: %v", err)
	}
	for ver, meta := range m.Data["versions"].(map[string]any) {
		if meta.(map[string]any)["destroyed"] != true {
			t.Fatalf("version %s survived rm --destroy", ver)
		}
	}
	noSecretIn(t, outs, []string{v["client_secret"], newSecret, root}, alice, bob)
}

// TestE2EVaultReadOnly: with a token that may only read, list, show, test
// and token work, and test says its results are not recorded; add, edit,
// reauth and rm fail at once with one line naming the path and the
// capability, and send nothing to the vendor.
func TestE2EVaultReadOnly(t *testing.T) {
	addr, root := vaulttest.Require(t)
	t.Parallel()
	folder := vaulttest.Folder(t)
	alice := newVaultSandbox(t, addr, root, folder)
	em := startEmulator(t, "drift")
	v := em.Values()
	stdin := "api_key=" + v["api_key"] + "\n"
	alice.vmust(stdin, "add", "drift", "--name", "shared", "--field", "base_url="+v["base_url"], "--secrets-stdin")
	ro := newVaultSandbox(t, addr, vaulttest.TokenWithPolicy(t, vaulttest.ReadOnlyRules(folder), "1h"), folder)
	ro.vmust("", "list")
	ro.vmust("", "show", "shared")
	if r := ro.vmust("", "token", "shared"); strings.TrimSpace(r.stdout) != v["api_key"] {
		t.Fatalf("token:\n%s", r)
	}
	r := ro.vmust("", "test", "shared")
	if !strings.Contains(r.stderr, "could not record the test results") || !strings.Contains(r.stderr, "update on secret/data/"+folder+"/@index") {
		t.Fatalf("test:\n%s", r)
	}
	before := em.TokensIssued()
	data := "secret/data/" + folder
	failsInOneLine(t, ro.v(stdin, "add", "drift", "--name", "mine", "--field", "base_url="+v["base_url"], "--secrets-stdin"), "update on "+data+"/mine")
	failsInOneLine(t, ro.v("", "edit", "shared", "--description", "x"), "update on "+data+"/shared", "ask a Vault admin")
	failsInOneLine(t, ro.v(stdin, "reauth", "shared", "--secrets-stdin"), "update on "+data+"/shared")
	failsInOneLine(t, ro.v("", "rm", "shared", "--yes"), "update on "+data+"/shared")
	if em.TokensIssued() != before {
		t.Fatal("a refused command sent the secret to the vendor")
	}
}

// TestE2EVaultConcurrentEdits: teammates change one credential's secret
// at the same moment through the binary: at least one lands, every other
// is told that a teammate changed it and that nothing was saved, and the
// credential is one pair (its description names its secret).
func TestE2EVaultConcurrentEdits(t *testing.T) {
	addr, root := vaulttest.Require(t)
	t.Parallel()
	folder := vaulttest.Folder(t)
	em := startEmulator(t, "drift")
	v := em.Values()
	first := newVaultSandbox(t, addr, root, folder)
	first.vmust("api_key=drift-key-0\n", "add", "drift", "--name", "hot", "--description", "d-0", "--field", "base_url="+v["base_url"], "--secrets-stdin", "--no-test")
	for round := range 3 {
		var wg sync.WaitGroup
		const n = 6
		results := make([]result, n)
		for i := range n {
			sb := newVaultSandbox(t, addr, root, folder)
			wg.Go(func() {
				tag := fmt.Sprintf("%d-%d", round, i)
				results[i] = sb.runNoFatal("api_key=drift-key-"+tag+"\n", "edit", "hot", "--description", "d-"+tag, "--secrets-stdin", "--no-test", "--vault-path", folder)
			})
		}
		wg.Wait()
		won := 0
		for _, r := range results {
			switch {
			case r.code == 0:
				won++
			case r.code == 1 && strings.Contains(r.stderr, "was changed by another credwiz") && strings.Contains(r.stderr, "nothing was saved"):
			default:
				t.Fatalf("round %d: neither saved nor told:\n%s", round, r)
			}
		}
		if won == 0 {
			t.Fatalf("round %d: no edit landed", round)
		}
		assertVaultPair(t, first, "hot")
	}
}

// assertVaultPair fails unless name's description "d-X" matches its
// secret "drift-key-X" (Drift's token is its key).
func assertVaultPair(t *testing.T, sb *vaultSandbox, name string) {
	t.Helper()
	creds := sb.vlist()
	c, ok := find(creds, name)
	if !ok {
		t.Fatalf("%s is gone: %v", name, names(creds))
	}
	tok := strings.TrimSpace(sb.vmust("", "token", name).stdout)
	if "drift-key-"+strings.TrimPrefix(c.Description, "d-") != tok {
		t.Fatalf("%s is a mixed pair: description %q, secret %q", name, c.Description, tok)
	}
}

// TestE2EVaultKilledAtRandom kills edits and renames at random moments
// (SIGKILL): the credential is always one pair, under one name, and doctor
// --fix leaves nothing to fix.
func TestE2EVaultKilledAtRandom(t *testing.T) {
	addr, root := vaulttest.Require(t)
	t.Parallel()
	folder := vaulttest.Folder(t)
	em := startEmulator(t, "drift")
	v := em.Values()
	sb := newVaultSandbox(t, addr, root, folder)
	sb.vmust("api_key=drift-key-0\n", "add", "drift", "--name", "k0", "--description", "d-0", "--field", "base_url="+v["base_url"], "--secrets-stdin", "--no-test")
	current := "k0"
	const kills = 60
	for i := 1; i <= kills; i++ {
		args := []string{"edit", current, "--description", fmt.Sprintf("d-%d", i), "--secrets-stdin", "--no-test", "--vault-path", folder}
		next := current
		if i%4 == 0 {
			next = fmt.Sprintf("k%d", i)
			args = append(args, "--name", next)
		}
		cmd := exec.Command(credwizBin, args...)
		cmd.Env = sb.env
		cmd.Stdin = strings.NewReader(fmt.Sprintf("api_key=drift-key-%d\n", i))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rand.IntN(60)) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		creds := sb.vlist()
		if len(creds) != 1 {
			t.Fatalf("kill %d: %v listed (a rename is whole or not at all)", i, names(creds))
		}
		if got := creds[0].Name; got != current && got != next {
			t.Fatalf("kill %d: %s listed, want %s or %s", i, got, current, next)
		}
		current = creds[0].Name
		assertVaultPair(t, sb, current)
	}
	sb.vmust("", "doctor", "--fix")
	if r := sb.v("", "doctor"); r.code != 0 {
		t.Fatalf("doctor after --fix:\n%s", r)
	}
}

// TestE2EVaultServerTrouble: a sealed server, a stopped one, a hanging
// one (bounded by --timeout), a missing token, a KV version 1 mount, a
// missing mount: each command fails with one line saying what and what to
// do next.
func TestE2EVaultServerTrouble(t *testing.T) {
	vaulttest.Require(t)
	t.Parallel()
	srv := vaulttest.StartDevServer(t)
	folder := "credwiz"
	sb := newVaultSandbox(t, srv.Addr, srv.Token, folder)
	em := startEmulator(t, "drift")
	v := em.Values()
	sb.vmust("api_key="+v["api_key"]+"\n", "add", "drift", "--name", "d", "--field", "base_url="+v["base_url"], "--secrets-stdin")

	ac, err := vaulttest.API(srv.Addr, srv.Token)
	if err != nil {
		t.Fatal(err)
	}
	v1 := "kv1"
	if err := ac.Sys().Mount(v1, &api.MountInput{Type: "kv", Options: map[string]string{"version": "1"}}); err != nil {
		t.Fatal(err)
	}
	other := newVaultSandbox(t, srv.Addr, srv.Token, folder)
	failsInOneLine(t, other.run("", "list", "--vault-mount", v1), "KV version 1", "enable-versioning")
	failsInOneLine(t, other.run("", "list", "--vault-mount", "nowhere"), "no secrets engine is mounted at nowhere/", "--vault-mount")
	notoken := newVaultSandbox(t, srv.Addr, "", folder)
	failsInOneLine(t, notoken.v("", "list"), "no Vault token", "VAULT_TOKEN")

	if err := ac.Sys().Seal(); err != nil {
		t.Fatal(err)
	}
	failsInOneLine(t, sb.run("", "list"), "is sealed", "vault operator unseal")
	failsInOneLine(t, sb.run("", "token", "d"), "is sealed")
	srv.Stop()
	failsInOneLine(t, sb.run("", "list"), "refused the connection", "VAULT_ADDR")

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	hang := newVaultSandbox(t, "http://"+l.Addr().String(), "hvs.fake", folder)
	failsInOneLine(t, hang.v("", "list", "--timeout", "300ms"), "did not answer within 300ms", "--timeout")
}
