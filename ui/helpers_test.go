package ui

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/store"
)

// testEnv is one credwiz "machine" for in-process command tests: a config
// dir, in-memory secret and token stores shared by every run, and an
// environment.
type testEnv struct {
	t       *testing.T
	dir     string
	secrets *store.Memory
	tokens  *store.Memory
	env     map[string]string
	now     func() time.Time
	real    bool // the real OS keychain instead of the in-memory stores
	// open, when set, opens the store instead (the Vault store's tests).
	open func(store.Options) (*store.Store, error)
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	dir := t.TempDir()
	return &testEnv{t: t, dir: dir, secrets: store.NewMemory(), tokens: store.NewMemory(),
		env: map[string]string{"CREDWIZ_CONFIG_DIR": dir}, now: time.Now}
}

// factory returns a fresh Factory over the env's stores and streams.
func (e *testEnv) factory(io *IOStreams) *Factory {
	return &Factory{
		IO:      io,
		Version: "test",
		Now:     func() time.Time { return e.now() },
		Getenv:  func(k string) string { return e.env[k] },
		Environ: func() []string {
			var out []string
			for k, v := range e.env {
				out = append(out, k+"="+v)
			}
			return out
		},
		Connectors: connectors.All,
		OpenStore: func(o store.Options) (*store.Store, error) {
			if e.open != nil {
				return e.open(o)
			}
			if e.real {
				return store.Open(o)
			}
			return &store.Store{Index: store.NewIndex(o.Dir), Secrets: e.secrets, Tokens: e.tokens, Kind: store.KindMemory}, nil
		},
		Timeout: 5 * time.Second,
	}
}

// result is one command run.
type result struct {
	out, err string
	code     int
}

// run runs credwiz with args and stdin (not a terminal) through Main, as
// main does.
func (e *testEnv) run(stdin string, args ...string) result {
	e.t.Helper()
	io, out, errOut := testIO(stdin)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code := Main(ctx, e.factory(io), args)
	return result{out: out.String(), err: errOut.String(), code: code}
}

// index returns the env's metadata index.
func (e *testEnv) index() *store.Index { return store.NewIndex(e.dir) }

// snapshot returns every file's bytes under the config dir and every
// secret and token, to prove a failed command changed nothing.
func (e *testEnv) snapshot() map[string]string {
	e.t.Helper()
	snap := map[string]string{}
	entries, _ := os.ReadDir(e.dir)
	for _, de := range entries {
		if strings.HasSuffix(de.Name(), ".lock") {
			continue
		}
		b, err := os.ReadFile(e.dir + "/" + de.Name())
		if err != nil {
			e.t.Fatal(err)
		}
		snap["file:"+de.Name()] = string(b)
	}
	for svc, m := range map[string]*store.Memory{"secret": e.secrets, "token": e.tokens} {
		items, _ := m.List()
		for _, l := range items {
			it, _ := m.Get(l.Account)
			snap[svc+":"+l.Account+":owner"] = it.Owner.String()
			for k, val := range it.Values {
				snap[svc+":"+l.Account+":"+k] = val
			}
		}
	}
	return snap
}

// addArgs returns the scripted add command line and stdin for values v.
func addArgs(c *connectors.Connector, name string, v connectors.Values) ([]string, string) {
	args := []string{"add", c.ID, "--name", name, "--secrets-stdin"}
	var stdin strings.Builder
	for _, fd := range c.Fields {
		val, ok := v[fd.Key]
		if !ok {
			continue
		}
		if fd.Secret {
			stdin.WriteString(fd.Key + "=" + val + "\n")
		} else {
			args = append(args, "--field", fd.Key+"="+val)
		}
	}
	return args, stdin.String()
}

// secretValues returns the secret values of v for c.
func secretValues(c *connectors.Connector, v connectors.Values) []string {
	var out []string
	for _, k := range c.SecretKeys() {
		if v[k] != "" {
			out = append(out, v[k])
		}
	}
	return out
}

// secretValues returns the values of the secret item of account (nil if
// there is none).
func (e *testEnv) secretValues(account string) map[string]string {
	it, _ := e.secrets.Get(account)
	return it.Values
}

// secretValuesErr is secretValues with the error.
func (e *testEnv) secretValuesErr(account string) (map[string]string, error) {
	it, err := e.secrets.Get(account)
	return it.Values, err
}

// putCredential writes c into the index as is (no secret), one
// transaction.
func putCredential(ix *store.Index, c store.Credential) error {
	return ix.Update(context.Background(), func(tx *store.Tx) error { tx.Put(c); return nil })
}

// testIO returns streams over buffers, none a terminal, and the buffers.
func testIO(stdin string) (s *IOStreams, out, errOut *bytes.Buffer) {
	out, errOut = &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: bytes.NewBufferString(stdin), Out: out, ErrOut: errOut, NoColor: true,
		Width: func() int { return 80 }}, out, errOut
}
