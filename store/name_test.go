package store

import (
	"errors"
	"strings"
	"testing"
	"unicode"
)

func TestValidateName(t *testing.T) {
	tests := []struct {
		name, in string
		ok       bool
		want     string // in the error
	}{
		{name: "simple", in: "prod-drift", ok: true},
		{name: "all classes", in: "A.z_0-9", ok: true},
		{name: "64 characters", in: strings.Repeat("a", 64), ok: true},
		{name: "one character", in: "x", ok: true},
		{name: "empty", in: "", want: "empty"},
		{name: "65 characters", in: strings.Repeat("a", 65), want: "65 characters long"},
		{name: "megabyte", in: strings.Repeat("a", 1<<20), want: "1048576 characters long"},
		{name: "slash", in: "prod/drift", want: `contains '/'`},
		{name: "space", in: "prod drift", want: `contains ' '`},
		{name: "newline", in: "prod\ndrift", want: `"prod\ndrift" contains '\n'`},
		{name: "escape sequence", in: "a\x1b[31mred", want: `'\x1b'`},
		{name: "nul", in: "a\x00", want: `'\x00'`},
		{name: "unicode letter", in: "prodü", want: `'ü'`},
		{name: "invalid utf8", in: "a\xffb", want: "not valid UTF-8"},
		{name: "colon", in: "a:b", want: `contains ':'`},
		{name: "dot", in: ".", want: "names a folder"},
		{name: "dot dot", in: "..", want: "names a folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateName(tt.in)
			if tt.ok {
				if err != nil {
					t.Fatalf("ValidateName(%q) = %v, want nil", tt.in, err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidName) {
				t.Fatalf("ValidateName = %v, want ErrInvalidName", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) || !strings.Contains(msg, "letters") {
				t.Errorf("error %q lacks %q or the rule", msg, tt.want)
			}
			if len(msg) > 300 {
				t.Errorf("error is %d bytes long", len(msg))
			}
			for _, r := range msg {
				if unicode.IsControl(r) {
					t.Errorf("error %q holds a raw control character %U", msg, r)
				}
			}
		})
	}
}

func FuzzValidateName(f *testing.F) {
	for _, s := range []string{"prod", "", "a b", "a\x00", strings.Repeat("z", 70), "\xff", "ü"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidateName(s)
		valid := len(s) >= 1 && len(s) <= 64 && s != "." && s != ".."
		for _, c := range []byte(s) {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
				valid = false
			}
		}
		if valid != (err == nil) {
			t.Fatalf("ValidateName(%q) = %v, want valid=%v", s, err, valid)
		}
		if err == nil {
			return
		}
		if !errors.Is(err, ErrInvalidName) {
			t.Fatalf("error does not wrap ErrInvalidName: %v", err)
		}
		for _, r := range err.Error() {
			if unicode.IsControl(r) {
				t.Fatalf("error %q holds a raw control character", err)
			}
		}
	})
}

// TestValidateNewName: a new name follows ValidateName and may not start
// with '-'; one may start with '.' or '_', and hold '-' later.
func TestValidateNewName(t *testing.T) {
	for _, ok := range []string{"prod-drift", "_x", ".x", "a-"} {
		if err := ValidateNewName(ok); err != nil {
			t.Errorf("ValidateNewName(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"-rf", "-", "--help", "a b", ""} {
		if err := ValidateNewName(bad); !errors.Is(err, ErrInvalidName) {
			t.Errorf("ValidateNewName(%q) = %v, want ErrInvalidName", bad, err)
		}
	}
	if err := ValidateNewName("-rf"); err == nil || !strings.Contains(err.Error(), "starts with '-'") {
		t.Errorf("ValidateNewName(-rf) = %v", err)
	}
	if err := ValidateName("-rf"); err != nil {
		t.Errorf("a saved name of that form must still read: ValidateName(-rf) = %v", err)
	}
}
