package ui

import (
	"cmp"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
	"github.com/credwiz/credwiz/internal/vaulttest"
)

// pointIndexAt rewrites the Vault index of folder so that it lists every
// credential with key set to value, as whoever may write the index (and
// nothing else) can; the entries stay as they are.
func pointIndexAt(t *testing.T, folder, key, value string) {
	t.Helper()
	ac := vaulttest.Admin(t).Logical()
	s, err := ac.Read("secret/data/" + folder + "/@index")
	if err != nil || s == nil {
		t.Fatalf("read the index: %v", err)
	}
	raw := s.Data["data"].(map[string]any)["index"].(string)
	var doc map[string]any
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatal(err)
	}
	for _, c := range doc["credentials"].([]any) {
		c.(map[string]any)["fields"].(map[string]any)[key] = value
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ac.Write("secret/data/"+folder+"/@index", map[string]any{"data": map[string]any{"index": string(b)}}); err != nil {
		t.Fatal(err)
	}
}

// Whoever may write the Vault index only cannot harvest secrets: with the
// index pointing a credential's base URL at their server, test and test
// --all send nothing there (nor to the real vendor), fail in one line
// that says what to do, and record nothing; token, env and exec use the
// entry's settings; after doctor --fix, test passes again.
func TestVaultTamperedIndexSendsNoSecret(t *testing.T) {
	for _, id := range []string{"demandbase", "drift"} {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			c, _ := connectors.Lookup(id)
			folder := vaulttest.Folder(t)
			alice := newVaultEnv(t, folder, "alice@laptop", "")
			bob := newVaultEnv(t, folder, "bob@desk", "")
			vendor, hostile := connectortest.New(id), connectortest.New(id)
			defer vendor.Close()
			defer hostile.Close()
			v := vendor.Values()
			args, stdin := addArgs(c, "vx", v)
			must(t, alice.run(stdin, args...), 0, "add")
			pointIndexAt(t, folder, "base_url", hostile.URL())
			before := len(vendor.Requests())

			var outputs []string
			for _, a := range [][]string{{"test", "vx"}, {"test", "--all"}, {"test", "--all", "--json"}} {
				r := must(t, bob.run("", a...), 1, strings.Join(a, " "))
				outputs = append(outputs, r.out, r.err)
				if !strings.Contains(r.out+r.err, "doctor --fix") {
					t.Errorf("%v does not say what to do:\n%s%s", a, r.out, r.err)
				}
			}
			if n := len(hostile.Requests()); n != 0 {
				t.Fatalf("the server the index names got %d requests: %v", n, hostile.Requests())
			}
			if n := len(vendor.Requests()) - before; n != 0 {
				t.Fatalf("the vendor got %d requests from a refused test", n)
			}
			r := must(t, bob.run("", "token", "vx"), 0, "token")
			outputs = append(outputs, r.err)
			r = must(t, bob.run("", "env", "vx", "--format", "json", "--reveal"), 0, "env")
			if !strings.Contains(r.out, vendor.URL()) || strings.Contains(r.out, hostile.URL()) {
				t.Errorf("env does not use the entry's base URL:\n%s", r.out)
			}
			if n := len(hostile.Requests()); n != 0 {
				t.Fatalf("token or env reached the server the index names: %v", hostile.Requests())
			}
			must(t, bob.run("", "doctor", "--fix"), 0, "doctor --fix")
			must(t, bob.run("", "test", "vx"), 0, "test after the fix")
			for _, o := range outputs {
				for _, s := range secretValues(c, v) {
					if strings.Contains(o, s) {
						t.Errorf("a secret reached the output:\n%s", o)
					}
				}
			}
		})
	}
}

