package testenv

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The secret-store services credwiz writes.
const (
	// SecretService holds each credential's secret map.
	SecretService = "credwiz"
	// TokenService holds each credential's cached access token.
	TokenService = "credwiz-token"
)

// Services are both services, for listings.
var Services = []string{SecretService, TokenService}

// Owner is what an item says of who wrote it: a config dir ID and a
// credential revision. The zero Owner says nothing.
type Owner struct {
	Dir string
	Rev int64
}

// String is "DIR/REV", or "-" for the zero Owner.
func (o Owner) String() string {
	if o == (Owner{}) {
		return "-"
	}
	return o.Dir + "/" + strconv.FormatInt(o.Rev, 10)
}

// Item is one secret-store entry as the tests see it, read without the
// store package.
type Item struct {
	// Service is SecretService or TokenService.
	Service string
	// Account is the credential name, or a staged item's "NAME#rREV@DIR".
	Account string
	// Owner is who wrote it.
	Owner Owner
	// Values is the item's map (nil when its value is not a JSON object of
	// strings).
	Values map[string]string
	// Raw is the value as stored (the keychain's secret; the file store's
	// map, re-encoded).
	Raw string
}

// Key identifies an item: "SERVICE/ACCOUNT".
func (it Item) Key() string { return it.Service + "/" + it.Account }

// String describes the item without its values.
func (it Item) String() string { return fmt.Sprintf("%s (owner %s)", it.Key(), it.Owner) }

// StagedName returns the credential name of a staged item's account
// ("NAME#rREV@DIR"), its revision and config dir, and whether the account
// is a staged one.
func StagedName(account string) (name string, rev int64, dir string, ok bool) {
	name, rest, found := strings.Cut(account, "#r")
	if !found {
		return account, 0, "", false
	}
	r, d, found := strings.Cut(rest, "@")
	n, err := strconv.ParseInt(r, 10, 64)
	if !found || err != nil || d == "" {
		return account, 0, "", false
	}
	return name, n, d, true
}

// Items is a listing of items.
type Items []Item

// Get returns the item of service and account.
func (is Items) Get(service, account string) (Item, bool) {
	for _, it := range is {
		if it.Service == service && it.Account == account {
			return it, true
		}
	}
	return Item{}, false
}

// Keys returns the items' keys, sorted.
func (is Items) Keys() []string {
	out := make([]string, len(is))
	for i, it := range is {
		out[i] = it.Key()
	}
	slices.Sort(out)
	return out
}

// decodeValues decodes an item's value as a JSON object of strings.
func decodeValues(raw string) map[string]string {
	m := map[string]string{}
	if json.Unmarshal([]byte(raw), &m) != nil {
		return nil
	}
	return m
}

// sortItems orders items by key.
func sortItems(is Items) {
	slices.SortFunc(is, func(a, b Item) int { return strings.Compare(a.Key(), b.Key()) })
}
