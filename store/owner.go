package store

import (
	"fmt"
	"strconv"
	"strings"
)

// String returns "DIR/REV", the form items carry.
func (o Owner) String() string {
	if o.IsZero() {
		return ""
	}
	return o.Dir + "/" + strconv.FormatInt(o.Rev, 10)
}

// ParseOwner parses the "DIR/REV" form.
func ParseOwner(s string) (Owner, error) {
	dir, rev, ok := strings.Cut(s, "/")
	n, err := strconv.ParseInt(rev, 10, 64)
	if !ok || err != nil || dir == "" || n < 0 {
		return Owner{}, fmt.Errorf("owner %q is not DIR/REV", s)
	}
	return Owner{Dir: dir, Rev: n}, nil
}

// stagedAccount is the account of the item that holds the secret of
// credential name at revision rev while a write is in flight. '#' and '@'
// never occur in a credential name, so it cannot collide with one.
func stagedAccount(name string, rev int64, dir string) string {
	return fmt.Sprintf("%s#r%d@%s", name, rev, dir)
}

// parseAccount splits an account into the credential name and, for a
// staged item, its revision and config dir ID.
func parseAccount(account string) (name string, staged bool, rev int64, dir string) {
	name, rest, ok := strings.Cut(account, "#r")
	if !ok {
		return account, false, 0, ""
	}
	r, d, ok := strings.Cut(rest, "@")
	n, err := strconv.ParseInt(r, 10, 64)
	if !ok || err != nil || d == "" {
		return account, false, 0, ""
	}
	return name, true, n, d
}
