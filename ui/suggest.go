package ui

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/agnivade/levenshtein"

	"github.com/credwiz/credwiz/connectors"
)

// suggest returns the candidate closest to s, when it is close enough to
// be what was meant: at most two edits away (one for short words), or the
// same once case, '-' and '_' are ignored ("APIKEY" for "api_key").
func suggest(s string, candidates []string) (string, bool) {
	norm := func(x string) string {
		return strings.NewReplacer("_", "", "-", "").Replace(strings.ToLower(x))
	}
	best, bestD := "", 1<<30
	for _, c := range candidates {
		if norm(c) == norm(s) {
			return c, true
		}
		d := levenshtein.ComputeDistance(strings.ToLower(s), strings.ToLower(c))
		if d > 1 && sameLetters(s, c) {
			d = 1 // letters swapped: "lsit", "drfit"
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	limit := 2
	if len(s) <= 4 {
		limit = 1
	}
	return best, best != "" && bestD <= limit
}

// didYouMean is " (did you mean X?)" or "".
func didYouMean(s string, candidates []string) string {
	if c, ok := suggest(s, candidates); ok {
		return fmt.Sprintf("; did you mean %s?", c)
	}
	return ""
}

// fieldKeys returns c's field keys; secret selects the secret ones, the
// others, or (nil) all.
func fieldKeys(c *connectors.Connector, secret *bool) []string {
	var keys []string
	for _, fd := range c.Fields {
		if secret == nil || fd.Secret == *secret {
			keys = append(keys, fd.Key)
		}
	}
	return keys
}

// checkFieldKey refuses a key c does not have, suggesting the one meant.
func checkFieldKey(c *connectors.Connector, key, what string) error {
	if _, ok := c.Field(key); ok {
		return nil
	}
	all := fieldKeys(c, nil)
	return usagef("%s: %s has no field %q%s (its fields: %s; credwiz connectors lists them)",
		what, c.Name, key, didYouMean(key, all), strings.Join(all, ", "))
}

// warnSecretEnv warns about each CREDWIZ_SECRET_* variable that matches
// none of c's secret fields: it is ignored, which would otherwise surface
// only as a missing field.
func warnSecretEnv(f *Factory, c *connectors.Connector) {
	if f.Environ == nil {
		return
	}
	yes := true
	secrets := fieldKeys(c, &yes)
	var want []string
	for _, k := range secrets {
		want = append(want, secretEnv(k))
	}
	var stray []string
	for _, kv := range f.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "CREDWIZ_SECRET_") && !slices.Contains(want, name) {
			stray = append(stray, name)
		}
	}
	sort.Strings(stray)
	for _, name := range stray {
		hint := didYouMean(name, want)
		if hint == "" {
			hint = "; " + c.Name + "'s are " + strings.Join(want, ", ")
		}
		fmt.Fprintf(f.IO.ErrOut, "warning: %s matches no secret field of %s and is ignored%s\n", name, c.Name, hint)
	}
}

// sameLetters reports whether a and b have the same letters, in any order.
func sameLetters(a, b string) bool {
	ra, rb := []rune(strings.ToLower(a)), []rune(strings.ToLower(b))
	slices.Sort(ra)
	slices.Sort(rb)
	return slices.Equal(ra, rb)
}
