package connectors

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestErrorWithholdsVendorTextOnly: the vendor's code and message are
// withheld as a whole when they quote a secret, in every rendering of the
// error; credwiz's own words (the operation, the hint) are never rewritten,
// even when a secret is a word they use.
func TestErrorWithholdsVendorTextOnly(t *testing.T) {
	t.Parallel()
	const secret = "wrong"
	lc := NewLeakCheck(secret)
	body := `{"error":"invalid_grant wrong","error_description":"password WRONG for user"}`
	e := statusError("token exchange", &response{status: 400, body: []byte(body)}, lc)
	if e.Message != WithheldNotice {
		t.Errorf("Message = %q; want the body withheld", e.Message)
	}
	e.refine("invalid_grant wrong", "password WRONG for user", lc)
	e.Hint = "Salesforce does not say which: wrong password or security token"
	if e.Code != WithheldNotice || e.Message != WithheldNotice {
		t.Errorf("Code, Message = %q, %q; want both withheld", e.Code, e.Message)
	}
	for name, text := range map[string]string{
		"Error()": e.Error(), "%v": fmt.Sprintf("%v", e), "%+v": fmt.Sprintf("%+v", e), "%#v": fmt.Sprintf("%#v", e),
	} {
		if strings.Contains(strings.ToLower(strings.ReplaceAll(text, e.Hint, "")), secret) {
			t.Errorf("%s holds the secret outside the hint: %s", name, text)
		}
	}
	if got := HintOf(e); got != e.Hint {
		t.Errorf("HintOf = %q; want credwiz's hint unchanged: %q", got, e.Hint)
	}
	if r := e.Redacted(); r.Hint != e.Hint || r.Op != "token exchange" {
		t.Errorf("Redacted() = %+v; want Op and Hint unchanged", r)
	}
	clean := statusError("token exchange", &response{status: 400, body: []byte(`{"error":"invalid_client"}`)}, lc)
	clean.refine("invalid_client", "invalid client credentials", lc)
	if clean.Code != "invalid_client" || clean.Message != "invalid client credentials" {
		t.Errorf("a text without the secret changed: %q %q", clean.Code, clean.Message)
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
