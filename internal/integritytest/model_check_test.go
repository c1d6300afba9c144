//go:build linux

package integritytest

import (
	"testing"

	"github.com/anishathalye/porcupine"
)

// hOp builds an operation for the model's unit tests.
func hOp(client int, call, ret int64, in hInput, out hOutput) porcupine.Operation {
	return porcupine.Operation{ClientId: client, Input: in, Output: out, Call: call, Return: ret}
}

// view is a read's view of h1 (h2 absent).
func view(desc, marker string, url int, tested bool) hOutput {
	var o hOutput
	o.OK = true
	o.View[0] = hView{Exists: true, Desc: desc, Marker: marker, URL: url, Tested: tested}
	return o
}

// finalView is a final read's view of h1.
func finalView(desc, marker string, tested bool, secret, tok string) hOutput {
	o := view(desc, marker, 0, tested)
	o.View[0].Secret, o.View[0].Tok = secret, tok
	return o
}

var ok = hOutput{OK: true}

// TestModelCatches checks that the model accepts the right histories and
// refuses the wrong ones an unsafe write protocol produces, so that the
// history checker can fail.
func TestModelCatches(t *testing.T) {
	t.Parallel()
	add := hInput{Op: "add", Name: "h1", Desc: "A", Marker: "m1"}
	cases := []struct {
		name string
		want porcupine.CheckResult
		ops  []porcupine.Operation
	}{
		{"add then read", porcupine.Ok, []porcupine.Operation{
			hOp(0, 0, 1, add, ok),
			hOp(0, 2, 3, hInput{Op: "read"}, view("A", "m1", 0, true)),
		}},
		{"an add that fails on a free name, the store answering", porcupine.Illegal, []porcupine.Operation{
			hOp(0, 0, 1, add, hOutput{}),
		}},
		{"an add that fails on a free name because the store did not answer", porcupine.Ok, []porcupine.Operation{
			hOp(0, 0, 1, add, hOutput{Unavailable: true}),
			hOp(0, 2, 3, add, ok),
		}},
		{"an add that failed on an unavailable store, yet saved", porcupine.Illegal, []porcupine.Operation{
			hOp(0, 0, 1, add, hOutput{Unavailable: true}),
			hOp(0, 2, 3, hInput{Op: "read"}, view("A", "m1", 0, true)),
		}},
		{"a read before a concurrent edit returns may see either", porcupine.Ok, []porcupine.Operation{
			hOp(0, 0, 1, add, ok),
			hOp(0, 2, 10, hInput{Op: "edit-values", Name: "h1", Desc: "B", Marker: "m2"}, ok),
			hOp(1, 3, 4, hInput{Op: "read"}, view("A", "m1", 0, true)),
			hOp(1, 5, 6, hInput{Op: "read"}, view("B", "m2", 0, false)),
		}},
		{"a read after an edit sees the old values", porcupine.Illegal, []porcupine.Operation{
			hOp(0, 0, 1, add, ok),
			hOp(0, 2, 3, hInput{Op: "edit-values", Name: "h1", Desc: "B", Marker: "m2"}, ok),
			hOp(1, 4, 5, hInput{Op: "read"}, view("A", "m1", 0, true)),
		}},
		{"a lost update: two edits of different fields both succeed, one is gone", porcupine.Illegal, []porcupine.Operation{
			hOp(0, 0, 1, add, ok),
			hOp(0, 2, 10, hInput{Op: "edit-url", Name: "h1", URL: 1}, ok),
			hOp(1, 3, 4, hInput{Op: "edit-desc", Name: "h1", Desc: "B"}, ok),
			hOp(1, 11, 12, hInput{Op: "read"}, view("A", "m1", 1, false)),
		}},
		{"a pass shown for values never tested", porcupine.Illegal, []porcupine.Operation{
			hOp(0, 0, 1, add, ok),
			hOp(0, 2, 3, hInput{Op: "edit-values", Name: "h1", Desc: "A", Marker: "m2"}, ok),
			hOp(1, 4, 5, hInput{Op: "read"}, view("A", "m2", 0, true)),
		}},
		{"a test of the old values during an edit certifies the edited ones", porcupine.Illegal, []porcupine.Operation{
			hOp(0, 0, 1, add, ok),
			hOp(0, 3, 4, hInput{Op: "edit-values", Name: "h1", Desc: "A", Marker: "m2"}, ok),
			hOp(1, 2, 5, hInput{Op: "test", Name: "h1"}, hOutput{OK: true, Tested: "m1"}),
			hOp(1, 6, 7, hInput{Op: "read"}, view("A", "m2", 0, true)),
		}},
		{"a test of the old values during an edit", porcupine.Ok, []porcupine.Operation{
			hOp(0, 0, 1, add, ok),
			hOp(0, 3, 4, hInput{Op: "edit-values", Name: "h1", Desc: "A", Marker: "m2"}, ok),
			hOp(1, 2, 5, hInput{Op: "test", Name: "h1"}, hOutput{OK: true, Tested: "m1"}),
			hOp(1, 6, 7, hInput{Op: "read"}, view("A", "m2", 0, false)),
		}},
		{"the token of the old secret after an edit", porcupine.Illegal, []porcupine.Operation{
			hOp(0, 0, 1, add, ok),
			hOp(0, 2, 3, hInput{Op: "token", Name: "h1"}, hOutput{OK: true, Token: "T1"}),
			hOp(0, 4, 5, hInput{Op: "edit-values", Name: "h1", Desc: "A", Marker: "m2"}, ok),
			hOp(0, 6, 7, hInput{Op: "token", Name: "h1"}, hOutput{OK: true, Token: "T1"}),
		}},
		{"a fresh token after an edit", porcupine.Ok, []porcupine.Operation{
			hOp(0, 0, 1, add, ok),
			hOp(0, 2, 3, hInput{Op: "token", Name: "h1"}, hOutput{OK: true, Token: "T1"}),
			hOp(0, 4, 5, hInput{Op: "edit-values", Name: "h1", Desc: "A", Marker: "m2"}, ok),
			hOp(0, 6, 7, hInput{Op: "token", Name: "h1"}, hOutput{OK: true, Token: "T2"}),
			hOp(0, 8, 9, hInput{Op: "token", Name: "h1"}, hOutput{OK: true, Token: "T2"}),
		}},
		{"a deleted credential comes back", porcupine.Illegal, []porcupine.Operation{
			hOp(0, 0, 1, add, ok),
			hOp(0, 2, 10, hInput{Op: "reauth", Name: "h1", Marker: "m2"}, ok),
			hOp(1, 3, 4, hInput{Op: "rm", Name: "h1"}, ok),
			hOp(1, 11, 12, hInput{Op: "read"}, view("A", "m2", 0, true)),
		}},
		{"a killed edit may or may not have happened", porcupine.Ok, []porcupine.Operation{
			hOp(0, 0, 1, add, ok),
			hOp(0, 2, 3, hInput{Op: "edit-values", Name: "h1", Desc: "B", Marker: "m2"}, hOutput{Killed: true}),
			hOp(0, 4, 5, hInput{Op: "read"}, view("B", "m2", 0, false)),
		}},
		{"a killed read shows nothing", porcupine.Ok, []porcupine.Operation{
			hOp(0, 0, 1, add, ok),
			hOp(0, 2, 3, hInput{Op: "read"}, hOutput{Killed: true}),
		}},
		{"metadata and secret not one pair", porcupine.Illegal, []porcupine.Operation{
			hOp(0, 0, 1, add, ok),
			hOp(0, 2, 3, hInput{Op: "edit-values", Name: "h1", Desc: "B", Marker: "m2"}, hOutput{Killed: true}),
			hOp(0, 4, 5, hInput{Op: "final"}, finalView("B", "m2", false, "m1", "")),
		}},
		{"a deleted credential's secret is left", porcupine.Illegal, []porcupine.Operation{
			hOp(0, 0, 1, add, ok),
			hOp(0, 2, 3, hInput{Op: "rm", Name: "h1"}, ok),
			hOp(0, 4, 5, hInput{Op: "final"}, func() hOutput { o := hOutput{OK: true}; o.View[0].Secret = "m1"; return o }()),
		}},
		{"a stale token cached at the end", porcupine.Illegal, []porcupine.Operation{
			hOp(0, 0, 1, add, ok),
			hOp(0, 2, 3, hInput{Op: "token", Name: "h1"}, hOutput{OK: true, Token: "T1"}),
			hOp(0, 4, 5, hInput{Op: "reauth", Name: "h1", Marker: "m2"}, ok),
			hOp(0, 6, 7, hInput{Op: "final"}, finalView("A", "m2", true, "m2", "T1")),
		}},
	}
	m := hModel.ToModel()
	for _, c := range cases {
		if got := porcupine.CheckOperations(m, c.ops); (got && c.want != porcupine.Ok) || (!got && c.want == porcupine.Ok) {
			t.Errorf("%s: linearizable = %v, want %s", c.name, got, c.want)
		}
	}
}

// TestBrokenModelFails checks a real-looking history against a model
// that forgets descriptions: the checker must call it illegal.
func TestBrokenModelFails(t *testing.T) {
	t.Parallel()
	broken := hModel
	broken.Step = func(state, input, output any) []any {
		in := input.(hInput)
		if in.Op == "edit-desc" {
			in.Desc = "forgotten"
		}
		return hStep(state.(hState), in, output.(hOutput))
	}
	ops := []porcupine.Operation{
		hOp(0, 0, 1, hInput{Op: "add", Name: "h1", Desc: "A", Marker: "m1"}, ok),
		hOp(0, 2, 3, hInput{Op: "edit-desc", Name: "h1", Desc: "B"}, ok),
		hOp(0, 4, 5, hInput{Op: "read"}, view("B", "m1", 0, true)),
	}
	if !porcupine.CheckOperations(hModel.ToModel(), ops) {
		t.Fatal("the real model refuses a legal history")
	}
	if porcupine.CheckOperations(broken.ToModel(), ops) {
		t.Error("the checker accepted a history its (broken) model cannot produce")
	}
}
