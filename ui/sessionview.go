package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// minFormHeight is the fewest lines a form is given, however short the
// terminal: a title, an input and its error.
const minFormHeight = 3

var (
	headerStyle = lipgloss.NewStyle().Bold(true)
	dimStyle    = lipgloss.NewStyle().Foreground(lipgloss.Color("8"))
	helpKey     = lipgloss.NewStyle().Foreground(lipgloss.Color("7"))
	helpDesc    = lipgloss.NewStyle().Foreground(lipgloss.Color("8"))
)

// View draws the page: its title, as much of its note as fits, the form,
// and a footer saying which keys do what. It is blank between pages and at
// the end, so that only what was printed stays on the terminal.
func (m *sessionModel) View() tea.View {
	switch {
	case m.closing || m.interrupted:
		return tea.NewView("")
	case m.work != nil:
		hint := "esc cancel • ctrl+c quit"
		if !m.work.cancellable {
			hint = "please wait: this cannot be interrupted"
		}
		return tea.NewView(m.spin.View() + " " + wrapTo(m.work.title, m.width-2) + "\n" + m.footerText([]string{hint}))
	case m.bp == nil:
		// Between pages, one blank row: the printed lines go above a
		// frame, the path bubbletea's renderer keeps its place on (with no
		// frame at all, each print lands a row off and the next frame is
		// drawn from the top of the screen).
		return tea.NewView(" ")
	}
	var b strings.Builder
	for _, l := range m.header() {
		b.WriteString(headerStyle.Render(l) + "\n")
	}
	for _, l := range m.fittedNote() {
		b.WriteString(l + "\n")
	}
	b.WriteString(strings.TrimRight(m.formView(), "\n"))
	b.WriteString("\n\n")
	b.WriteString(m.footerText(m.footerItems()))
	return tea.NewView(b.String())
}

// header is the page title wrapped to the width.
func (m *sessionModel) header() []string {
	if m.bp == nil || m.bp.page.Title == "" {
		return nil
	}
	return strings.Split(wrapTo(m.bp.page.Title, m.width-1), "\n")
}

// noteLines is the page note wrapped to the width.
func (m *sessionModel) noteLines() []string {
	var out []string
	for _, l := range m.bp.page.Note {
		out = append(out, strings.Split(wrapTo(l, m.width-1), "\n")...)
	}
	return out
}

// fittedNote is as much of the note as fits: whole entries of the page's
// Note (an entry wrapped over two lines is shown whole or not at all),
// then, when entries are left out, a line that says so.
func (m *sessionModel) fittedNote() []string {
	lines := m.noteLines()
	if m.noteFit >= len(lines) {
		return lines
	}
	if m.noteFit <= 0 {
		return nil
	}
	var shown []string
	entries := 0
	for _, l := range m.bp.page.Note {
		wrapped := strings.Split(wrapTo(l, m.width-1), "\n")
		if len(shown)+len(wrapped) > m.noteFit-1 {
			break
		}
		shown = append(shown, wrapped...)
		entries++
	}
	more := fmt.Sprintf("… %d more line(s): make the terminal taller to see them", len(lines)-len(shown))
	if m.bp.page.NoteMore != nil {
		more = m.bp.page.NoteMore(entries)
	}
	return append(shown, dimStyle.Render(wrapTo(more, m.width-1)))
}

// footerItems are the keys of the focused question, then Esc and Ctrl-C.
func (m *sessionModel) footerItems() []string {
	var items []string
	seen := map[string]bool{}
	escShown := false
	for _, b := range m.bp.form.KeyBinds() {
		h := b.Help()
		if !b.Enabled() || h.Key == "" || h.Key == "shift+tab" || seen[h.Key+h.Desc] {
			continue
		}
		seen[h.Key+h.Desc] = true
		escShown = escShown || h.Key == "esc"
		items = append(items, helpKey.Render(h.Key)+" "+helpDesc.Render(h.Desc))
	}
	if in, ok := m.bp.form.GetFocusedField().(*huh.Input); ok {
		if v, _ := in.GetValue().(string); v != "" {
			items = append(items, helpKey.Render("ctrl+u")+" "+helpDesc.Render("clear"))
		}
	}
	if !escShown {
		what := "back"
		if m.bp.form.GetFocusedField() == m.bp.first && m.bp.page.EscHelp != "" {
			what = m.bp.page.EscHelp
		}
		items = append(items, helpKey.Render("esc")+" "+helpDesc.Render(what))
	}
	return append(items, helpKey.Render("ctrl+c")+" "+helpDesc.Render("quit"))
}

// footerText joins items with " • ", wrapping between items.
func (m *sessionModel) footerText(items []string) string {
	sep := helpDesc.Render(" • ")
	var lines []string
	line := ""
	for _, it := range items {
		switch {
		case line == "":
			line = it
		case ansi.StringWidth(line)+3+ansi.StringWidth(it) > m.width-1 && m.width > 0:
			lines = append(lines, line)
			line = it
		default:
			line += sep + it
		}
	}
	return strings.Join(append(lines, line), "\n")
}

// layout sizes the form to what the header, note and footer leave of the
// terminal: the note gets the lines the form does not need, and a form
// that needs more than is left scrolls (huh keeps the focused question in
// view).
func (m *sessionModel) layout() tea.Cmd {
	if m.bp == nil {
		return nil
	}
	w := max(min(m.width, maxFormWidth), 20)
	_, c1 := m.update(tea.WindowSizeMsg{Width: w, Height: 1000})
	need := lipgloss.Height(m.formView())
	footer := len(strings.Split(m.footerText(m.footerItems()), "\n"))
	// One row stays free: see sessionWriter.emit.
	avail := m.height - 1 - len(m.header()) - footer - 1
	note := len(m.noteLines())
	m.noteFit = min(note, max(avail-need, 0))
	if m.noteFit == 0 && note > 0 && avail-minFormHeight > 1 {
		m.noteFit = 1 // at least say that there is more
	}
	_, c2 := m.update(tea.WindowSizeMsg{Width: w, Height: max(avail-m.noteFit, minFormHeight)})
	m.formLines = lipgloss.Height(m.formView())
	return tea.Batch(tagCmd(m.gen, c1), tagCmd(m.gen, c2))
}

// relayout lays the page out again when the form's height changed (an
// error line appeared, a list was filtered).
func (m *sessionModel) relayout() tea.Cmd {
	if m.bp == nil {
		return nil
	}
	h := lipgloss.Height(m.formView())
	if h == m.formLines {
		return nil
	}
	return m.layout()
}

// wrapTo wraps s at spaces to width columns (words longer than that are
// broken).
func wrapTo(s string, width int) string {
	if width < 10 {
		return s
	}
	return ansi.Wrap(s, width, "")
}
