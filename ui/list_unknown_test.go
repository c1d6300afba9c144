package ui

import (
	"context"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/credwiz/credwiz/store"
)

// TestJSONOutputWithLaterMembers: an index written by a later credwiz may
// hold, in a credential, members this version does not know, some named
// as members list --json and show --json add (expiring, previous_test).
// The output names each member once, with this version's value, and
// keeps the other unknown members as they are.
func TestJSONOutputWithLaterMembers(t *testing.T) {
	e := newTestEnv(t)
	err := e.index().Update(context.Background(), func(tx *store.Tx) error {
		tx.Put(store.Credential{Name: "later", Connector: "drift", Fields: map[string]string{"base_url": "https://driftapi.com"},
			SecretKeys: []string{"api_key"},
			Unknown:    jsontext.Value(`{"expiring":"soon","previous_test":{"at":1},"secrets":{"api_key":"x"},"zzz":[1,2]}`)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.secrets.Set("later", store.Item{Values: map[string]string{"api_key": "drift-key-0123456789"}}); err != nil {
		t.Fatal(err)
	}
	check := func(what, out string) {
		t.Helper()
		// A strict decode: a member named twice is an error.
		var got map[string]jsontext.Value
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%s: the output is not one JSON object with each member once: %v\n%s", what, err, out)
		}
		zzz := got["zzz"]
		if err := zzz.Compact(); err != nil || string(zzz) != "[1,2]" {
			t.Errorf("%s: the unknown member zzz = %s, want [1,2] kept", what, zzz)
		}
		if string(got["expiring"]) != "false" {
			t.Errorf("%s: expiring = %s, want this version's false", what, got["expiring"])
		}
		if v, ok := got["previous_test"]; ok {
			t.Errorf("%s: previous_test = %s, from the index; want none (never tested)", what, v)
		}
		if v, ok := got["secrets"]; ok && !strings.Contains(string(v), "6789") {
			t.Errorf("%s: secrets = %s, from the index; want show's masked values or none", what, v)
		}
	}
	r := e.run("", "list", "--json")
	if r.code != 0 {
		t.Fatalf("list --json: exit %d: %s", r.code, r.err)
	}
	var list []jsontext.Value
	if err := json.Unmarshal([]byte(r.out), &list); err != nil || len(list) != 1 {
		t.Fatalf("list --json: %v, %d elements\n%s", err, len(list), r.out)
	}
	check("list --json", string(list[0]))
	r = e.run("", "show", "later", "--json")
	if r.code != 0 {
		t.Fatalf("show --json: exit %d: %s", r.code, r.err)
	}
	check("show --json", r.out)
}

// TestListJSONOneElementPerLine: list --json on a pipe writes the array
// with one credential per line (line tools such as grep and head work on
// it), and the same values as indented on a terminal.
func TestListJSONOneElementPerLine(t *testing.T) {
	e := newTestEnv(t)
	err := e.index().Update(context.Background(), func(tx *store.Tx) error {
		for _, n := range []string{"a", "b", "c"} {
			tx.Put(store.Credential{Name: n, Connector: "drift", Fields: map[string]string{"base_url": "https://driftapi.com"},
				SecretKeys: []string{"api_key"}, LastTest: &store.TestResult{OK: true, Account: "acct"}})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	r := e.run("", "list", "--json")
	lines := strings.Split(strings.TrimSuffix(r.out, "\n"), "\n")
	if r.code != 0 || len(lines) != 5 || lines[0] != "[" || lines[4] != "]" {
		t.Fatalf("list --json on a pipe: exit %d, %d lines, want [, one line per credential, ]:\n%s", r.code, len(lines), r.out)
	}
	for i, l := range lines[1:4] {
		var v map[string]jsontext.Value
		if err := json.Unmarshal([]byte(strings.TrimSuffix(l, ",")), &v); err != nil || v["name"] == nil {
			t.Errorf("line %d is not one credential: %v\n%s", i+2, err, l)
		}
	}
}
