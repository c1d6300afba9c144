// Package connectortest provides httptest emulators of the vendor APIs
// credwiz talks to, behaving as the vendors document them (real paths,
// bodies, status codes, token lifetimes and error shapes), with knobs for
// faults: hangs, slow answers, rate limits, server errors and revoked or
// expired credentials. SetVariant makes their successful answers vary the
// way real vendors' do (another JSON type, null or missing display fields,
// extra fields, huge numbers, odd characters) without touching what a
// client needs; Rewrite lets a test turn any answer hostile. Connector
// tests, UI tests and end-to-end tests use them; nothing here reaches a
// vendor's real host.
package connectortest
