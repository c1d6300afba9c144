package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/internal/termsafe"
	"github.com/credwiz/credwiz/store"
)

// testOutcome is one credential's test result; its JSON form is an element
// of test --json's array (fields only ever added).
type testOutcome struct {
	Name       string             `json:"name"`
	Connector  string             `json:"connector"`
	OK         bool               `json:"ok"`
	Class      string             `json:"class,omitempty"`
	Message    string             `json:"message,omitempty"`
	NextStep   string             `json:"next_step,omitempty"`
	DurationMS int64              `json:"duration_ms"`
	Report     *connectors.Report `json:"report,omitempty"`

	c   *connectors.Connector
	rec *store.Record // what to record; nil when nothing was tested
	// ownFix: Message says what to do itself (a foreign secret item),
	// so NextStep is not printed after it.
	ownFix bool
}

func newTestCmd(f *Factory) *cobra.Command {
	var all, asJSON bool
	var parallel int
	cmd := &cobra.Command{
		Use:   "test NAME... | --all",
		Short: "Test saved credentials live against the vendors",
		Long: `Test saved credentials live: the token exchange plus one cheap read per
credential, several at once (--parallel). Each result is recorded (see
credwiz list). Exit 0 only if every test passed, so a cron job or systemd
timer can notify on failure; --json gives each failure's class (rejected,
forbidden, unreachable, rate_limited, vendor, store) and message.`,
		ValidArgsFunction: completeNames(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			if all && len(args) > 0 {
				return usagef("test takes credential names or --all, not both")
			}
			if !all && len(args) == 0 {
				if !f.CanPrompt() {
					return usagef("test needs credential names, or --all to test every saved one")
				}
				name, err := pickCredential(f, homeTest, true)
				if errors.Is(err, ErrBack) {
					return ErrCancelled
				}
				if err != nil {
					return err
				}
				all = name == ""
				if !all {
					args = []string{name}
				}
			}
			if parallel < 1 {
				return usagef("--parallel must be at least 1")
			}
			creds, err := selectCredentials(f, args, all)
			if err != nil {
				return err
			}
			if len(creds) == 0 {
				// Nothing to test is not a failure (a cron job stays quiet).
				fmt.Fprintln(f.IO.ErrOut, "No credentials saved yet; nothing to test. Add one with: credwiz add")
				if asJSON {
					return writeJSON(f.IO.Out, []testOutcome{})
				}
				return nil
			}
			f.testNameWidth = nameWidth(creds)
			if f.IO.ErrTTY && !asJSON {
				// A sign of life while the vendors answer (a slow one
				// takes seconds); each result follows on its own line.
				fmt.Fprintf(f.IO.ErrOut, "%s (Ctrl-C stops)\n", testingTitle(creds))
			}
			outs := runTests(cmd.Context(), f, creds, parallel, !asJSON)
			if cmd.Context().Err() != nil || slices.ContainsFunc(outs, func(o testOutcome) bool { return o.Class == classCancelled }) {
				// Ctrl-C, or the passphrase prompt cancelled: nothing more
				// is said than "Cancelled." (exit 130), as elsewhere.
				return ErrCancelled
			}
			if asJSON {
				if err := writeJSON(f.IO.Out, outs); err != nil {
					return err
				}
			} else {
				printSummary(f, outs)
			}
			for _, o := range outs {
				if !o.OK {
					return ErrSilent
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "test every saved credential")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array of results")
	cmd.Flags().IntVar(&parallel, "parallel", 16, "how many credentials to test at once")
	return cmd
}

// selectCredentials returns the named credentials (all unknown names are
// reported at once) or every one.
func selectCredentials(f *Factory, names []string, all bool) ([]store.Credential, error) {
	list, err := f.Credentials()
	if err != nil {
		return nil, err
	}
	if all {
		return list, nil
	}
	byName := map[string]store.Credential{}
	for _, c := range list {
		byName[c.Name] = c
	}
	var out []store.Credential
	var missing []string
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			continue
		}
		seen[n] = true
		c, ok := byName[n]
		if !ok {
			missing = append(missing, fmt.Sprintf("%q", n))
			continue
		}
		out = append(out, c)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("no credential named %s; credwiz list shows the saved ones", strings.Join(missing, ", "))
	}
	return out, nil
}

// runTests tests creds, at most parallel at once, then records every
// result in one index transaction and caches the fresh tokens (each only
// if its credential was not changed meanwhile). With progress, a line per credential
// goes to stdout as each finishes on a terminal. The outcomes are returned
// in the order of creds.
func runTests(ctx context.Context, f *Factory, creds []store.Credential, parallel int, progress bool) []testOutcome {
	byID := connectorsByID(f)
	outs := make([]testOutcome, len(creds))
	sem := make(chan struct{}, parallel)
	// ahead bounds the credentials whose secrets are read: up to parallel
	// more than are being tested, so that reading the next ones' secrets
	// (the keychain answers one call at a time) overlaps the vendor
	// requests in flight instead of adding to every wave of them.
	ahead := make(chan struct{}, 2*parallel)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i, cred := range creds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case ahead <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-ahead }()
			l := loadTest(f, byID[cred.Connector], cred)
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-sem }()
			outs[i] = l.run(ctx, f)
			// A test the signal cut short has no result to show: the
			// command ends with "Cancelled.".
			if progress && f.IO.OutTTY && outs[i].Class != classCancelled {
				mu.Lock()
				printOutcome(f, outs[i])
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if ctx.Err() == nil {
		recordOutcomes(ctx, f, outs)
	}
	if progress && !f.IO.OutTTY && ctx.Err() == nil {
		for _, o := range outs {
			printOutcome(f, o)
		}
	}
	return outs
}

