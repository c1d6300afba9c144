package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
	"github.com/credwiz/credwiz/store"
)

// The golden files in testdata/ are the plain text of key screens at 80×24
// and 60×20 (colours stripped; the program's colour profile pinned to
// Ascii), as the session draws them. Update them with:
//
//	go test ./ui -run Golden -update

// sizes are the terminal sizes every key screen is checked at.
var sizes = [][2]int{{80, 24}, {60, 20}}

// screen shows page in the session's model under teatest at w×h, sends
// keys (ones that do not navigate), and returns the plain text of the
// final view. It checks that the view fits: no line wider than w, and at
// most h-1 lines (one row stays free for lines printed above it).
func screen(t *testing.T, w, h int, page *Page, keys ...tea.Msg) string {
	t.Helper()
	tm := teatest.NewTestModel(t, newSessionModel(nil, w, h),
		teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	tm.Send(askMsg{page: page, reply: make(chan error, 1)})
	for _, k := range keys {
		tm.Send(k)
	}
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	m := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*sessionModel)
	got := plain(m.View().Content)
	lines := strings.Split(strings.TrimRight(got, "\n"), "\n")
	if len(lines) > h-1 {
		t.Errorf("the screen is %d lines tall at %d×%d:\n%s", len(lines), w, h, got)
	}
	for _, l := range lines {
		if n := len([]rune(l)); n > w {
			t.Errorf("a line is %d columns wide at %d×%d: %q", n, w, h, l)
		}
	}
	return got
}

func keyPress(k rune) tea.Msg { return tea.KeyPressMsg{Code: k} }
func text(s string) tea.Msg   { return tea.KeyPressMsg{Text: s, Code: []rune(s)[0]} }
func typed(s string) (msgs []tea.Msg) {
	for _, r := range s {
		msgs = append(msgs, text(string(r)))
	}
	return msgs
}

func goldenFactory(t *testing.T, w int) *Factory {
	e := newTestEnv(t)
	io, _, _ := testIO("")
	io.Width = func() int { return w }
	f := e.factory(io)
	f.Now = func() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) }
	return f
}

// eachSize runs fn as a subtest per size, comparing its screen with the
// golden file of that size.
func eachSize(t *testing.T, fn func(t *testing.T, w, h int) string) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			golden.RequireEqual(t, []byte(fn(t, sz[0], sz[1])))
		})
	}
}

func TestGoldenConnectorPick(t *testing.T) {
	eachSize(t, func(t *testing.T, w, h int) string {
		f := goldenFactory(t, w)
		id := ""
		got := screen(t, w, h, connectorPage(f, &id), keyPress(tea.KeyDown))
		if !strings.Contains(got, "> Salesforce") {
			t.Errorf("Down did not move the cursor to Salesforce:\n%s", got)
		}
		return got
	})
}

func TestGoldenSettingsMaskedSecret(t *testing.T) {
	eachSize(t, func(t *testing.T, w, h int) string {
		c, _ := connectors.Lookup("drift")
		b := newBoundValues(c, nil)
		fl := &credFlow{c: c, name: "prod-drift", mode: modeAdd}
		sp := settingsPages(c, modeAdd, nil)[0]
		const secret = "drift-s3cr3t-value"
		got := screen(t, w, h, &Page{ID: "settings/1", Title: fl.title("connection settings"),
			Questions: sp.questions(c, b, modeAdd)}, typed(secret)...)
		if strings.Contains(got, secret) {
			t.Fatalf("the secret is visible on the settings screen:\n%s", got)
		}
		if *b["api_key"] != secret {
			t.Errorf("typed secret not bound: %q", *b["api_key"])
		}
		return got
	})
}

// TestGoldenSalesforceLongHelp: the Salesforce page with the longest help
// texts fits both sizes (huh scrolls to the focused question), and help
// wraps at spaces.
func TestGoldenSalesforceLongHelp(t *testing.T) {
	eachSize(t, func(t *testing.T, w, h int) string {
		c, _ := connectors.Lookup("salesforce")
		b := newBoundValues(c, nil)
		sp := settingsPages(c, modeAdd, nil)[3] // username, password, security token
		got := screen(t, w, h, &Page{ID: "settings/4", Title: "Salesforce · prod-sf · connection settings",
			Questions: sp.questions(c, b, modeAdd)})
		for _, l := range strings.Split(got, "\n") {
			if strings.HasSuffix(strings.TrimSpace(l), "re-") && w > 60 {
				t.Errorf("help wrapped inside a word: %q", l)
			}
		}
		return got
	})
}

