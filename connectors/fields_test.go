package connectors_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/credwiz/credwiz/connectors"
)

func TestAllInDisplayOrder(t *testing.T) {
	t.Parallel()
	builtin := []string{"demandbase", "salesforce", "uppromote", "clazar", "drift"}
	var ids []string
	for _, c := range connectors.All() {
		if slices.Contains(builtin, c.ID) {
			ids = append(ids, c.ID)
		}
	}
	if !slices.Equal(ids, builtin) {
		t.Errorf("All() = %v; want %v", ids, builtin)
	}
}

// pinnedField is what a connector's test pins of one of its fields: the
// product's connector table (keys, defaults, secret and advanced flags)
// and the titles of the vendors' documents.
type pinnedField struct {
	key, title, def  string
	secret, advanced bool
	bearer           bool
	tail             bool // show may reveal the last 4 characters
	options          []string
	domain           string
	helpHas          string // where in the vendor's UI the value is
}

// pinFields checks that connector id declares exactly fields, in order,
// every one required, and a re-authentication guide.
func pinFields(t *testing.T, id string, fields []pinnedField) {
	t.Helper()
	c, ok := connectors.Lookup(id)
	if !ok {
		t.Fatalf("no connector %q", id)
	}
	if c.ReauthGuide == "" {
		t.Error("no ReauthGuide: re-authentication should say where the new values come from")
	}
	if len(c.Fields) != len(fields) {
		t.Fatalf("%d fields; want %d", len(c.Fields), len(fields))
	}
	for i, w := range fields {
		f := c.Fields[i]
		got := pinnedField{key: f.Key, title: f.Title, def: f.Default, secret: f.Secret, advanced: f.Advanced,
			bearer: f.Bearer, tail: f.Mask == connectors.MaskTail, options: f.Options, domain: f.Domain, helpHas: w.helpHas}
		if got.key != w.key || got.title != w.title || got.def != w.def || got.secret != w.secret ||
			got.advanced != w.advanced || got.bearer != w.bearer || got.tail != w.tail || !slices.Equal(got.options, w.options) || got.domain != w.domain {
			t.Errorf("field %d = %+v; want %+v", i, got, w)
		}
		if !f.Required {
			t.Errorf("field %s should be required", f.Key)
		}
		if !strings.Contains(f.Help, w.helpHas) {
			t.Errorf("field %s: help %q should say %q", f.Key, f.Help, w.helpHas)
		}
		if f.Domain != "" {
			if f.Validate("http://"+f.Domain) == nil || f.Validate("https://evil.example") != nil {
				t.Errorf("field %s: Validate must apply the URL policy (https, other hosts warned not refused)", f.Key)
			}
		}
	}
}
