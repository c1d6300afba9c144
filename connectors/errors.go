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
	ErrRejected error = &class{"credentials rejected", "rejected"}
	// ErrForbidden: the credentials are valid but lack a permission the test needs.
	ErrForbidden error = &class{"permission missing", "forbidden"}
	// ErrUnreachable: DNS failure, connection refused, TLS failure or timeout.
	ErrUnreachable error = &class{"vendor unreachable", "unreachable"}
	// ErrRateLimited: the vendor answered 429 even after the bounded retries.
	ErrRateLimited error = &class{"rate limited", "rate_limited"}
	// ErrVendor: a 5xx or an answer credwiz does not understand.
	ErrVendor error = &class{"vendor error", "vendor"}
)

// classes are the classes of test failure, in the order Class tries them.
var classes = []error{ErrRejected, ErrForbidden, ErrUnreachable, ErrRateLimited, ErrVendor}

// class is a class of test failure: its message, and the short stable
// name ClassName gives it.
type class struct{ msg, name string }

func (c *class) Error() string { return c.msg }

// Error is a classified failure of a vendor call. Where its Code and
// Message carry the vendor's words, those passed the credential's
// LeakCheck when the Error was built, and a vendor text that quoted a
// secret was replaced as a whole by WithheldNotice; Op and Hint are
// credwiz's own words and are never rewritten.
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
	// Message is the vendor's message or the transport failure.
	Message string
	// Hint is the next step to suggest ("check the user's Login History").
	Hint string
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
	return Printable(b.String())
}

// Redacted returns a copy of e whose Op, Code, Message and Hint hold no
// control characters, for a caller that renders the parts itself (as
// credwiz's messages do). Vendor text in them already passed the
// credential's LeakCheck.
func (e *Error) Redacted() Error {
	c := *e
	c.Op, c.Code, c.Message, c.Hint = Printable(e.Op), Printable(e.Code), Printable(e.Message), Printable(e.Hint)
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

// GoString implements fmt.GoStringer: %#v shows the class by name.
func (e *Error) GoString() string {
	class := "<nil>"
	if e.Class != nil {
		class = e.Class.Error()
	}
	return fmt.Sprintf("&connectors.Error{Class:%q, Op:%q, Status:%d, Code:%q, Message:%q, Hint:%q}",
		class, e.Op, e.Status, e.Code, e.Message, e.Hint)
}

// Unwrap returns the error's class.
func (e *Error) Unwrap() error { return e.Class }

// Class returns the sentinel class of err (ErrRejected…ErrVendor), or nil
// when err is not a classified vendor error.
func Class(err error) error {
	for _, c := range classes {
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
	if c, ok := Class(err).(*class); ok {
		return c.name
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
	return Printable(e.Hint)
}

// refine replaces e's code and message with what the vendor's error body
// said, when it said anything, each withheld as a whole if it quotes a
// secret.
func (e *Error) refine(code, message string, lc *LeakCheck) *Error {
	if code != "" {
		e.Code = truncate(lc.Withhold(code), 80)
	}
	if message != "" {
		e.Message = vendorSnippet([]byte(message), lc)
	}
	return e
}
