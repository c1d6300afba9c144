package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"
)

// sessionModel is the session's bubbletea model: the page being asked (a
// huh form), or the spinner of running work, and the keys waiting their
// turn. Keys are handed to the form strictly in the order typed, each only
// once the navigation caused by the previous one has been applied.
type sessionModel struct {
	s             *session
	width, height int

	bp        *builtPage
	reply     chan error
	gen       int       // generation of the current form; messages of older ones are dropped
	pending   int       // navigations in flight: keys wait while > 0
	queue     []tea.Msg // keys not yet handed to a form
	noteFit   int       // how many lines of the page's note fit
	formLines int       // the form's height at the last layout
	drawn     string    // the form's view, until the form changes
	drawnOK   bool

	work *workState
	spin spinner.Model

	interrupted bool
	closing     bool
	secretShown bool // a page that asks a secret was shown: type-ahead is kept from now on
}

func newSessionModel(s *session, width, height int) *sessionModel {
	return &sessionModel{s: s, width: width, height: height,
		spin: spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(lipgloss.NewStyle().Foreground(lipgloss.Color("5"))))}
}

func (m *sessionModel) Init() tea.Cmd { return nil }

func (m *sessionModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		if m.s != nil {
			m.s.width.Store(int64(msg.Width))
		}
		if m.bp != nil {
			return m, m.layout()
		}
		return m, nil
	case askMsg:
		if m.interrupted || m.closing {
			msg.reply <- ErrCancelled
			return m, nil
		}
		if dropsTypedAhead(msg.page, !m.secretShown) {
			// Keys typed before the first secret page, or before a
			// guarded one, are not its answers (see typeahead.go); the
			// page says so when there were any.
			m.secretShown = m.secretShown || asksSecret(msg.page)
			if len(m.queue) > 0 || (m.s != nil && m.s.dropped.Swap(false)) {
				msg.page = withDroppedNote(msg.page)
			}
			m.queue = nil
		}
		m.gen++
		m.pending = 0
		m.bp, m.reply = buildPage(msg.page, m.width, m.helpLines(msg.page)), msg.reply
		m.drawnOK = false
		if m.s != nil && m.s.shown != nil {
			m.s.shown(msg.page.ID)
		}
		init := tagCmd(m.gen, m.bp.form.Init())
		return m, tea.Batch(init, m.layout(), m.drain())
	case workStartMsg:
		m.work = msg.w
		return m, tea.Batch(m.spin.Tick, m.drain())
	case workEndMsg:
		if m.work == msg.w {
			m.work = nil
		}
		return m, nil
	case spinner.TickMsg:
		if m.work == nil {
			return m, nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case closeMsg:
		m.closing = true
		return m, tea.Quit
	case tea.KeyPressMsg:
		if msg.String() == "ctrl+c" {
			// The program ends (drawing a blank frame), then the
			// command's context (see session.start).
			m.interrupt()
			return m, tea.Quit
		}
		m.queue = append(m.queue, typedKey(msg))
		return m, m.drain()
	case tea.PasteMsg:
		m.queue = append(m.queue, splitPaste(msg.Content)...)
		return m, m.drain()
	case taggedMsg:
		if m.bp == nil || msg.gen != m.gen {
			return m, nil // a late message of a page already answered
		}
		cmd := m.formMsg(msg.msg)
		return m, tea.Batch(cmd, m.drain())
	case settledMsg:
		if msg.gen == m.gen && m.pending > 0 {
			m.pending--
		}
		return m, m.drain()
	}
	if m.bp != nil {
		_, cmd := m.update(msg)
		return m, tea.Batch(tagCmd(m.gen, cmd), m.doneCmd())
	}
	return m, nil
}

// helpLines is how many lines of a question's help fit with its title,
// input and error under the page's header and above the footer (0: all,
// on a terminal tall enough).
func (m *sessionModel) helpLines(p *Page) int {
	header := 0
	if p.Title != "" {
		header = len(splitLines(wrapTo(p.Title, m.width-1)))
	}
	// title, input, error line, the blank before the footer, the footer
	// (two lines when narrow), the row kept free.
	avail := m.height - header - 7
	if m.height >= 30 {
		return 0
	}
	return max(avail, 1)
}

// update hands msg to the form.
func (m *sessionModel) update(msg tea.Msg) (huh.Model, tea.Cmd) {
	m.drawnOK = false
	return m.bp.form.Update(msg)
}

// formView is the form's view, drawn once per change.
func (m *sessionModel) formView() string {
	if !m.drawnOK {
		m.drawn, m.drawnOK = m.bp.form.View(), true
	}
	return m.drawn
}

// splitPaste turns pasted text into keys: a line break is Enter, so
// answers pasted one a line fill one field each (a single-line field
// cannot hold a line break anyway).
func splitPaste(s string) []tea.Msg {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	var out []tea.Msg
	for i, part := range strings.Split(s, "\n") {
		if i > 0 {
			out = append(out, tea.KeyPressMsg{Code: tea.KeyEnter})
		}
		if part != "" {
			out = append(out, tea.PasteMsg{Content: part})
		}
	}
	return out
}

