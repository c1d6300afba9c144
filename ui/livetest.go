package ui

import (
	"context"
	"time"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/store"
)

// liveTest runs c's live test of v and returns its report, error and the
// result to record.
func liveTest(ctx context.Context, f *Factory, c *connectors.Connector, v connectors.Values) (connectors.Report, error, store.TestResult) {
	rep, err := c.Test(ctx, f.HTTPClient(), v)
	if rep.Connector == "" {
		rep.Connector = c.ID
	}
	return rep, err, testResult(f.Now(), rep, err)
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
