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
		// The names as written, and escaped ("exp\u0069ring" is
		// "expiring" too).
		for name, unknown := range map[string]string{
			"later":  `{"expiring":"soon","previous_test":{"at":1},"secrets":{"api_key":"x"},"password_never_expires":true,"zzz":[1,2]}`,
			"later2": `{"exp\u0069ring":true,"s\u0065crets":{"api_key":"FAKE"},"password_never_\u0065xpires":true,"zzz":[1,2]}`,
		} {
			tx.Put(store.Credential{Name: name, Connector: "drift", Fields: map[string]string{"base_url": "https://driftapi.com"},
				SecretKeys: []string{"api_key"}, Unknown: jsontext.Value(unknown)})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"later", "later2"} {
		if err := e.secrets.Set(name, store.Item{Values: map[string]string{"api_key": "drift-key-0123456789"}}); err != nil {
			t.Fatal(err)
		}
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
		if v, ok := got["password_never_expires"]; ok {
			t.Errorf("%s: password_never_expires = %s, from the index (Drift passwords do not expire)", what, v)
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
	if err := json.Unmarshal([]byte(r.out), &list); err != nil || len(list) != 2 {
		t.Fatalf("list --json: %v, %d elements\n%s", err, len(list), r.out)
	}
	check("list --json", string(list[0]))
	check("list --json", string(list[1]))
	for _, name := range []string{"later", "later2"} {
		r = e.run("", "show", name, "--json")
		if r.code != 0 {
			t.Fatalf("show %s --json: exit %d: %s", name, r.code, r.err)
		}
		check("show "+name+" --json", r.out)
	}
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

// TestWithoutOutputMembers: the members named like the ones --json adds
// are dropped, however their names are spelt; the others are kept as
// written, in order, long ones too.
func TestWithoutOutputMembers(t *testing.T) {
	long := strings.Repeat("x", 100000)
	in := `{"a":1,"exp\u0069ring":true,"b":"` + long + `","secrets":{"k":"v"},"c\u0064":[1, 2],"untested_change":true}`
	want := `{"a":1,"b":"` + long + `","c\u0064":[1, 2]}`
	if got := string(withoutOutputMembers(jsontext.Value(in))); got != want {
		t.Errorf("got %.200s…, want %.200s…", got, want)
	}
	if got := withoutOutputMembers(jsontext.Value(`{"expiring":1}`)); got != nil {
		t.Errorf("only output members: got %s, want none", got)
	}
	if got := string(withoutOutputMembers(jsontext.Value(`{"zzz":1}`))); got != `{"zzz":1}` {
		t.Errorf("nothing to drop: got %s", got)
	}
}
