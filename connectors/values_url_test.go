package connectors

import "testing"

// TestNormalizeTrimsURLSlash: a URL field typed with a trailing slash (as
// copied from a browser) is saved without it, so that the variable exec
// hands over joins with a path; other fields keep theirs.
func TestNormalizeTrimsURLSlash(t *testing.T) {
	for _, c := range All() {
		for _, f := range c.Fields {
			if f.Secret {
				continue
			}
			v := c.Normalize(Values{f.Key: " https://api.example.com/// "})
			want := "https://api.example.com///"
			if f.Domain != "" {
				want = "https://api.example.com"
			}
			if got := v[f.Key]; got != want {
				t.Errorf("%s %s: %q, want %q", c.ID, f.Key, got, want)
			}
		}
	}
}
