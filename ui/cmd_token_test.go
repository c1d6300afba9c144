package ui

import (
	"encoding/json"
	"testing"
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
