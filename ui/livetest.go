package ui

import (
	"context"
	"time"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/store"
)

// liveTest runs c's live test of v and returns its report, the result to
// record, and the test's error.
func liveTest(ctx context.Context, f *Factory, c *connectors.Connector, v connectors.Values) (connectors.Report, store.TestResult, error) {
	rep, err := c.RunTest(ctx, f.HTTPClient(), v)
	rep = printableReport(rep)
	return rep, testResult(f.Now(), rep, err), err
}

// printableReport strips control characters from the vendor-supplied
// texts of rep, which end up on the terminal and in the index.
func printableReport(rep connectors.Report) connectors.Report {
	p := connectors.Printable
	rep.Account, rep.TokenType = p(rep.Account), p(rep.TokenType)
	rep.Details = append([]connectors.Detail(nil), rep.Details...)
	for i, d := range rep.Details {
		rep.Details[i] = connectors.Detail{Label: p(d.Label), Value: p(d.Value)}
	}
	rep.Access = append([]connectors.Check(nil), rep.Access...)
	for i := range rep.Access {
		rep.Access[i].Name, rep.Access[i].Note = p(rep.Access[i].Name), p(rep.Access[i].Note)
	}
	rep.Warnings = append([]string(nil), rep.Warnings...)
	for i, w := range rep.Warnings {
		rep.Warnings[i] = p(w)
	}
	return rep
}

// testResult is what the index records of a live test.
func testResult(now time.Time, rep connectors.Report, err error) store.TestResult {
	r := store.TestResult{
		At: now.UTC().Truncate(time.Second), OK: err == nil, Account: rep.Account,
		TokenExpires: rep.TokenExpires, TokenNeverExpires: rep.TokenNeverExpires,
		Warnings: rep.Warnings,
	}
	if err != nil {
		r.Class = connectors.ClassName(err)
		r.Message = err.Error()
	}
	return r
}
