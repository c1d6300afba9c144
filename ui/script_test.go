package ui

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// script is a fake Prompter, as gh's prompter mock: it answers each page
// from a list, in order, and fails the test on a page it did not expect or
// a value its question would refuse.
type script struct {
	t       *testing.T
	answers []answer
	next    int
	asked   []string // the IDs of the pages asked, in order
	pages   []*Page  // the pages asked, as shown
	ended   bool     // a scripted ErrCancelled: every later question is cancelled
}

// answer is one scripted answer.
type answer struct {
	// page is the ID of the page expected.
	page string
	// set are the answers by question key: a value for inputs and selects,
	// "yes" or "no" for confirms.
	set map[string]string
	// invalid are values by key that the question must refuse (the error
	// contains the text given); they are tried before set.
	invalid map[string]string
	// err is returned instead of answering (ErrBack for Esc, ErrCancelled
	// for Ctrl-C).
	err error
	// check looks at the page as shown (values pre-filled).
	check func(t *testing.T, p *Page)
	// work, when set, answers the next Work whose title contains it
	// instead of a page: with err, the work's context is cancelled first.
	work string
}

// newScript returns a script of answers, checked at the end of the test.
func newScript(t *testing.T, answers ...answer) *script {
	s := &script{t: t, answers: answers}
	t.Cleanup(func() {
		if s.next < len(s.answers) && !t.Failed() {
			t.Errorf("the flow ended before answer %d (%s); pages asked: %v", s.next+1, s.answers[s.next].describe(), s.asked)
		}
	})
	return s
}

func (a answer) describe() string {
	if a.work != "" {
		return "work " + a.work
	}
	return "page " + a.page
}

// Ask implements Prompter.
func (s *script) Ask(p *Page) error {
	s.t.Helper()
	s.asked = append(s.asked, p.ID)
	s.pages = append(s.pages, p)
	if s.ended {
		return ErrCancelled
	}
	if s.next >= len(s.answers) {
		s.t.Fatalf("unexpected page %q (%s) after the script's last answer; pages asked: %v", p.ID, pageText(p), s.asked)
	}
	a := s.answers[s.next]
	if a.work != "" || a.page != p.ID {
		s.t.Fatalf("page %q (%s) asked; the script expected %s; pages asked: %v", p.ID, pageText(p), a.describe(), s.asked)
	}
	s.next++
	if a.check != nil {
		a.check(s.t, p)
	}
	for k, bad := range a.invalid {
		q := s.question(p, k)
		old := *q.Value
		*q.Value = bad // as in huh, the value is bound before it is checked
		if err := validateAnswer(q, bad); err == nil {
			s.t.Errorf("page %q: %s=%q was accepted; want it refused", p.ID, k, bad)
		}
		*q.Value = old
	}
	if a.err != nil {
		if errors.Is(a.err, ErrCancelled) {
			s.ended = true
		}
		return a.err
	}
	for _, q := range p.Questions {
		v, ok := a.set[q.Key]
		if !ok {
			continue
		}
		switch q.Kind {
		case KindConfirm:
			*q.Yes = v == "yes"
		case KindNote:
		default:
			*q.Value = v // as in huh, the value is bound before it is checked
		}
		if err := validateAnswer(&q, v); err != nil {
			s.t.Fatalf("page %q: %s=%q refused: %v", p.ID, q.Key, v, err)
		}
	}
	for k := range a.set {
		s.question(p, k)
	}
	return nil
}

// question returns p's question k, failing the test when there is none.
func (s *script) question(p *Page, k string) *Question {
	s.t.Helper()
	q := p.question(k)
	if q == nil {
		var keys []string
		for _, q := range p.Questions {
			keys = append(keys, q.Key)
		}
		s.t.Fatalf("page %q has no question %q (it has %v)", p.ID, k, keys)
	}
	return q
}

// validateAnswer checks v as q's widget would: one of a select's options,
// yes/no for a confirm, and q's own validation.
func validateAnswer(q *Question, v string) error {
	switch q.Kind {
	case KindSelect:
		if !slices.ContainsFunc(q.Options, func(c Choice) bool { return c.Value == v }) {
			return errors.New("not an option: " + v)
		}
	case KindConfirm:
		if v != "yes" && v != "no" {
			return errors.New("a confirm takes yes or no")
		}
		return nil
	}
	if q.Validate != nil {
		return q.Validate(v)
	}
	return nil
}

// Work implements Prompter: it runs w, or answers it from the script.
func (s *script) Work(ctx context.Context, w Work) error {
	if s.ended {
		return ErrCancelled
	}
	if s.next < len(s.answers) && s.answers[s.next].work != "" && strings.Contains(w.Title, s.answers[s.next].work) {
		a := s.answers[s.next]
		s.next++
		if a.err != nil {
			ctx, cancel := context.WithCancel(ctx)
			cancel()
			_ = w.Fn(ctx)
			if errors.Is(a.err, ErrCancelled) {
				s.ended = true
			}
			return a.err
		}
	}
	return w.Fn(ctx)
}

// pageText is a page's title and questions, for messages.
func pageText(p *Page) string {
	parts := []string{p.Title}
	for _, q := range p.Questions {
		parts = append(parts, q.Title)
	}
	return strings.Join(parts, " / ")
}

// runScript runs credwiz args "at a terminal" whose questions s answers.
func (e *testEnv) runScript(s *script, args ...string) result {
	e.t.Helper()
	ios, out, errOut := testIO("")
	ios.InTTY, ios.ErrTTY = true, true
	f := e.factory(ios)
	f.Prompter = s
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code := Main(ctx, f, args)
	return result{out: out.String(), err: errOut.String(), code: code}
}

// values returns the value of question k as the page shows it.
func shown(p *Page, k string) string {
	q := p.question(k)
	if q == nil {
		return "<no question " + k + ">"
	}
	if q.Kind == KindConfirm {
		if *q.Yes {
			return "yes"
		}
		return "no"
	}
	return *q.Value
}

// flat collapses runs of white space (line breaks of wrapping included)
// to one space, so that assertions do not depend on the width.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

// question returns the page's question with key k.
func (p *Page) question(k string) *Question {
	for i := range p.Questions {
		if p.Questions[i].Key == k {
			return &p.Questions[i]
		}
	}
	return nil
}
