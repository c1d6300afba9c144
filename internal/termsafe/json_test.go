package termsafe

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// TestJSONNeedsEscaping shows why JSON exists: encoding/json writes bidi
// controls, zero-width characters, C1 controls and DEL as they are.
func TestJSONNeedsEscaping(t *testing.T) {
	in := "orgId:\u202e42 \u200b \u009b2J \x7f \u2028 \x1b]0;t\x07"
	raw, err := json.Marshal(map[string]string{"account": in})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"\u202e", "\u200b", "\u009b", "\x7f"} {
		if !bytes.Contains(raw, []byte(c)) {
			t.Errorf("encoding/json escapes %q now; JSON may no longer be needed for it", c)
		}
	}
	got := JSON(raw)
	want := `{"account":"orgId:\u202e42 \u200b \u009b2J \u007f \u2028 \u001b]0;t\u0007"}`
	if string(got) != want {
		t.Errorf("JSON(%s)\n = %s\nwant %s", raw, got, want)
	}
	var back map[string]string
	if err := json.Unmarshal(got, &back); err != nil || back["account"] != in {
		t.Errorf("JSON's output decodes to %q (%v), want %q", back["account"], err, in)
	}
}

func TestJSONUnchanged(t *testing.T) {
	in := []byte("[\n  {\"name\": \"prod\", \"d\": \"Zürich ❤️\"}\n]\n")
	if got := JSON(in); &got[0] != &in[0] || !bytes.Equal(got, in) {
		t.Errorf("JSON changed or copied a document with nothing to escape: %s", got)
	}
}

func TestJSONSupplementary(t *testing.T) {
	raw, _ := json.Marshal("tag\U000e0041")
	if got, want := string(JSON(raw)), `"tag\udb40\udc41"`; got != want {
		t.Errorf("JSON(%s) = %s, want %s", raw, got, want)
	}
}

func FuzzJSON(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Add("Zürich ❤️")
	f.Fuzz(func(t *testing.T, s string) {
		raw, err := json.MarshalIndent(map[string]any{"v": s, "list": []string{s, "x"}}, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		got := JSON(raw)
		var want, back any
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("JSON(%s) = %s: not JSON: %v", raw, got, err)
		}
		wantJ, _ := json.Marshal(want)
		backJ, _ := json.Marshal(back)
		if !bytes.Equal(wantJ, backJ) {
			t.Fatalf("JSON changed a value: %s → %s", raw, got)
		}
		if !utf8.Valid(got) {
			t.Fatalf("JSON(%s) is not valid UTF-8", raw)
		}
		for _, r := range string(got) {
			if Unsafe(r) && r != '\n' {
				t.Fatalf("JSON(%s) = %s holds %U", raw, got, r)
			}
		}
		if again := JSON(got); !bytes.Equal(again, got) {
			t.Fatalf("not idempotent: %s → %s", got, again)
		}
	})
}
