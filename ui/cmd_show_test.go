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

// TestShowFailureSaysNext: show of a credential whose last test was
// rejected names the next step (credwiz reauth NAME), as test does.
func TestShowFailureSaysNext(t *testing.T) {
	e := newTestEnv(t)
	em := connectortest.NewDrift()
	defer em.Close()
	c, _ := connectors.Lookup("drift")
	args, stdin := addArgs(c, "sf", em.Values())
	if r := e.run(stdin, args...); r.code != 0 {
		t.Fatalf("add: exit %d: %s", r.code, r.err)
	}
	em.SetToken("another-token-0123456789")
	if r := e.run("", "test", "sf"); r.code == 0 {
		t.Fatalf("test with a revoked token: exit 0: %s", r.err)
	}
	r := e.run("", "show", "sf")
	if r.code != 0 || !strings.Contains(r.out, "Failure") || !strings.Contains(r.out, "credwiz reauth sf") {
		t.Errorf("show: exit %d: %s", r.code, r.out)
	}
}
