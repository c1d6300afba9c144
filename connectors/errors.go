package connectors

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// The classes of test failure. Every error a Test or Token returns wraps
// exactly one of them (use errors.Is), except a cancelled context, returned
// as is, and values that fail Connector.Validate, returned as the
// *FieldError or *MissingError that Validate gives, before any request.
var (
	// ErrRejected: the vendor refused the credentials (wrong, expired or revoked).
	ErrRejected = errors.New("credentials rejected")
	// ErrForbidden: the credentials are valid but lack a permission the test needs.
	ErrForbidden = errors.New("permission missing")
	// ErrUnreachable: DNS failure, connection refused, TLS failure or timeout.
	ErrUnreachable = errors.New("vendor unreachable")
	// ErrRateLimited: the vendor answered 429 even after the bounded retries.
	ErrRateLimited = errors.New("rate limited")
	// ErrVendor: a 5xx or an answer credwiz does not understand.
	ErrVendor = errors.New("vendor error")
)

// Error is a classified failure of a vendor call. Its text holds the vendor's
// own message with every secret value redacted.
type Error struct {
	// Class is one of ErrRejected, ErrForbidden, ErrUnreachable,
	// ErrRateLimited or ErrVendor.
	Class error
	// Op is what was being done ("token exchange", "GET /app/token_info").
	Op string
	// Status is the HTTP status, 0 when there was no answer.
	Status int
	// Code is the vendor's error code ("invalid_grant"), if any.
	Code string
	// Message is the vendor's message or the transport failure, redacted.
	Message string
	// Hint is the next step to suggest ("check the user's Login History").
	Hint string

	// redact, when set by the helpers that build an Error from a vendor
	// call (statusError, decode, transportError), removes that call's
	// secrets from Error() and HintOf, whatever a connector later puts in
	// Code, Message or Hint. A function rather than the secrets themselves,
	// so that printing the struct with %#v shows none.
	redact func(string) string
}

// redactor returns a function removing secrets from a text, or nil when
// there are none.
func redactor(secrets []string) func(string) string {
	if len(secrets) == 0 {
		return nil
	}
	own := append([]string(nil), secrets...)
	return func(s string) string { return Redact(s, own...) }
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Op)
	b.WriteString(": ")
	b.WriteString(e.Class.Error())
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d", e.Status)
		if e.Code != "" {
			b.WriteString(" ")
			b.WriteString(e.Code)
		}
		b.WriteString(")")
	} else if e.Code != "" {
		fmt.Fprintf(&b, " (%s)", e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.redact != nil {
		return Printable(e.redact(b.String()))
	}
	return Printable(b.String())
}

// Redacted returns a copy of e whose Op, Code, Message and Hint have every
// secret removed and hold no control characters, for a caller that renders
// the parts itself (as credwiz's messages do).
func (e *Error) Redacted() Error {
	r := e.redact
	if r == nil {
		r = func(s string) string { return s }
	}
	c := *e
	c.Op, c.Code, c.Message, c.Hint = Printable(r(e.Op)), Printable(r(e.Code)), Printable(r(e.Message)), Printable(r(e.Hint))
	return c
}

// Printable replaces the control characters in a vendor-supplied text
// (escape sequences that would drive the terminal, line breaks that would
// forge extra output lines) with U+FFFD; tabs and line breaks become
// spaces.
func Printable(s string) string {
	if strings.IndexFunc(s, unicode.IsControl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case unicode.IsControl(r):
			return '\uFFFD'
		}
		return r
	}, s)
}

// GoString implements fmt.GoStringer, so that %#v, too, shows no secret.
func (e *Error) GoString() string {
	r := e.redact
	if r == nil {
		r = func(s string) string { return s }
	}
	class := "<nil>"
	if e.Class != nil {
		class = e.Class.Error()
	}
	return fmt.Sprintf("&connectors.Error{Class:%q, Op:%q, Status:%d, Code:%q, Message:%q, Hint:%q}",
		class, r(e.Op), e.Status, r(e.Code), r(e.Message), r(e.Hint))
}

// Unwrap returns the error's class.
func (e *Error) Unwrap() error { return e.Class }

// Class returns the sentinel class of err (ErrRejected…ErrVendor), or nil
// when err is not a classified vendor error.
func Class(err error) error {
	for _, c := range []error{ErrRejected, ErrForbidden, ErrUnreachable, ErrRateLimited, ErrVendor} {
		if errors.Is(err, c) {
			return c
		}
	}
	return nil
}

// ClassName returns a short stable name for err's class, for JSON output:
// "rejected", "forbidden", "unreachable", "rate_limited", "vendor", or
// "other" for an unclassified error and "" for nil.
func ClassName(err error) string {
	switch Class(err) {
	case ErrRejected:
		return "rejected"
	case ErrForbidden:
		return "forbidden"
	case ErrUnreachable:
		return "unreachable"
	case ErrRateLimited:
		return "rate_limited"
	case ErrVendor:
		return "vendor"
	}
	if err == nil {
		return ""
	}
	return "other"
}

// HintOf returns the next-step hint carried by err, if any.
func HintOf(err error) string {
	var e *Error
	if !errors.As(err, &e) {
		return ""
	}
	if e.redact != nil {
		return Printable(e.redact(e.Hint))
	}
	return Printable(e.Hint)
}

// refine replaces e's code and message with what the vendor's error body
// said, when it said anything, redacting secrets from both.
func (e *Error) refine(code, message string, secrets []string) *Error {
	if code != "" {
		e.Code = truncate(Redact(code, secrets...), 80)
	}
	if message != "" {
		e.Message = redactedSnippet([]byte(message), secrets)
	}
	return e
}
