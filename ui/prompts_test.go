package ui

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/credwiz/credwiz/connectors/connectortest"
	"github.com/credwiz/credwiz/store"
)

// TestPassphraseAskedTwiceForANewFile: with the encrypted file store and no
// CREDWIZ_PASSPHRASE, the passphrase is asked before any other question,
// twice while secrets.age does not exist; a mismatch is refused.
func TestPassphraseAskedTwiceForANewFile(t *testing.T) {
	e := newTestEnv(t)
	s := newScript(t,
		answer{page: "passphrase",
			invalid: map[string]string{"passphrase": ""},
			check: func(t *testing.T, p *Page) {
				if len(p.Questions) != 2 || p.Questions[0].Kind != KindSecret {
					t.Errorf("a new file's passphrase is asked %d times", len(p.Questions))
				}
				*p.Questions[0].Value = "first"
				if err := p.Questions[1].Validate("second"); err == nil || !strings.Contains(err.Error(), "differ") {
					t.Errorf("different passphrases: %v", err)
				}
			},
			set: map[string]string{"passphrase": "open sesame", "passphrase_again": "open sesame"}},
		answer{page: "name", err: ErrCancelled},
	)
	ios, _, errOut := testIO("")
	ios.InTTY, ios.ErrTTY = true, true
	f := e.factory(ios)
	f.OpenStore = store.Open
	f.StoreKind = "file"
	f.Prompter = s
	root := NewRoot(f)
	root.SetArgs([]string{"--store", "file", "add", "drift"})
	if err := root.Execute(); ExitCode(err) != 130 {
		t.Fatalf("exit %d (%v): %s", ExitCode(err), err, errOut)
	}
}

// TestEscOnThePassphraseCancels: Esc on the passphrase page is a cancel;
// an existing store's passphrase is asked once.
func TestEscOnThePassphraseCancels(t *testing.T) {
	e := newTestEnv(t)
	ios, _, _ := testIO("")
	ios.InTTY, ios.ErrTTY = true, true
	f := e.factory(ios)
	f.OpenStore = store.Open
	req := store.PassphraseRequest{Path: filepath.Join(e.dir, "identity.age"), Attempt: 1}
	f.Prompter = newScript(t, answer{page: "passphrase", err: ErrBack})
	if _, err := f.askPassphrasePage(req); !errors.Is(err, ErrCancelled) {
		t.Errorf("Esc on the passphrase: %v", err)
	}
	f.Prompter = newScript(t, answer{page: "passphrase", set: map[string]string{"passphrase": "p"}, check: func(t *testing.T, p *Page) {
		if len(p.Questions) != 1 {
			t.Errorf("an existing store's passphrase is asked %d times", len(p.Questions))
		}
	}})
	if p, err := f.askPassphrasePage(req); err != nil || p != "p" {
		t.Errorf("%q %v", p, err)
	}
}

// TestAccessibleMode: plain numbered prompts read from stdin; each help in
// its question; the page's note printed first.
func TestAccessibleMode(t *testing.T) {
	e := newTestEnv(t)
	if err := putCredential(e.index(), store.Credential{Name: "acc", Connector: "drift"}); err != nil {
		t.Fatal(err)
	}
	ios, _, errOut := testIO("")
	ios.In = &lineReader{lines: []string{"1\n", "y\n"}}
	ios.InTTY, ios.ErrTTY = true, true
	f := e.factory(ios)
	f.Accessible = true
	root := NewRoot(f)
	root.SetArgs([]string{"--accessible", "rm"})
	err := root.Execute()
	if err != nil {
		t.Fatalf("%v: %s", err, errOut)
	}
	out := errOut.String()
	for _, want := range []string{"Delete which credential?", "/ filters the list", `Deleted "acc"`} {
		if !strings.Contains(out, want) {
			t.Errorf("accessible output lacks %q:\n%s", want, out)
		}
	}
	a := &accessiblePrompter{f: f}
	if err := a.Work(context.Background(), Work{Title: "Working…", Fn: func(context.Context) error { return nil }}); err != nil {
		t.Error(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := a.Work(ctx, Work{Title: "Cancelled…", Fn: func(ctx context.Context) error { return ctx.Err() }}); !errors.Is(err, ErrCancelled) {
		t.Errorf("cancelled work: %v", err)
	}
}

// lineReader returns one line per Read, as a terminal in line mode does.
type lineReader struct{ lines []string }

func (l *lineReader) Read(p []byte) (int, error) {
	if len(l.lines) == 0 {
		return 0, io.EOF
	}
	n := copy(p, l.lines[0])
	l.lines = l.lines[1:]
	return n, nil
}

// TestSavingSaysWhyTheFirstFileSaveIsSlow: the save that creates the
// encrypted file store says, under its spinner, that the passphrase is
// being stretched (seconds after it was typed); later saves just save.
func TestSavingSaysWhyTheFirstFileSaveIsSlow(t *testing.T) {
	e := newTestEnv(t)
	em := connectortest.NewDrift()
	defer em.Close()
	v := em.Values()
	run := func(name string, first bool) {
		answers := []answer{}
		if first {
			answers = append(answers, answer{page: "passphrase", set: map[string]string{"passphrase": "open sesame", "passphrase_again": "open sesame"}})
		}
		answers = append(answers, driftAnswers(name, v["api_key"], em.URL())...)
		answers = append(answers, answer{page: "decide", set: map[string]string{"decide": actSave}})
		if first {
			answers = append(answers, answer{work: "creating the encrypted file store"})
		}
		ios, _, errOut := testIO("")
		ios.InTTY, ios.ErrTTY = true, true
		f := e.factory(ios)
		f.OpenStore = func(o store.Options) (*store.Store, error) { o.WorkFactor = 10; return store.Open(o) }
		// Main sets StoreKind from --store: the environment asks for the
		// file store, whether or not a keychain answers here.
		e.env["CREDWIZ_STORE"] = "file"
		f.Prompter = newScript(t, answers...)
		if code := Main(context.Background(), f, []string{"add", "drift"}); code != 0 {
			t.Fatalf("add %s: exit %d: %s", name, code, errOut)
		}
	}
	run("first", true)
	run("second", false)
}
