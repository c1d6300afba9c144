package connectors_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/credwiz/credwiz/connectors"
)

func TestAllInDisplayOrder(t *testing.T) {
	t.Parallel()
	var ids []string
	for _, c := range connectors.All() {
		ids = append(ids, c.ID)
	}
	if want := []string{"demandbase", "salesforce", "uppromote", "clazar", "drift"}; !slices.Equal(ids, want) {
		t.Errorf("All() = %v; want %v", ids, want)
	}
}

// TestFieldsMatchSpec pins the fields of the product's connector table (keys,
// defaults, secret flags, advanced flags) and the titles of the source
// documents, for the connectors of this package but Salesforce (pinned in
// salesforce_test.go).
func TestFieldsMatchSpec(t *testing.T) {
	t.Parallel()
	type field struct {
		key, title, def  string
		secret, advanced bool
		bearer           bool
		tail             bool // show may reveal the last 4 characters
		options          []string
		domain           string
		helpHas          string // where in the vendor's UI the value is
	}
	tests := []struct {
		id     string
		fields []field
	}{
		{id: "demandbase", fields: []field{
			{key: "base_url", title: "API Base URL", def: "https://uapi.demandbase.com", domain: "demandbase.com"},
			{key: "client_id", title: "Client ID", helpHas: "Settings → APIs → API Key Sets"},
			{key: "client_secret", title: "Client Secret", secret: true, helpHas: "shown only once"},
		}},
		{id: "uppromote", fields: []field{
			{key: "token", title: "Uppromote Bearer Token", secret: true, bearer: true, tail: true, helpHas: "Integrations"},
			{key: "api_version", title: "API Version", def: "v1", advanced: true, options: []string{"v1", "v2"}},
			{key: "base_url", title: "API Base URL", def: "https://aff-api.uppromote.com", advanced: true, domain: "uppromote.com"},
		}},
		{id: "clazar", fields: []field{
			{key: "client_id", title: "Client ID", helpHas: "app.clazar.io → Settings → API Keys"},
			{key: "client_secret", title: "Client Secret", secret: true, helpHas: "shown only once"},
			{key: "base_url", title: "API Base URL", def: "https://api.clazar.io", advanced: true, domain: "clazar.io"},
		}},
		{id: "drift", fields: []field{
			{key: "api_key", title: "API Key Value", secret: true, bearer: true, tail: true, helpHas: "dev.drift.com → your app → OAuth & Permissions"},
			{key: "base_url", title: "Base URL", def: "https://driftapi.com", domain: "driftapi.com"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			t.Parallel()
			c, ok := connectors.Lookup(tt.id)
			if !ok {
				t.Fatalf("no connector %q", tt.id)
			}
			if c.ReauthGuide == "" {
				t.Error("no ReauthGuide: re-authentication should say where the new values come from")
			}
			if len(c.Fields) != len(tt.fields) {
				t.Fatalf("%d fields; want %d", len(c.Fields), len(tt.fields))
			}
			for i, w := range tt.fields {
				f := c.Fields[i]
				got := field{key: f.Key, title: f.Title, def: f.Default, secret: f.Secret, advanced: f.Advanced,
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
		})
	}
}
