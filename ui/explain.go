package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/store"
)

// failure explains a failed live test of a credential in sentences: what
// happened (with the vendor's own message), and what to do next. name is
// the saved credential's name, or "" for one not saved yet.
func failure(c *connectors.Connector, name string, err error) string {
	var e *connectors.Error
	detail := connectors.Printable(err.Error())
	if errors.As(err, &e) {
		r := e.Redacted()
		detail = vendorDetail(&r)
	}
	var what, next string
	switch connectors.Class(err) {
	case connectors.ErrRejected:
		what = fmt.Sprintf("%s rejected the credentials (%s).", c.Name, detail)
		switch {
		case name != "" && c.PasswordExpiry != "":
			next = fmt.Sprintf("If the password expired or a secret was reset or rotated, run: credwiz reauth %s", name)
		case name != "":
			next = fmt.Sprintf("If the secret was revoked or rotated, run: credwiz reauth %s", name)
		default:
			next = "Check the values you entered."
		}
	case connectors.ErrForbidden:
		what = fmt.Sprintf("The credentials are valid, but %s refused access (%s).", c.Name, detail)
		next = "Grant the missing permission to the key or user, then test again."
	case connectors.ErrUnreachable:
		what = fmt.Sprintf("Could not reach %s (%s).", c.Name, detail)
	case connectors.ErrRateLimited:
		what = fmt.Sprintf("%s is rate limiting requests (%s).", c.Name, detail)
	case connectors.ErrVendor:
		what = fmt.Sprintf("%s answered with an error (%s).", c.Name, detail)
		next = "Try again later; if it persists, check the vendor's status page."
	default:
		// A saved value the connector refuses now (saved before a check
		// was added): say how to replace it.
		var fe *connectors.FieldError
		if name != "" && errors.As(err, &fe) {
			cmd := "edit"
			if fd, ok := c.Field(fe.Key); ok && fd.Secret {
				cmd = "reauth"
			}
			next = fmt.Sprintf("The saved value is refused: credwiz %s %s replaces it.", cmd, name)
		}
		if errors.Is(err, context.DeadlineExceeded) {
			what = fmt.Sprintf("The test of %s did not finish in time.", c.Name)
			next = "Raise --timeout or check the network."
		} else {
			what = upperFirst(detail)
			if !strings.HasSuffix(what, ".") {
				what += "."
			}
		}
	}
	out := what
	if h := connectors.HintOf(err); h != "" {
		out += " " + upperFirst(strings.TrimSuffix(h, ".")) + "."
	}
	if next != "" {
		out += " " + next
	}
	return out
}

// vendorDetail renders the parts of a classified error (already
// Redacted): where it happened, the HTTP status and code, and the vendor's
// message.
func vendorDetail(e *connectors.Error) string {
	var parts []string
	if e.Status != 0 {
		s := fmt.Sprintf("HTTP %d", e.Status)
		if e.Code != "" {
			s += " " + e.Code
		}
		parts = append(parts, s)
	} else if e.Code != "" {
		parts = append(parts, e.Code)
	}
	if e.Message != "" {
		parts = append(parts, e.Message)
	}
	d := strings.Join(parts, ": ")
	if e.Op != "" {
		if d == "" {
			return "at " + e.Op
		}
		return e.Op + ": " + d
	}
	return d
}

// Explain turns any error a command returns into the one or two sentences
// printed on stderr: what happened and what to do next.
func Explain(err error) string { return ExplainFor(err, "credwiz") }

// ExplainFor is Explain for an error of the command at path ("credwiz
// add"): a usage error points at that command's help.
func ExplainFor(err error, path string) string {
	var ue *UsageError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &ue):
		msg := err.Error()
		if !ue.NamesHelp {
			msg += " (see " + path + " --help)"
		}
		return msg
	case errors.Is(err, store.ErrUnavailable):
		// The store's error says why and what to do (store.Hinter).
		return sentence(err.Error()) + " credwiz doctor checks it."
	case errors.Is(err, store.ErrWrongPassphrase):
		// Every such error says what to do: the store's, and the one of a
		// passphrase read from stdin (passphraseFromStdin).
		return sentence(err.Error())
	}
	return err.Error()
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// sentence ends s with a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") {
		return s
	}
	return s + "."
}