// testingTitle says what runTests is about to test: "Testing NAME…", or
// "Testing N credentials…".
func testingTitle(creds []store.Credential) string {
	if len(creds) == 1 {
		return fmt.Sprintf("Testing %s…", termsafe.String(creds[0].Name))
	}
	return fmt.Sprintf("Testing %d credentials…", len(creds))
}

// classCancelled is the class of a test a signal ended.
const classCancelled = "cancelled"

// testOne tests one saved credential; runTests records the result.
func testOne(ctx context.Context, f *Factory, c *connectors.Connector, cred store.Credential) testOutcome {
	return loadTest(f, c, cred).run(ctx, f)
}

// testLoad is a credential about to be tested, with its values read.
type testLoad struct {
	c    *connectors.Connector
	cred store.Credential
	v    connectors.Values
	err  error
}

// loadTest reads the values of cred to test (one read of the secret
// store). A list entry behind the credential (another credwiz changed it,
// or someone changed its Vault entry directly) is read again as it is
// now, once: a test only reads.
func loadTest(f *Factory, c *connectors.Connector, cred store.Credential) testLoad {
	l := testLoad{c: c, cred: cred}
	if c == nil {
		return l
	}
	l.v, l.err = loadValues(f, cred)
	if ce := (*store.ConflictError)(nil); errors.As(l.err, &ce) && !ce.Deleted {
		if ix, ierr := f.Index(); ierr == nil {
			if now, gerr := ix.Get(cred.Name); gerr == nil && now.Connector == cred.Connector {
				l.cred = now
				l.v, l.err = loadValues(f, now)
			}
		}
	}
	return l
}

// run tests the loaded credential.
func (l testLoad) run(ctx context.Context, f *Factory) testOutcome {
	c, cred := l.c, l.cred
	start := f.Now()
	o := testOutcome{Name: cred.Name, Connector: cred.Connector, c: c}
	fail := func(class string, err error, next string) testOutcome {
		o.Class, o.Message, o.NextStep = class, Explain(err), next
		o.ownFix = errors.Is(err, store.ErrForeignItem) || errors.Is(err, store.ErrTampered)
		o.DurationMS = f.Now().Sub(start).Milliseconds()
		return o
	}
	if c == nil {
		return fail("other", fmt.Errorf("connector %q is unknown to this credwiz", cred.Connector), "upgrade credwiz")
	}
	v, err := l.v, l.err
	if errors.Is(err, ErrCancelled) {
		// The operator cancelled the passphrase prompt (Esc, Ctrl-C).
		return fail(classCancelled, err, "")
	}
	if err != nil {
		return fail("store", err, "run credwiz doctor")
	}
	start = f.Now() // the test's time, not the passphrase typed to read the secret
	rep, res, err := liveTest(ctx, f, c, c.Normalize(v))
	if errors.Is(err, context.Canceled) {
		return fail(classCancelled, err, "")
	}
	o.DurationMS = f.Now().Sub(start).Milliseconds()
	o.Report = &rep
	o.OK = err == nil
	if err != nil {
		o.Class, o.Message = res.Class, err.Error()
		o.NextStep = failure(c, cred.Name, err)
	}
	o.rec = &store.Record{Name: cred.Name, Revision: cred.Revision, Result: &res}
	if err == nil {
		o.rec.Token = tokenFields(c, rep.Token)
	}
	return o
}