// drain hands waiting keys to the form while no navigation is in flight.
// While work runs, Esc cancels it and other keys are dropped: they would
// answer a question not shown yet.
func (m *sessionModel) drain() tea.Cmd {
	var cmds []tea.Cmd
	for len(m.queue) > 0 {
		if m.work != nil {
			k := m.queue[0]
			m.queue = m.queue[1:]
			if kp, ok := k.(tea.KeyPressMsg); ok && kp.String() == "esc" && m.work.cancellable {
				m.cancelWork(ErrBack)
			}
			continue
		}
		if m.bp == nil || m.pending > 0 {
			break
		}
		k := m.queue[0]
		m.queue = m.queue[1:]
		cmds = append(cmds, m.deliver(k))
	}
	return tea.Batch(cmds...)
}

// deliver hands one key to the form.
func (m *sessionModel) deliver(k tea.Msg) tea.Cmd {
	kp, isKey := k.(tea.KeyPressMsg)
	if isKey && kp.String() == "esc" {
		return m.escape()
	}
	_, cmd := m.update(k)
	if m.finished() {
		return nil
	}
	if isKey && m.mayNavigate(kp) {
		m.pending++
		return tea.Batch(settleAfter(m.gen, cmd), m.relayout())
	}
	return tea.Batch(tagCmd(m.gen, cmd), m.relayout())
}

// mayNavigate reports whether k may move the focus: Enter, Tab,
// Shift-Tab, and y/n on a confirm. Holding the keys after a key that did
// not navigate after all costs nothing: its sentinel arrives at once.
func (m *sessionModel) mayNavigate(k tea.KeyPressMsg) bool {
	switch k.String() {
	case "enter", "tab", "shift+tab":
		return true
	case "y", "Y", "n", "N":
		_, ok := m.bp.form.GetFocusedField().(*huh.Confirm)
		return ok
	}
	return false
}

// escape is Esc: a list being filtered clears its filter; a question after
// the page's first goes back to the previous one; on the first question
// the page is answered with ErrBack.
func (m *sessionModel) escape() tea.Cmd {
	esc := tea.KeyPressMsg{Code: tea.KeyEscape}
	if m.fieldUsesEsc() {
		var cmds []tea.Cmd
		// huh's first Esc ends the filtering and keeps the filter; the
		// second clears it.
		for range 2 {
			if !m.fieldUsesEsc() {
				break
			}
			_, cmd := m.update(esc)
			cmds = append(cmds, tagCmd(m.gen, cmd))
		}
		return tea.Batch(append(cmds, m.relayout())...)
	}
	if m.bp.form.GetFocusedField() != m.bp.first {
		return m.deliver(tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift})
	}
	m.finish(ErrBack)
	return nil
}

// fieldUsesEsc reports whether the focused field has its own use for Esc
// now (a list being filtered).
func (m *sessionModel) fieldUsesEsc() bool {
	esc := tea.KeyPressMsg{Code: tea.KeyEscape}
	for _, b := range m.bp.form.KeyBinds() {
		if b.Enabled() && key.Matches(esc, b) {
			return true
		}
	}
	return false
}

// formMsg hands a message of the current form's commands back to it. A
// field navigation that left the focus where it was (the page's last
// field) carries the page change in its command: keys wait for that too.
func (m *sessionModel) formMsg(msg tea.Msg) tea.Cmd {
	before := m.bp.form.GetFocusedField()
	_, cmd := m.update(msg)
	if m.finished() {
		return nil
	}
	if isFieldNav(msg) && m.bp.form.GetFocusedField() == before {
		m.pending++
		return settleAfter(m.gen, cmd)
	}
	return tea.Batch(tagCmd(m.gen, cmd), m.relayout())
}

// finished answers the page when its form has completed.
func (m *sessionModel) finished() bool {
	switch m.bp.form.State {
	case huh.StateCompleted:
		m.finish(nil)
		return true
	case huh.StateAborted:
		m.finish(ErrCancelled)
		return true
	}
	return false
}

// doneCmd checks for completion after a message that was not a key.
func (m *sessionModel) doneCmd() tea.Cmd {
	if m.bp != nil {
		m.finished()
	}
	return nil
}

// finish answers the current page with err; keys typed from now on wait
// for the next page.
func (m *sessionModel) finish(err error) {
	if m.reply != nil {
		m.reply <- err
	}
	m.bp, m.reply = nil, nil
	m.gen++
	m.pending = 0
}

// interrupt is Ctrl-C: the question or the cancellable work ends with
// ErrCancelled, and so does every later question; the session ends.
func (m *sessionModel) interrupt() {
	m.interrupted = true
	m.queue = nil
	if m.s != nil {
		m.s.cancelled.Store(true)
		m.s.interrupted.Store(true)
	}
	if m.bp != nil {
		m.finish(ErrCancelled)
	}
	if m.work != nil && m.work.cancellable {
		m.cancelWork(ErrCancelled)
	}
}

// cancelWork cancels the running work, recording why.
func (m *sessionModel) cancelWork(why error) {
	select {
	case m.work.result <- why:
	default:
	}
	m.work.cancel()
}
