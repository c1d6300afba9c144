//go:build linux

package integritytest

import (
	"fmt"
	"slices"
	"strings"

	"github.com/anishathalye/porcupine"
)

// The model of the credential map that histories are checked against:
// what a user may observe of a few credentials, each one a description,
// a base URL (one of two), a marker carried by its client ID and its
// secret (they change together), whether a pass is shown for its current
// values, and its cached access token.

// hNames are the credentials of a history.
var hNames = [...]string{"h1", "h2"}

// hIndex returns the position of name in hNames.
func hIndex(name string) int { return slices.Index(hNames[:], name) }

// hCred is one credential in the model.
type hCred struct {
	Exists bool
	Desc   string
	Marker string
	URL    int
	// Tested: a pass is shown for the current values.
	Tested bool
	// Tok is the cached token: "" none known, "?" one nobody printed (a
	// test minted it), else the token printed.
	Tok string
}

// hState is the model's state. It is comparable, as porcupine's default
// equality needs.
type hState struct {
	C [len(hNames)]hCred
	// Seen are the tokens printed so far, sorted, "|"-separated.
	Seen string
}

// seen reports whether tok was printed before.
func (s hState) seen(tok string) bool {
	return tok != "" && slices.Contains(strings.Split(s.Seen, "|"), tok)
}

// withSeen returns s with tok among the printed tokens.
func (s hState) withSeen(tok string) hState {
	if s.seen(tok) {
		return s
	}
	all := []string{tok}
	if s.Seen != "" {
		all = append(all, strings.Split(s.Seen, "|")...)
	}
	slices.Sort(all)
	s.Seen = strings.Join(all, "|")
	return s
}

// hInput is an operation of a history.
type hInput struct {
	// Op: add, replace, edit-desc, edit-values, edit-url, reauth, rm,
	// test, token, read, final.
	Op     string
	Name   string
	Desc   string
	Marker string
	URL    int
}

// hView is what a read shows of one credential.
type hView struct {
	Exists bool
	Desc   string
	Marker string
	URL    int
	Tested bool
	// Final reads only: the marker of its secret item, and its cached
	// token ("" when none).
	Secret string
	Tok    string
}

// hOutput is an operation's outcome.
type hOutput struct {
	// Killed: SIGKILLed; nothing is known of its outcome.
	Killed bool
	// OK: exit 0.
	OK bool
	// Unavailable: it failed because the secret store did not answer
	// (the test's gnome-keyring restarting after a crash): a failure of
	// the environment, which may come in any state.
	Unavailable bool
	// Token is what token printed.
	Token string
	// Tested is the marker of the values a passing test reached (from
	// the account its report names).
	Tested string
	// View is what a read showed, by position in hNames.
	View [len(hNames)]hView
}

// hModel is the model; porcupine checks histories against it.
var hModel = porcupine.NondeterministicModel{
	Init: func() []any { return []any{hState{}} },
	Step: func(state, input, output any) []any {
		return hStep(state.(hState), input.(hInput), output.(hOutput))
	},
	DescribeOperation: func(input, output any) string {
		in, out := input.(hInput), output.(hOutput)
		res := map[bool]string{true: "ok", false: "failed"}[out.OK]
		if out.Unavailable {
			res = "failed (secret store unavailable)"
		}
		if out.Killed {
			res = "killed"
		}
		if in.Op == "read" || in.Op == "final" {
			var vs []string
			for i, v := range out.View {
				if v.Exists {
					vs = append(vs, fmt.Sprintf("%s=%+v", hNames[i], v))
				}
			}
			return fmt.Sprintf("%s → %s [%s]", in.Op, res, strings.Join(vs, " "))
		}
		return fmt.Sprintf("%s %s %s %s url%d → %s %s%s", in.Op, in.Name, in.Desc, in.Marker, in.URL, res, clipToken(out.Token), out.Tested)
	},
}