// recordOutcomes records the outcomes' results and tokens in one
// transaction. A credential changed or deleted while it was tested keeps
// nothing of this test, and the operator is told.
func recordOutcomes(ctx context.Context, f *Factory, outs []testOutcome) {
	var recs []store.Record
	for _, o := range outs {
		if o.rec != nil {
			recs = append(recs, *o.rec)
		}
	}
	if len(recs) == 0 {
		return
	}
	st, err := f.Store()
	if err != nil {
		return
	}
	errs, err := st.Record(ctx, recs)
	if err != nil {
		fmt.Fprintf(f.IO.ErrOut, "warning: could not record the test results: %s\n", termsafe.Text(Explain(err)))
		return
	}
	for i, e := range errs {
		switch {
		case e == nil, errors.Is(e, store.ErrTooBig):
		case errors.Is(e, store.ErrConflict):
			fmt.Fprintf(f.IO.ErrOut, "warning: %s was changed or deleted by another credwiz while it was tested; this result was not recorded\n", termsafe.String(recs[i].Name))
		default:
			fmt.Fprintf(f.IO.ErrOut, "warning: %s\n", termsafe.Text(Explain(e)))
		}
	}
}

// printOutcome prints one result line, and for a failure the explanation.
// Names from the index and the vendor's texts pass through termsafe.
func printOutcome(f *Factory, o testOutcome) {
	st := f.IO.stdoutStyles()
	w := colorWriter(f.IO.Out, !f.IO.ColorOut())
	dur := fmt.Sprintf("%5.1fs", float64(o.DurationMS)/1000)
	// Columns: name (as wide as the longest tested), connector, time,
	// then the account or the failure's class.
	nw := f.testNameWidth
	if nw == 0 {
		nw = len([]rune(o.Name))
	}
	safe := termsafe.String
	name := fmt.Sprintf("%-*s  %-10s  %s", nw, safe(o.Name), safe(o.Connector), st.dim.Render(dur))
	if o.OK {
		acct := ""
		if o.Report != nil && o.Report.Account != "" {
			acct = "  " + safe(o.Report.Account)
		}
		fmt.Fprintf(w, "%s %s%s\n", st.ok.Render("✓"), name, acct)
		if o.Report != nil {
			for _, wm := range o.Report.Warnings {
				fmt.Fprintf(w, "  %s %s\n", st.warn.Render("!"), safe(wm))
			}
		}
		return
	}
	fmt.Fprintf(w, "%s %s  %s\n", st.fail.Render("✗"), name, safe(o.Class))
	// A vendor failure's next step is the full explanation; for the
	// others (store, unknown connector) the message is.
	msg := o.NextStep
	if o.Report == nil {
		msg = o.Message
		if o.NextStep != "" && !o.ownFix {
			msg += " (" + o.NextStep + ")"
		}
	}
	if !f.IO.OutTTY { // a log or a mail: one line a message, for grep
		fmt.Fprintf(w, "  %s\n", termsafe.Text(msg))
		return
	}
	// A terminal breaks a long line anywhere, mid-word: wrap it at words.
	for _, l := range indentWrapped(f, termsafe.Text(msg), "  ") {
		fmt.Fprintln(w, l)
	}
}

// printSummary prints "N passed, M failed" on stderr.
func printSummary(f *Factory, outs []testOutcome) {
	var failed []string
	for _, o := range outs {
		if !o.OK {
			failed = append(failed, o.Name)
		}
	}
	sort.Strings(failed)
	passed := len(outs) - len(failed)
	if len(failed) == 0 {
		fmt.Fprintf(f.IO.ErrOut, "%d passed\n", passed)
		return
	}
	fmt.Fprintf(f.IO.ErrOut, "%d passed, %d failed: %s\n", passed, len(failed), termsafe.String(strings.Join(failed, ", ")))
}