func TestGoldenFailureScreen(t *testing.T) {
	eachSize(t, func(t *testing.T, w, h int) string {
		f := goldenFactory(t, w)
		em := connectortest.NewSalesforce()
		defer em.Close()
		c, _ := connectors.Lookup("salesforce")
		v := em.Values()
		v["password"] = "not-the-password"
		_, err := c.RunTest(context.Background(), nil, v)
		if err == nil {
			t.Fatal("the emulator accepted a wrong password")
		}
		page, act := decidePage(f, c, err, false, 1)
		got := screen(t, w, h, page)
		if *act != actRetry {
			t.Errorf("default action %q, want retry", *act)
		}
		if !strings.HasPrefix(got, "✗ Test failed: credentials rejected") || !strings.Contains(got, "Save anyway") {
			t.Errorf("the verdict is not next to the choices:\n%s", got)
		}
		return got
	})
}

// TestGoldenHomeMenu: ten credentials; the list is cut to fit, saying so.
func TestGoldenHomeMenu(t *testing.T) {
	eachSize(t, func(t *testing.T, w, h int) string {
		f := goldenFactory(t, w)
		now := f.Now()
		cat, _ := f.Index()
		ix := cat.(*store.Index) // a local store's catalog is its index
		for i := range 10 {
			lt := &store.TestResult{At: now.Add(-time.Duration(i+1) * time.Hour), OK: i%3 != 0, Class: "rejected"}
			if err := putCredential(ix, store.Credential{Name: fmt.Sprintf("cred-%02d", i), Connector: "drift", LastTest: lt}); err != nil {
				t.Fatal(err)
			}
		}
		page, _, err := homePage(f)
		if err != nil {
			t.Fatal(err)
		}
		got := screen(t, w, h, page)
		if !strings.Contains(got, "What would you like to do?") || !strings.Contains(got, "Quit") {
			t.Errorf("the menu does not fit:\n%s", got)
		}
		return got
	})
}

func TestGoldenPicker(t *testing.T) {
	eachSize(t, func(t *testing.T, w, h int) string {
		f := goldenFactory(t, w)
		now := f.Now()
		cat, _ := f.Index()
		ix := cat.(*store.Index) // a local store's catalog is its index
		for i, c := range []string{"drift", "salesforce", "demandbase"} {
			cred := store.Credential{Name: "prod-" + c, Connector: c}
			if i > 0 {
				cred.LastTest = &store.TestResult{At: now.Add(-26 * time.Hour), OK: i == 1, Class: "rejected"}
			}
			if err := putCredential(ix, cred); err != nil {
				t.Fatal(err)
			}
		}
		var page *Page
		f.Prompter = pageGrabber(func(p *Page) { page = p })
		_, _ = pickCredential(f, homeReauth, false)
		return screen(t, w, h, page, text("/"), text("s"), text("a"), text("l"))
	})
}

// pageGrabber is a Prompter that hands the page asked to a function and
// answers nothing.
type pageGrabber func(*Page)

func (g pageGrabber) Ask(p *Page) error                      { g(p); return ErrBack }
func (g pageGrabber) Work(ctx context.Context, w Work) error { return w.Fn(ctx) }

func TestGoldenListTable(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	for _, w := range []int{80, 60} {
		t.Run(fmt.Sprint(w), func(t *testing.T) {
			io, out, _ := testIO("")
			io.OutTTY = true
			io.Width = func() int { return w }
			creds := []store.Credential{
				{Name: "prod-sf", Connector: "salesforce", Description: "ABM sync",
					Fields:           map[string]string{"username": "integration@acme.com", "password_expires_days": "90"},
					SecretsUpdatedAt: now.AddDate(0, 0, -80),
					LastTest:         &store.TestResult{At: now.Add(-2 * time.Hour), OK: true, Account: "integration@acme.com @ org 00D5g"}},
				{Name: "prod-drift", Connector: "drift", Description: "chat",
					Fields:   map[string]string{"base_url": "https://driftapi.com"},
					LastTest: &store.TestResult{At: now.Add(-3 * 24 * time.Hour), OK: false, Class: "rejected", TokenNeverExpires: true}},
				{Name: "db", Connector: "demandbase", Fields: map[string]string{"client_id": "dbks-1"}},
			}
			byID := map[string]*connectors.Connector{}
			for _, c := range connectors.All() {
				byID[c.ID] = c
			}
			printCredentials(io, now, byID, creds)
			got := plain(out.String())
			for _, want := range []string{"✗ 3d ago", "prod-drift", "salesforce"} {
				if !strings.Contains(got, want) {
					t.Errorf("list table lacks %q:\n%s", want, got)
				}
			}
			for _, l := range strings.Split(strings.TrimRight(got, "\n"), "\n") {
				if n := len([]rune(l)); n > w {
					t.Errorf("a line is %d wide at %d columns: %q", n, w, l)
				}
			}
			golden.RequireEqual(t, []byte(got))
		})
	}
}