// A secret field stays secret whatever the entry's bookkeeping says
// (which anyone who may write the entry can edit): show and list never
// print it, show still lists it masked, and the index never gets it.
func TestVaultBookkeepingCannotRevealASecret(t *testing.T) {
	// other: the connector the patched entry claims as well ("" keeps
	// drift's): a key some connector keeps secret is never a setting.
	for _, other := range []string{"", "uppromote"} {
		t.Run("connector "+cmp.Or(other, "kept"), func(t *testing.T) {
			t.Parallel()
			c, _ := connectors.Lookup("drift")
			folder := vaulttest.Folder(t)
			alice := newVaultEnv(t, folder, "alice@laptop", "")
			em := connectortest.New("drift")
			defer em.Close()
			v := em.Values()
			args, stdin := addArgs(c, "vdr", v)
			must(t, alice.run(stdin, args...), 0, "add")

			ac := vaulttest.Admin(t).Logical()
			s, err := ac.Read("secret/data/" + folder + "/vdr")
			if err != nil || s == nil {
				t.Fatal(err)
			}
			var book map[string]any
			if err := json.Unmarshal([]byte(s.Data["data"].(map[string]any)["_credwiz"].(string)), &book); err != nil {
				t.Fatal(err)
			}
			book["secret_keys"], book["field_keys"] = []string{}, []string{"base_url", "api_key"}
			nb, _ := json.Marshal(book)
			patch := map[string]any{"_credwiz": string(nb)}
			if other != "" {
				patch["_connector"] = other
			}
			if _, err := ac.JSONMergePatch(t.Context(), "secret/data/"+folder+"/vdr", map[string]any{"data": patch}); err != nil {
				t.Fatal(err)
			}
			bob := newVaultEnv(t, folder, "bob@desk", "")
			var outs []string
			for _, a := range [][]string{{"show", "vdr", "--json"}, {"list", "--json"}, {"show", "vdr"}, {"doctor", "--fix"}} {
				r := bob.run("", a...)
				outs = append(outs, r.out, r.err)
				if other == "" && r.code != 0 {
					t.Errorf("%v: exit %d:\n%s%s", a, r.code, r.out, r.err)
				}
				if other == "" && a[0] == "show" && len(a) == 2 && !strings.Contains(r.out, "API Key Value") {
					t.Errorf("show no longer lists the key:\n%s", r.out)
				}
			}
			idx, err := ac.Read("secret/data/" + folder + "/@index")
			if err != nil || idx == nil {
				t.Fatal(err)
			}
			outs = append(outs, idx.Data["data"].(map[string]any)["index"].(string))
			for _, o := range outs {
				if strings.Contains(o, v["api_key"]) {
					t.Fatalf("the key reached an output or the index:\n%s", o)
				}
			}
		})
	}
}

// A change made to a credential's Vault entry directly (vault kv patch of
// its description, here) leaves credwiz's index behind: test and test
// --all test the credential as the entry now is, instead of failing on a
// conflict every time until something else corrects the index.
func TestVaultTestAfterAnOutsideChange(t *testing.T) {
	t.Parallel()
	c, _ := connectors.Lookup("drift")
	folder := vaulttest.Folder(t)
	alice := newVaultEnv(t, folder, "alice@laptop", "")
	vendor := connectortest.New("drift")
	defer vendor.Close()
	args, stdin := addArgs(c, "vp", vendor.Values())
	must(t, alice.run(stdin, args...), 0, "add")
	ac := vaulttest.Admin(t).Logical()
	s, err := ac.Read("secret/data/" + folder + "/vp")
	if err != nil || s == nil {
		t.Fatalf("read the entry: %v", err)
	}
	data := s.Data["data"].(map[string]any)
	data["_description"] = "changed in Vault"
	if _, err := ac.Write("secret/data/"+folder+"/vp", map[string]any{"data": data}); err != nil {
		t.Fatal(err)
	}
	for _, a := range [][]string{{"test", "vp"}, {"test", "--all"}} {
		r := alice.run("", a...)
		if r.code != 0 {
			t.Errorf("%v after an outside change: exit %d:\n%s%s", a, r.code, r.out, r.err)
		}
	}
}
