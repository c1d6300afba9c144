// Package connectortest provides httptest emulators of the vendor APIs
// credwiz talks to, behaving as ../apis.md describes them (real paths,
// bodies, status codes, token lifetimes and error shapes), with knobs for
// faults: hangs, slow answers, rate limits, server errors and revoked or
// expired credentials. Connector tests, UI tests and end-to-end tests use
// them; nothing here reaches a vendor's real host.
package connectortest