// TestScreensFitNarrowTerminals: every key screen fits 40×16 and 40×12:
// no line wider, no more lines than the terminal less one.
func TestScreensFitNarrowTerminals(t *testing.T) {
	for _, sz := range [][2]int{{40, 16}, {40, 12}} {
		w, h := sz[0], sz[1]
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			f := goldenFactory(t, w)
			id := ""
			sf, _ := connectors.Lookup("salesforce")
			b := newBoundValues(sf, nil)
			pages := map[string]*Page{"connector": connectorPage(f, &id)}
			for n, sp := range settingsPages(sf, modeAdd, nil) {
				pages[fmt.Sprintf("settings/%d", n+1)] = &Page{ID: "s", Title: "Salesforce · a-long-credential-name · connection settings",
					Questions: sp.questions(sf, b, modeAdd)}
			}
			page, _ := decidePage(f, sf, &connectors.Error{Class: connectors.ErrRejected}, false, 3)
			pages["decide"] = page
			home, _, err := homePage(f)
			if err != nil {
				t.Fatal(err)
			}
			pages["home"] = home
			for name, p := range pages {
				t.Run(name, func(t *testing.T) {
					got := screen(t, w, h, p)
					if !strings.Contains(got, "ctrl+c quit") {
						t.Errorf("the footer is cut:\n%s", got)
					}
					if !strings.Contains(got, "┃ >") {
						t.Errorf("the focused question's input is not on screen:\n%s", got)
					}
				})
			}
		})
	}
}

// TestHomeMoreCountNarrow: at 40×15 and 60×20 with six credentials, the
// line that replaces the credentials left out counts credentials (not
// wrapped lines): shown plus "more" is six, and the summary is whole or
// absent.
func TestHomeMoreCountNarrow(t *testing.T) {
	for _, sz := range [][2]int{{40, 15}, {60, 20}, {40, 12}} {
		w, h := sz[0], sz[1]
		f := goldenFactory(t, w)
		cat, _ := f.Index()
		for i := range 6 {
			if err := putCredential(cat.(*store.Index), store.Credential{Name: fmt.Sprintf("cred-%02d", i), Connector: "drift"}); err != nil {
				t.Fatal(err)
			}
		}
		page, _, err := homePage(f)
		if err != nil {
			t.Fatal(err)
		}
		got := screen(t, w, h, page)
		listed := strings.Count(got, "cred-0")
		more := 0
		if i := strings.Index(got, "… and "); i >= 0 {
			fmt.Sscanf(got[i+len("… and "):], "%d", &more)
		}
		if listed+more != 6 && !strings.Contains(got, "6 saved credentials (List shows them)") {
			t.Errorf("%dx%d: %d listed, %d more:\n%s", w, h, listed, more, got)
		}
		if strings.Contains(got, "secrets in the") && !strings.Contains(strings.ReplaceAll(got, "\n", " "), "encrypted file") &&
			!strings.Contains(strings.ReplaceAll(got, "\n", " "), "keychain") {
			t.Errorf("%dx%d: the summary is cut:\n%s", w, h, got)
		}
	}
}

// TestValidationErrorIndented: a long validation error is wrapped at words
// with its continuation lines under its text (after huh's " * ").
func TestValidationErrorIndented(t *testing.T) {
	var v string
	long := errors.New("invalid credential name: use 1–64 characters: letters a–z and A–Z, digits, and . _ - (not first)")
	page := &Page{ID: "name", Questions: []Question{{Kind: KindInput, Key: "name", Title: "Credential Name", Value: &v,
		Validate: func(string) error { return long }}}}
	got := screen(t, 60, 20, page, append(typed("a b"), keyPress(tea.KeyEnter))...)
	i := strings.Index(got, " * invalid credential name")
	if i < 0 {
		t.Fatalf("no error shown:\n%s", got)
	}
	lines := strings.Split(got[i:], "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[1], "   ") || strings.TrimSpace(lines[1]) == "" {
		t.Errorf("the continuation is not under the text:\n%s", got)
	}
}
