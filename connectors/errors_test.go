package connectors

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestErrorRedactsWhateverConnectorsSet: an *Error built by the shared
// helpers never prints a secret, even when a connector copies a vendor's
// text into Code, Message or Hint without redacting it.
func TestErrorRedactsWhateverConnectorsSet(t *testing.T) {
	t.Parallel()
	const secret = "pw-0123456789"
	e := statusError("token exchange", &response{status: 400, body: []byte(`{"error":"x"}`)}, []string{secret})
	e.Code = "invalid_grant " + secret
	e.Message = "bad password " + secret
	e.Hint = "the password " + secret + " is wrong"
	for name, text := range map[string]string{
		"Error()": e.Error(), "HintOf": HintOf(e), "%v": fmt.Sprintf("%v", e), "%+v": fmt.Sprintf("%+v", e), "%#v": fmt.Sprintf("%#v", e),
	} {
		if strings.Contains(text, secret) {
			t.Errorf("%s holds the secret: %s", name, text)
		}
	}
	if !strings.Contains(e.Error(), "invalid_grant [redacted]") {
		t.Errorf("Error() = %q; want the code kept, the secret redacted", e.Error())
	}
}

func TestClassName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want string
	}{
		{name: "nil", err: nil, want: ""},
		{name: "rejected", err: &Error{Class: ErrRejected, Op: "x"}, want: "rejected"},
		{name: "wrapped forbidden", err: fmt.Errorf("test: %w", &Error{Class: ErrForbidden, Op: "x"}), want: "forbidden"},
		{name: "unreachable", err: &Error{Class: ErrUnreachable, Op: "x"}, want: "unreachable"},
		{name: "rate limited", err: &Error{Class: ErrRateLimited, Op: "x"}, want: "rate_limited"},
		{name: "vendor", err: &Error{Class: ErrVendor, Op: "x"}, want: "vendor"},
		{name: "field error", err: &FieldError{Key: "base_url", Reason: "bad"}, want: "other"},
		{name: "plain", err: errors.New("x"), want: "other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := ClassName(tt.err); got != tt.want {
				t.Errorf("ClassName = %q; want %q", got, tt.want)
			}
		})
	}
}
