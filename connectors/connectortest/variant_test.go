package connectortest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestVariantAnswers: each variant changes the display-only fields of a
// real answer (Drift's token_info) as it says, and never a needed one.
func TestVariantAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		v     Variant
		check func(m map[string]any) bool
	}{
		{VariantStringNumbers, func(m map[string]any) bool { _, ok := m["created_at"].(string); return ok }},
		{VariantNumberStrings, func(m map[string]any) bool { return m["credential_id"] == json.Number("1234") }},
		{VariantBools, func(m map[string]any) bool { return m["token_type"] == true && m["expires_in"] == true }},
		{VariantNulls, func(m map[string]any) bool { v, ok := m["scope"]; return ok && v == nil }},
		{VariantMissing, func(m map[string]any) bool { _, ok := m["credential_id"]; return !ok }},
		{VariantExtraFields, func(m map[string]any) bool { _, ok := m["x_variant_extra"].(map[string]any); return ok }},
		{VariantHuge, func(m map[string]any) bool { return m["created_at"] == json.Number("1e308") }},
		{VariantHugeInt, func(m map[string]any) bool { return m["expires_in"] == json.Number("9e18") }},
		{VariantFarFuture, func(m map[string]any) bool { return m["created_at"] == json.Number("253402300800000") }},
		{VariantNegative, func(m map[string]any) bool { return m["created_at"] == json.Number("-1") }},
		{VariantOddText, func(m map[string]any) bool {
			s, _ := m["authenticated_userid"].(string)
			return strings.HasPrefix(s, "orgId:123456") && strings.Contains(s, "\u202e") && strings.Contains(s, "\x1b[2J")
		}},
	}
	if len(tests) != len(Variants()) {
		t.Fatalf("%d variants tested of %d", len(tests), len(Variants()))
	}
	for _, tt := range tests {
		t.Run(tt.v.String(), func(t *testing.T) {
			t.Parallel()
			e := NewDrift()
			t.Cleanup(e.Close)
			e.SetVariant(tt.v)
			tok := e.Values()["api_key"]
			req, _ := http.NewRequest("POST", e.URL()+"/app/token_info", strings.NewReader(`{"access_token":"`+tok+`"}`))
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			dec := json.NewDecoder(resp.Body)
			dec.UseNumber()
			var m map[string]any
			if err := dec.Decode(&m); err != nil || resp.StatusCode != 200 {
				t.Fatalf("HTTP %d: %v", resp.StatusCode, err)
			}
			if !tt.check(m) {
				t.Errorf("answer not varied as %s: %v", tt.v, m)
			}
			if tt.v != VariantOddText && m["authenticated_userid"] != "orgId:123456" {
				t.Errorf("the needed authenticated_userid changed: %v", m["authenticated_userid"])
			}
		})
	}
}

// TestVariantKeepsNeededFields: Salesforce's describeGlobal keeps each
// object's name, queryable and retrieveable whatever the variant.
func TestVariantKeepsNeededFields(t *testing.T) {
	t.Parallel()
	shape := shapeFor([]answerShape{
		{path: "/services/data/", fields: map[string]fieldKind{"label": shown}},
		{path: "/services/data/v", fields: map[string]fieldKind{"name": kept, "queryable": kept}, others: shown},
	}, "/services/data/v64.0/sobjects/")
	body := []byte(`{"encoding":"UTF-8","sobjects":[{"name":"Lead","queryable":true,"label":"Lead","keyPrefix":"00Q"}]}`)
	for _, v := range Variants() {
		var doc struct {
			SObjects []map[string]any `json:"sobjects"`
		}
		if err := json.Unmarshal(vary(v, shape, body), &doc); err != nil || len(doc.SObjects) != 1 {
			t.Fatalf("%s: %v %v", v, err, doc)
		}
		if o := doc.SObjects[0]; o["name"] != "Lead" || o["queryable"] != true {
			t.Errorf("%s changed a needed field: %v", v, o)
		}
	}
}
