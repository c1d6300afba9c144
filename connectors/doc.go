// Package connectors declares the SaaS systems credwiz can hold credentials
// for, as data plus one live-test hook, in the manner of rclone's backend
// options: the UI builds every form from a Connector's Fields and never
// needs to know a vendor by name.
//
// Each connector's Test performs the vendor's token exchange (where there is
// one) and one cheap read, and returns a Report of what the credential
// reached and may access. Failures are *Error values whose class is one of
// the sentinel errors ErrRejected, ErrForbidden, ErrUnreachable,
// ErrRateLimited or ErrVendor.
//
// Vendor text is data, not trusted: before any of it reaches an Error or a
// Report, a LeakCheck of the credential's secrets and access tokens looks
// for them in it, decoded and encoded every usual way, and a text that
// quotes one is withheld as a whole (WithheldNotice). Answers are decoded
// strictly only where a check depends on a field; what is only shown may
// have any JSON type, be null or missing, and out-of-range times are
// unknown.
//
// The package has no UI and no storage: it never imports ui or store.
package connectors
