//go:build linux

package store

import (
	"fmt"
	"slices"

	ss "github.com/zalando/go-keyring/secret_service"
)

// keychainHint says how to get a working keychain on this OS.
const keychainHint = "start and unlock a Secret Service (e.g. gnome-keyring) on the D-Bus session bus, or use --store file"

// Names returns the account of every item of the keychain service, from
// the Secret Service: one search by service, then each item's "username"
// attribute. The whole call is bounded by the timeout.
func (k *Keychain) Names() ([]string, error) {
	names, err := bounded(k.timeout, func() ([]string, error) { return secretServiceNames(k.service) })
	if err != nil {
		return nil, k.wrap("listing", k.service, err)
	}
	return names, nil
}

func secretServiceNames(service string) ([]string, error) {
	svc, err := ss.NewSecretService()
	if err != nil {
		return nil, err
	}
	coll := svc.GetLoginCollection()
	if err := svc.Unlock(coll.Path()); err != nil {
		return nil, err
	}
	items, err := svc.SearchItems(coll, map[string]string{"service": service})
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(items))
	for _, item := range items {
		v, err := svc.Object("org.freedesktop.secrets", item).GetProperty("org.freedesktop.Secret.Item.Attributes")
		if err != nil {
			return nil, fmt.Errorf("read attributes of %s: %w", item, err)
		}
		attrs, ok := v.Value().(map[string]string)
		if !ok {
			continue
		}
		if name, ok := attrs["username"]; ok && attrs["service"] == service {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}
