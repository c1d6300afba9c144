package store

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestItemFileNames(t *testing.T) {
	for _, tt := range []struct{ service, account, want string }{
		{SecretService, "prod-db", "credwiz.prod-db.age"},
		{TokenService, "prod-db", "credwiz-token.prod-db.age"},
		{SecretService, "Prod.DB_1", "credwiz.%50rod%2E%44%42_1.age"},
		{SecretService, "..", "credwiz.%2E%2E.age"},
		{SecretService, "prod#r7@0123abcd", "credwiz.prod%23r7%400123abcd.age"},
		{SecretService, "(credwiz-probe)", "credwiz.%28credwiz-probe%29.age"},
		{SecretService, "a/../../etc/passwd", "credwiz.a%2F%2E%2E%2F%2E%2E%2Fetc%2Fpasswd.age"},
	} {
		got, err := itemFileName(tt.service, tt.account)
		if err != nil || got != tt.want {
			t.Errorf("itemFileName(%q, %q) = %q, %v; want %q", tt.service, tt.account, got, err, tt.want)
			continue
		}
		svc, acct, ok := parseItemFileName(got)
		if !ok || svc != tt.service || acct != tt.account {
			t.Errorf("parseItemFileName(%q) = %q, %q, %v", got, svc, acct, ok)
		}
	}
	if _, err := itemFileName(SecretService, ""); err == nil {
		t.Error("an empty account got a file name")
	}
	if _, err := itemFileName(SecretService, strings.Repeat("A", 100)); err == nil {
		t.Error("a 300-byte file name was accepted")
	}
	// The longest credential name, staged at the largest revision, fits.
	long := stagedAccount(strings.Repeat("A", MaxNameLen), 1<<62, "0123456789abcdef")
	if _, err := itemFileName(TokenService, long); err != nil {
		t.Errorf("the longest staged account: %v", err)
	}
	for _, bad := range []string{
		"credwiz.prod.txt", "credwiz.prod", ".credwiz.prod.age", "credwiz..age", "credwiz.Prod.age",
		"credwiz.%2e.age", "credwiz.%61.age", "credwiz.%4.age", "credwiz.a.b.age", "credwiz.prod.age123456",
	} {
		if svc, acct, ok := parseItemFileName(bad); ok {
			t.Errorf("parseItemFileName(%q) = %q, %q: accepted", bad, svc, acct)
		}
	}
}

func FuzzFileName(f *testing.F) {
	for _, s := range []string{"prod", "Prod", "..", "a#r1@b", "é", "%41", "\x00", "a.b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		enc := encodeFileName(s)
		for i := 0; i < len(enc); i++ {
			if enc[i] == '%' {
				if i+2 >= len(enc) || !upperHex(enc[i+1]) || !upperHex(enc[i+2]) {
					t.Fatalf("encodeFileName(%q) = %q: a bad escape at %d", s, enc, i)
				}
				i += 2
				continue
			}
			if !plainFileByte(enc[i]) {
				t.Fatalf("encodeFileName(%q) = %q has %q at %d", s, enc, enc[i], i)
			}
		}
		if !utf8.ValidString(enc) {
			t.Fatalf("encodeFileName(%q) = %q is not UTF-8", s, enc)
		}
		dec, ok := decodeFileName(enc)
		if !ok || dec != s {
			t.Fatalf("decodeFileName(encodeFileName(%q)) = %q, %v", s, dec, ok)
		}
		if d, ok := decodeFileName(s); ok && encodeFileName(d) != s {
			t.Fatalf("decodeFileName(%q) = %q, which encodes to %q: not canonical", s, d, encodeFileName(d))
		}
	})
}