// hStep returns the states the model may be in after in with outcome out
// from s; none when the outcome is impossible.
func hStep(s hState, in hInput, out hOutput) []any {
	if in.Op == "read" || in.Op == "final" {
		if out.Killed || !out.OK || hMatches(s, in.Op == "final", out.View) {
			return []any{s}
		}
		return nil
	}
	i := hIndex(in.Name)
	c := s.C[i]
	set := func(c hCred) hState { n := s; n.C[i] = c; return n }
	var after []hState // the states if the command did its work
	switch in.Op {
	case "add":
		if !c.Exists {
			after = []hState{set(hCred{Exists: true, Desc: in.Desc, Marker: in.Marker, URL: in.URL, Tested: true})}
		}
	case "replace":
		after = []hState{set(hCred{Exists: true, Desc: in.Desc, Marker: in.Marker, URL: in.URL, Tested: true})}
	case "edit-desc":
		if c.Exists {
			c.Desc = in.Desc
			after = []hState{set(c)}
		}
	case "edit-values":
		if c.Exists {
			c.Desc, c.Marker, c.Tested, c.Tok = in.Desc, in.Marker, false, ""
			after = []hState{set(c)}
		}
	case "edit-url":
		if c.Exists {
			if c.URL != in.URL {
				c.URL, c.Tested, c.Tok = in.URL, false, ""
			}
			after = []hState{set(c)}
		}
	case "reauth":
		if c.Exists {
			c.Marker, c.Tested, c.Tok = in.Marker, true, ""
			after = []hState{set(c)}
		}
	case "rm":
		if c.Exists {
			after = []hState{set(hCred{})}
		}
	case "test":
		if c.Exists && (out.Killed || out.Tested == c.Marker) {
			// The results are recorded, then the token cached: a kill
			// may stop between the two.
			t := c
			t.Tested = true
			tt := t
			tt.Tok = "?"
			after = []hState{set(tt), set(t)}
		}
	case "token":
		if c.Exists {
			switch {
			case out.Killed:
				c.Tok = "?"
				after = []hState{set(c)}
			case out.Token != "" && out.Token == c.Tok:
				after = []hState{s} // the cached token
			case out.Token != "" && !s.seen(out.Token):
				c.Tok = out.Token // a fresh token, now cached
				after = []hState{set(c).withSeen(out.Token)}
			}
		}
	default:
		panic("unknown op " + in.Op)
	}
	var next []any
	switch {
	case out.Killed:
		next = append(next, s)
		for _, a := range after {
			next = append(next, a)
		}
	case out.OK:
		for _, a := range after {
			next = append(next, a)
		}
	default:
		// A failure changes nothing. add fails only if the name is taken,
		// rm only if it is not; the others may also fail because another
		// command changed the credential since they read it (a conflict),
		// which this model cannot see.
		switch {
		case out.Unavailable:
			next = append(next, s)
		case in.Op == "add":
			if c.Exists {
				next = append(next, s)
			}
		case in.Op == "rm" || in.Op == "replace":
			if !c.Exists {
				next = append(next, s)
			}
		default:
			next = append(next, s)
		}
	}
	return next
}

// clipToken shortens a token for a description.
func clipToken(s string) string {
	if len(s) > 12 {
		return s[len(s)-12:]
	}
	return s
}

// hMatches reports whether a read's views agree with s.
func hMatches(s hState, final bool, views [len(hNames)]hView) bool {
	for i, v := range views {
		c := s.C[i]
		if v.Exists != c.Exists {
			return false
		}
		if !c.Exists {
			if final && (v.Secret != "" || v.Tok != "") {
				return false // something of a deleted credential is left
			}
			continue
		}
		if v.Desc != c.Desc || v.Marker != c.Marker || v.URL != c.URL || v.Tested != c.Tested {
			return false
		}
		if !final {
			continue
		}
		if v.Secret != c.Marker {
			return false
		}
		switch {
		case v.Tok == "", v.Tok == c.Tok:
		case c.Tok == "?" && !s.seen(v.Tok):
		default:
			return false // a token of other values (or another credential) is cached
		}
	}
	return true
}
