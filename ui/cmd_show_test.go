package ui

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
)

// TestShowMasksBySecretKind: show masks passwords, security tokens and
// client secrets completely; keys and tokens show at most their last 4
// characters. Checked for every secret field of every connector, in the
// text and the JSON output.
func TestShowMasksBySecretKind(t *testing.T) {
	for _, c := range connectors.All() {
		t.Run(c.ID, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			em := connectortest.New(c.ID)
			defer em.Close()
			v := em.Values()
			name := "show-" + c.ID
			args, stdin := addArgs(c, name, v)
			if r := e.run(stdin, args...); r.code != 0 {
				t.Fatalf("add: exit %d: %s", r.code, r.err)
			}
			text := e.run("", "show", name)
			js := e.run("", "show", name, "--json")
			if text.code != 0 || js.code != 0 {
				t.Fatalf("show: exit %d, %d: %s %s", text.code, js.code, text.err, js.err)
			}
			var shown struct {
				Secrets map[string]string `json:"secrets"`
			}
			if err := json.Unmarshal([]byte(js.out), &shown); err != nil {
				t.Fatalf("show --json: %v\n%s", err, js.out)
			}
			for _, fd := range c.Fields {
				val := v[fd.Key]
				if !fd.Secret || val == "" {
					continue
				}
				r := []rune(val)
				tail := string(r[len(r)-4:])
				want := "••••••••"
				if fd.Mask == connectors.MaskTail && len(r) >= 12 {
					want += tail
				}
				if got := shown.Secrets[fd.Key]; got != want {
					t.Errorf("%s shown as %q; want %q", fd.Key, got, want)
				}
				if !strings.Contains(text.out, fd.Title) || !strings.Contains(text.out, want) {
					t.Errorf("show lacks %s: %s", fd.Title, text.out)
				}
				if fd.Mask == connectors.MaskAll && (strings.Contains(text.out, tail) || strings.Contains(js.out, tail)) {
					t.Errorf("show reveals the last characters of %s (%q):\n%s\n%s", fd.Key, tail, text.out, js.out)
				}
			}
		})
	}
}
