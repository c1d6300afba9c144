package ui

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
)

// TestTokenJSONCarriesTheConnectorsExtras: token --json prints the extras
// the connector keeps with its token (Salesforce: the instance URL scripts
// call the API at), from the cache as from a fresh exchange.
func TestTokenJSONCarriesTheConnectorsExtras(t *testing.T) {
	e := newTestEnv(t)
	em, _ := sfSetup(t, e) // caches a token
	for _, fresh := range []bool{false, true} {
		if fresh {
			e.tokens.Delete(sfName)
		}
		r := e.run("", "token", sfName, "--json")
		if r.code != 0 {
			t.Fatalf("token --json: exit %d: %s", r.code, r.err)
		}
		var got map[string]any
		if err := json.Unmarshal([]byte(r.out), &got); err != nil {
			t.Fatalf("token --json: %v\n%s", err, r.out)
		}
		if got["cached"] != !fresh || got["instance_url"] != em.URL() || got["access_token"] == "" || got["id"] == nil {
			t.Errorf("token --json (fresh %v) = %s; want the instance and identity URLs", fresh, r.out)
		}
	}
}

// TestTokenWithControlsIsRefusedOnATerminal: a vendor's access token that
// holds a C1 control, a bidi override or a line separator is not written
// to a terminal (the error names the first such character); redirected,
// token prints it exactly, and --json escapes it.
func TestTokenWithControlsIsRefusedOnATerminal(t *testing.T) {
	e := newTestEnv(t)
	em := connectortest.New("demandbase").(*connectortest.Demandbase)
	t.Cleanup(em.Close)
	c, _ := connectors.Lookup("demandbase")
	args, stdin := addArgs(c, "hd", em.Values())
	if r := e.run(stdin, append(args, "--no-test")...); r.code != 0 {
		t.Fatalf("add: exit %d: %s", r.code, r.err)
	}
	const hostile = "tok\u009b2J\u202eabc\u2028def"
	em.Rewrite(func(r *http.Request, a *connectortest.Answer) {
		if strings.HasSuffix(r.URL.Path, "/token") {
			a.Body = []byte(`{"accessToken":"tok\u009b2J\u202eabc\u2028def","tokenType":"bearer","expiresIn":28800}`)
		}
	})
	r := e.runIO(func(s *IOStreams) { s.OutTTY = true }, "", "token", "hd")
	if r.code != 1 || r.out != "" || !strings.Contains(r.err, "U+009B") || !strings.Contains(r.err, "redirect stdout") {
		t.Fatalf("token on a terminal: exit %d, stdout %q, stderr %q; want a refusal naming U+009B", r.code, r.out, r.err)
	}
	if c, bad := rawUnsafe(r.err, true); bad {
		t.Errorf("the refusal printed a raw %U: %q", c, r.err)
	}
	r = e.run("", "token", "hd")
	if r.code != 0 || r.out != hostile+"\n" {
		t.Fatalf("token redirected: exit %d, stdout %q (%s); want the exact token", r.code, r.out, r.err)
	}
	r = e.runIO(func(s *IOStreams) { s.OutTTY = true }, "", "token", "hd", "--json")
	var got map[string]any
	if err := json.Unmarshal([]byte(r.out), &got); r.code != 0 || err != nil || got["access_token"] != hostile {
		t.Fatalf("token --json on a terminal: exit %d, %v: %s (%s)", r.code, err, r.out, r.err)
	}
	if c, bad := rawUnsafe(r.out, true); bad {
		t.Errorf("token --json printed a raw %U", c)
	}
}
