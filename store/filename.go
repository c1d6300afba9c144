package store

import (
	"fmt"
	"strings"
)

// File names of the encrypted file store's items: "SERVICE.ACCOUNT.age" in
// the secrets directory, SERVICE and ACCOUNT encoded by encodeFileName.
//
// The encoding keeps a–z, 0–9, '_' and '-' and writes every other byte as
// '%' and two upper-case hex digits. So a name has no '.', '/' or NUL (it
// cannot be "." or "..", escape the directory, or split ambiguously), and
// no upper-case letter outside an escape, so two accounts that differ only
// in case ("Prod", "prod") get names that differ on a case-insensitive file
// system too. Only the canonical form decodes: a file whose name another
// encoder could have produced is not an item.
const itemSuffix = ".age"

// maxFileName is the longest file name most file systems take.
const maxFileName = 255

// encodeFileName encodes s for a file name.
func encodeFileName(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if plainFileByte(c) {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// decodeFileName inverts encodeFileName; ok is false for a string it
// cannot have produced.
func decodeFileName(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case plainFileByte(c):
			b.WriteByte(c)
		case c == '%' && i+2 < len(s) && upperHex(s[i+1]) && upperHex(s[i+2]):
			v := unhex(s[i+1])<<4 | unhex(s[i+2])
			if plainFileByte(v) {
				return "", false // not canonical
			}
			b.WriteByte(v)
			i += 2
		default:
			return "", false
		}
	}
	return b.String(), true
}

// itemFileName returns the file name of service's item account.
func itemFileName(service, account string) (string, error) {
	if account == "" {
		return "", fmt.Errorf("an item of service %q needs an account", service)
	}
	n := encodeFileName(service) + "." + encodeFileName(account) + itemSuffix
	if len(n) > maxFileName {
		return "", fmt.Errorf("the account %q is too long for a file name of the encrypted file store (%d bytes encoded, at most %d)",
			clip(account, 40), len(n), maxFileName)
	}
	return n, nil
}

// parseItemFileName returns the service and account of an item's file
// name; ok is false for any other name.
func parseItemFileName(name string) (service, account string, ok bool) {
	rest, found := strings.CutSuffix(name, itemSuffix)
	if !found {
		return "", "", false
	}
	svc, acct, found := strings.Cut(rest, ".")
	if !found || svc == "" || acct == "" {
		return "", "", false
	}
	if service, ok = decodeFileName(svc); !ok {
		return "", "", false
	}
	if account, ok = decodeFileName(acct); !ok {
		return "", "", false
	}
	return service, account, true
}

func plainFileByte(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-'
}

func upperHex(c byte) bool { return '0' <= c && c <= '9' || 'A' <= c && c <= 'F' }

func unhex(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c - 'A' + 10
}
