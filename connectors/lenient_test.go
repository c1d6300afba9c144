package connectors_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
)

// TestStrictOnlyWhereNeeded edits one field of a real answer per case: a
// field a check depends on with the wrong JSON type is a vendor error that
// names it; anything only shown, or an entry nothing depends on, may be
// of any type.
func TestStrictOnlyWhereNeeded(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, connector, path string // the answer to edit, by the end of its path
		edit                  func(doc any) any
		wantErr               string // "" for success
		check                 func(t *testing.T, rep connectors.Report)
	}{
		{name: "salesforce: an object nothing reads has odd types", connector: "salesforce", path: "/sobjects/",
			edit: func(doc any) any {
				m := doc.(map[string]any)
				m["sobjects"] = append(m["sobjects"].([]any), map[string]any{"name": "Case2", "queryable": "yes"}, "junk")
				return m
			}},
		{name: "salesforce: queryable of a needed object is a string", connector: "salesforce", path: "/sobjects/",
			edit: func(doc any) any {
				for _, o := range doc.(map[string]any)["sobjects"].([]any) {
					if o.(map[string]any)["name"] == "Lead" {
						o.(map[string]any)["queryable"] = "true"
					}
				}
				return doc
			}, wantErr: "queryable is a JSON string, not the boolean expected"},
		{name: "salesforce: versions as numbers, and junk", connector: "salesforce", path: "/services/data/",
			edit: func(doc any) any { return []any{map[string]any{"version": 64.0}, "junk", nil} },
			check: func(t *testing.T, rep connectors.Report) {
				if !hasDetailValue(rep, "API version", "v64.0") {
					t.Errorf("details %+v; want API version v64.0", rep.Details)
				}
			}},
		{name: "salesforce: organization_id a number", connector: "salesforce", path: "/0055g00000AbCdEAAV",
			edit:    func(doc any) any { doc.(map[string]any)["organization_id"] = 42; return doc },
			wantErr: "organization_id is a JSON number, not the string expected"},
		{name: "uppromote: meta a string", connector: "uppromote", path: "/api/v1/affiliates",
			edit: func(doc any) any { doc.(map[string]any)["meta"] = "oops"; return doc },
			check: func(t *testing.T, rep connectors.Report) {
				if hasDetail(rep, "Affiliates") {
					t.Errorf("details %+v; want no affiliate count", rep.Details)
				}
			}},
		{name: "uppromote: data an object", connector: "uppromote", path: "/api/v1/affiliates",
			edit:    func(doc any) any { doc.(map[string]any)["data"] = map[string]any{}; return doc },
			wantErr: "data is a JSON object, not the array expected"},
		{name: "clazar: count 1e308", connector: "clazar", path: "/listings",
			edit: func(doc any) any { doc.(map[string]any)["count"] = 1e308; return doc },
			check: func(t *testing.T, rep connectors.Report) {
				if hasDetail(rep, "Listings") {
					t.Errorf("details %+v; want no listing count", rep.Details)
				}
			}},
		{name: "demandbase: expiresIn 9e18 falls back on the token's own expiry", connector: "demandbase", path: "/auth/v1/token",
			edit: func(doc any) any { doc.(map[string]any)["expiresIn"] = 9e18; return doc },
			check: func(t *testing.T, rep connectors.Report) {
				if rep.TokenExpires.IsZero() || rep.TokenExpires.Year() > 9999 {
					t.Errorf("token expires %v; want the JWT's exp", rep.TokenExpires)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _ := connectors.Lookup(tt.connector)
			em := connectortest.New(tt.connector)
			t.Cleanup(em.Close)
			em.Rewrite(func(r *http.Request, a *connectortest.Answer) {
				if !strings.HasSuffix(r.URL.Path, tt.path) || a.Status != 200 {
					return
				}
				var doc any
				if err := json.Unmarshal(a.Body, &doc); err != nil {
					return
				}
				a.Body, _ = json.Marshal(tt.edit(doc))
			})
			rep, err := c.RunTest(context.Background(), testClient, em.Values())
			if tt.wantErr != "" {
				if !errors.Is(err, connectors.ErrVendor) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v; want a vendor error saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, err := json.Marshal(rep); err != nil {
				t.Errorf("the Report cannot be saved: %v", err)
			}
			if tt.check != nil {
				tt.check(t, rep)
			}
		})
	}
}

func hasDetailValue(r connectors.Report, label, value string) bool {
	for _, d := range r.Details {
		if d.Label == label && d.Value == value {
			return true
		}
	}
	return false
}
