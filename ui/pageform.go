package ui

import (
	"errors"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/huh/v2"
	"github.com/charmbracelet/x/ansi"
)

// maxFormWidth is the widest a form is drawn, however wide the terminal.
const maxFormWidth = 100

// theme is huh's Charm theme with the focused button of a confirm also
// underlined and bold, so the choice shows without colour (NO_COLOR).
var theme = huh.ThemeFunc(func(isDark bool) *huh.Styles {
	t := huh.ThemeCharm(isDark)
	t.Focused.FocusedButton = t.Focused.FocusedButton.Underline(true).Bold(true)
	return t
})

// keyMap is huh's default key map where Esc, while a list is being
// filtered, clears the filter (huh's default keeps it). Esc is otherwise
// the session's: back one question or step. Ctrl-C is the session's too.
func keyMap() *huh.KeyMap {
	km := huh.NewDefaultKeyMap()
	km.Select.SetFilter = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter"), key.WithDisabled())
	km.Select.ClearFilter = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter"), key.WithDisabled())
	km.Select.Filter = key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter"))
	return km
}

// pageKeyMap is the key map of p's form.
func pageKeyMap(p *Page) *huh.KeyMap {
	if p.Guarded {
		return guardedKeyMap()
	}
	return keyMap()
}

// guardedKeyMap is keyMap for a guarded page (Page.Guarded): the confirm
// toggles with ←/→ only, not h and l, so that typing a word cannot turn
// its answer to yes; y, n and Enter answer as everywhere.
func guardedKeyMap() *huh.KeyMap {
	km := keyMap()
	km.Confirm.Toggle = key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("←/→", "toggle"))
	return km
}

// builtPage is a Page rendered as a huh form of one group.
type builtPage struct {
	page   *Page
	form   *huh.Form
	fields []huh.Field // one per question, in order
	first  huh.Field   // the first field that takes the focus
}

// buildPage renders p as a huh form for a terminal width columns wide.
// Help texts are wrapped at spaces here, before huh's own wrapping (which
// also breaks after '.' and '-', splitting host names and codes), and cut
// to helpLines lines (0: no limit), so that the focused question's input
// stays on a short terminal; a cut help says where to read it all.
func buildPage(p *Page, width, helpLines int) *builtPage {
	bp := &builtPage{page: p}
	textWidth := max(min(width, maxFormWidth)-3, 10)
	wrap := func(s string) string { return ansi.Wrap(s, textWidth, "") }
	help := func(s string) string {
		w := wrap(s)
		lines := splitLines(w)
		if helpLines <= 0 || len(lines) <= helpLines {
			return w
		}
		cut := lines[:max(helpLines-1, 0)]
		return strings.Join(append(cut, ansi.Truncate("… (credwiz connectors shows it all)", textWidth, "…")), "\n")
	}
	// Error messages too: huh shows them after " * ".
	validate := func(fn func(string) error) func(string) error {
		return func(s string) error {
			if err := fn(s); err != nil {
				// Continuation lines under the text, not under the " * ".
				return errors.New(strings.ReplaceAll(ansi.Wrap(err.Error(), textWidth-3, ""), "\n", "\n   "))
			}
			return nil
		}
	}
	for i := range p.Questions {
		q := &p.Questions[i]
		var fd huh.Field
		switch q.Kind {
		case KindInput, KindSecret:
			in := huh.NewInput().Title(wrap(q.Title)).Value(q.Value)
			if q.Help != "" {
				in = in.Description(help(q.Help))
			}
			if q.Placeholder != "" {
				in = in.Placeholder(q.Placeholder)
			}
			if q.Kind == KindSecret {
				in = in.EchoMode(huh.EchoModePassword)
			}
			if q.Validate != nil {
				in = in.Validate(validate(q.Validate))
			}
			fd = in
		case KindSelect:
			opts := make([]huh.Option[string], 0, len(q.Options))
			for _, o := range q.Options {
				opts = append(opts, huh.NewOption(o.Label, o.Value))
			}
			sel := huh.NewSelect[string]().Title(wrap(q.Title)).Options(opts...).Value(q.Value)
			if q.Help != "" {
				sel = sel.Description(help(q.Help))
			}
			if q.Validate != nil {
				sel = sel.Validate(validate(q.Validate))
			}
			fd = sel
		case KindConfirm:
			c := huh.NewConfirm().Title(wrap(q.Title)).Value(q.Yes).
				Affirmative(orDefault(q.Affirmative, "Yes")).Negative(orDefault(q.Negative, "No"))
			if q.Help != "" {
				c = c.Description(help(q.Help))
			}
			fd = c
		case KindNote:
			fd = huh.NewNote().Title(wrap(q.Title)).Description(noteEscape(wrap(q.Help))).
				Next(true).NextLabel(orDefault(q.NextLabel, "Next"))
		}
		bp.fields = append(bp.fields, fd)
	}
	bp.form = huh.NewForm(huh.NewGroup(bp.fields...)).
		WithTheme(theme).
		WithKeyMap(pageKeyMap(p)).
		WithShowHelp(false).
		WithShowErrors(true)
	bp.form.SubmitCmd = nil
	bp.form.CancelCmd = nil
	// The first field is known only now: huh decides whether a note is
	// skipped when the form places its fields (a note alone on its page
	// takes the focus). Taken earlier, a lone note was never "the first
	// question", so Esc on it became Shift-Tab, which a note answers by
	// moving on: Esc went forward.
	for _, fd := range bp.fields {
		if !fd.Skip() {
			bp.first = fd
			break
		}
	}
	return bp
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
