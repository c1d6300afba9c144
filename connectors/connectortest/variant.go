package connectortest

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Variant is a way a vendor's successful answers may differ from the
// documented examples while still meaning the same: display-only fields
// with another JSON type, null or missing, extra fields, huge or negative
// numbers, text with characters a terminal would act on. Fields a client
// must read to do its job are never changed. SetVariant selects one.
type Variant int

// The variants. VariantNone sends the documented answers.
const (
	VariantNone Variant = iota
	// VariantStringNumbers sends display-only numbers as strings ("28800").
	VariantStringNumbers
	// VariantNumberStrings sends display-only strings as numbers (1234).
	VariantNumberStrings
	// VariantBools sends display-only values as booleans.
	VariantBools
	// VariantNulls sends display-only values as null.
	VariantNulls
	// VariantMissing leaves display-only fields out.
	VariantMissing
	// VariantExtraFields adds nested fields the client does not know to
	// every object.
	VariantExtraFields
	// VariantHuge sends display-only numbers as 1e308.
	VariantHuge
	// VariantHugeInt sends display-only numbers as 9e18, past what a
	// float64 holds exactly and, as milliseconds, far past year 9999.
	VariantHugeInt
	// VariantFarFuture sends display-only numbers as 253402300800000: as
	// milliseconds since 1970, the first instant of year 10000.
	VariantFarFuture
	// VariantNegative sends display-only numbers as -1.
	VariantNegative
	// VariantOddText appends bidi overrides, zero-width characters, an
	// escape sequence, a bell and non-ASCII letters to every text that is
	// shown, needed ones included.
	VariantOddText
)

// Variants returns every variant but VariantNone.
func Variants() []Variant {
	var out []Variant
	for v := VariantStringNumbers; v <= VariantOddText; v++ {
		out = append(out, v)
	}
	return out
}

// String names the variant.
func (v Variant) String() string {
	names := []string{"none", "string numbers", "number strings", "booleans", "nulls", "missing",
		"extra fields", "huge", "huge int", "far future", "negative", "odd text"}
	if v < 0 || int(v) >= len(names) {
		return "unknown"
	}
	return names[v]
}

// oddText is what VariantOddText appends: RIGHT-TO-LEFT OVERRIDE, ZERO
// WIDTH SPACE, a clear-screen sequence, BEL, letters outside ASCII and one
// outside the Basic Multilingual Plane.
const oddText = " \u202eevil\u202c\u200b\x1b[2J\x07 é中𝄞"

// fieldKind says what a variant may do to a field.
type fieldKind int

const (
	// kept fields are never changed (the default): a client needs them.
	kept fieldKind = iota
	// shown fields are display-only: every variant applies to them.
	shown
	// shownNeeded fields are needed but also shown as text: only
	// VariantOddText changes them.
	shownNeeded
)

// answerShape declares, for the answers to requests whose path starts with
// path, the kind of each field (by key, at any depth) and of the scalar
// fields it does not list.
type answerShape struct {
	path   string
	fields map[string]fieldKind
	others fieldKind
}

// shapeFor returns the shape of the longest matching path, or none.
func shapeFor(shapes []answerShape, path string) *answerShape {
	var best *answerShape
	for i := range shapes {
		s := &shapes[i]
		if strings.HasPrefix(path, s.path) && (best == nil || len(s.path) > len(best.path)) {
			best = s
		}
	}
	return best
}

// vary returns body changed as v says, or body unchanged when it is not
// JSON or no shape is declared for it.
func vary(v Variant, shape *answerShape, body []byte) []byte {
	if shape == nil {
		return body
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if dec.Decode(&doc) != nil {
		return body
	}
	out, err := json.Marshal(varyValue(v, shape, doc))
	if err != nil {
		return body
	}
	return out
}

// varyValue walks a decoded JSON value and changes its fields.
func varyValue(v Variant, shape *answerShape, x any) any {
	switch x := x.(type) {
	case map[string]any:
		for k, val := range x {
			kind, listed := shape.fields[k]
			if !listed {
				kind = shape.others
			}
			switch val.(type) {
			case map[string]any, []any:
				x[k] = varyValue(v, shape, val)
				continue
			}
			if kind == kept || (kind == shownNeeded && v != VariantOddText) {
				continue
			}
			nv, keep := varyScalar(v, val)
			if !keep {
				delete(x, k)
				continue
			}
			x[k] = nv
		}
		if v == VariantExtraFields {
			x["x_variant_extra"] = map[string]any{
				"nested": map[string]any{"list": []any{1, "two", nil, map[string]any{"deep": true}}, "n": json.Number("1e308")},
				"note":   "a field this client does not know",
			}
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = varyValue(v, shape, e)
		}
		return x
	}
	return x
}

// variantNumbers are the numbers the numeric variants send.
var variantNumbers = map[Variant]json.Number{
	VariantHuge:      "1e308",
	VariantHugeInt:   "9e18",
	VariantFarFuture: "253402300800000",
	VariantNegative:  "-1",
}

// varyScalar returns the variant of a scalar JSON value, and false when
// the field is to be left out.
func varyScalar(v Variant, val any) (any, bool) {
	n, isNum := val.(json.Number)
	s, isStr := val.(string)
	switch v {
	case VariantStringNumbers:
		if isNum {
			return n.String(), true
		}
	case VariantNumberStrings:
		if isStr {
			return json.Number("1234"), true
		}
	case VariantBools:
		return true, true
	case VariantNulls:
		return nil, true
	case VariantMissing:
		return nil, false
	case VariantHuge, VariantHugeInt, VariantFarFuture, VariantNegative:
		if isNum {
			return variantNumbers[v], true
		}
	case VariantOddText:
		if isStr {
			return s + oddText, true
		}
	}
	return val, true
}
