//go:build linux

package testenv

import (
	"bufio"
	"bytes"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// The encrypted file store's item files, as the harness reads them:
//
//   - the file name is "SERVICE.ACCOUNT.age" with SERVICE and ACCOUNT
//     escaped: a–z, 0–9, '_' and '-' stand for themselves, every other
//     byte is '%' and two upper-case hex digits, and only that canonical
//     form is a name;
//   - the file is an age file whose header holds, besides one stanza per
//     recipient, exactly one "-> credwiz-item SERVICE OWNER RECIPIENTS"
//     stanza: SERVICE and OWNER ("DIR/REV") escaped as names are, OWNER
//     "none" for no owner, RECIPIENTS a hash of the recipient set ("-" for
//     none);
//   - the payload is the item's values, one JSON object of strings.

// itemStanza is the type of credwiz's own header stanza.
const itemStanza = "credwiz-item"

// ItemFileName returns the file name of the item of service and account.
func ItemFileName(service, account string) string {
	return escapeName(service) + "." + escapeName(account) + ".age"
}

// ParseItemFileName returns the service and account of an item file
// name; ok is false for any other name.
func ParseItemFileName(name string) (service, account string, ok bool) {
	rest, found := strings.CutSuffix(name, ".age")
	if !found {
		return "", "", false
	}
	svc, acct, found := strings.Cut(rest, ".")
	if !found {
		return "", "", false
	}
	if service, ok = unescapeName(svc); !ok || service == "" {
		return "", "", false
	}
	if account, ok = unescapeName(acct); !ok || account == "" {
		return "", "", false
	}
	return service, account, true
}

// ItemHeader reads the clear header of an item file: the service and the
// owner its credwiz-item stanza names. It authenticates nothing.
func ItemHeader(data []byte) (service string, owner Owner, err error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	if !sc.Scan() || sc.Text() != "age-encryption.org/v1" {
		return "", Owner{}, fmt.Errorf("not an age file")
	}
	var stanzas [][]string
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "--- ") {
			switch len(stanzas) {
			case 0:
				return "", Owner{}, fmt.Errorf("its header has no %s stanza", itemStanza)
			case 1:
				return parseItemStanza(stanzas[0])
			}
			return "", Owner{}, fmt.Errorf("its header has %d %s stanzas", len(stanzas), itemStanza)
		}
		if args, ok := strings.CutPrefix(line, "-> "); ok {
			if f := strings.Split(args, " "); f[0] == itemStanza {
				stanzas = append(stanzas, f[1:])
			}
		}
	}
	return "", Owner{}, fmt.Errorf("its age header has no end (no --- line)")
}

// parseItemStanza reads a credwiz-item stanza's arguments.
func parseItemStanza(args []string) (string, Owner, error) {
	if len(args) != 3 {
		return "", Owner{}, fmt.Errorf("its %s stanza has %d arguments, not 3", itemStanza, len(args))
	}
	svc, ok := unescapeName(args[0])
	if !ok || svc == "" {
		return "", Owner{}, fmt.Errorf("its %s stanza's service %q is not an escaped name", itemStanza, args[0])
	}
	if args[1] == "none" {
		return svc, Owner{}, nil
	}
	s, ok := unescapeName(args[1])
	dir, rev, cut := strings.Cut(s, "/")
	n, err := strconv.ParseInt(rev, 10, 64)
	if !ok || !cut || dir == "" || err != nil || n < 0 {
		return "", Owner{}, fmt.Errorf("its %s stanza's owner %q is not an escaped DIR/REV", itemStanza, args[1])
	}
	return svc, Owner{Dir: dir, Rev: n}, nil
}

// escapeName escapes s as the file store does.
func escapeName(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if plainNameByte(c) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// unescapeName inverts escapeName; ok is false for a string that is not
// in its canonical form (the one escapeName gives).
func unescapeName(s string) (string, bool) {
	d, err := url.PathUnescape(s)
	if err != nil || escapeName(d) != s {
		return "", false
	}
	return d, true
}

func plainNameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-'
}
