//go:build linux

package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"

	dbus "github.com/godbus/dbus/v5"
	ss "github.com/zalando/go-keyring/secret_service"
)

// keychainHint says how to get a working keychain on this OS.
const keychainHint = "start and unlock a Secret Service (e.g. gnome-keyring) on the D-Bus session bus, or " + toFile

// embedOwner: on Linux the owner is kept in the item's attributes.
const embedOwner = false

// platformValueLimit: the Secret Service has no documented limit.
const platformValueLimit = 0

// reasonGone marks an item deleted between a search and its use; never
// returned to callers.
const reasonGone Reason = -1

// Errors of the platform backend that wrap maps to the store's.
var (
	errNotFound = errors.New("no such item")
	errTooBig   = errors.New("value too large")
)

// The item attributes: go-keyring's two (which secret-tool looks up), and
// the owner.
const (
	attrService = "service"
	attrAccount = "username"
	attrDir     = "credwiz_dir"
	attrRev     = "credwiz_rev"
)

// platformKeyring talks to the freedesktop Secret Service over D-Bus
// through go-keyring's secret_service package, adding the owner
// attributes go-keyring's own Set cannot.
type platformKeyring struct{}

// The D-Bus errors of a Secret Service that went away in the middle of an
// operation, after which the bus starts it again (see ssCall).
const (
	// noReply: the service left the bus before it answered the call (it
	// crashed or was stopped).
	noReply = "org.freedesktop.DBus.Error.NoReply"
	// noSession: the call reached a service started again since the
	// operation opened its session, which it does not know.
	noSession = "org.freedesktop.Secret.Error.NoSession"
	// childExited: the service the bus was starting for the call died
	// before it took its name.
	childExited = "org.freedesktop.DBus.Error.Spawn.ChildExited"
)

// restarted reports whether err says the Secret Service went away in the
// middle of the operation (noReply, noSession, childExited).
func restarted(err error) bool {
	var ue *UnavailableError
	if !errors.As(err, &ue) {
		return false
	}
	switch ue.Detail {
	case noReply, noSession, childExited:
		return true
	}
	return false
}

// ssCall runs ssAttempt, and once more if the Secret Service went away in
// the middle of it (restarted: it left the bus before answering, or the
// service that answered was started since the session was opened).
// gnome-keyring does: now and then it aborts on a GLib assertion under
// concurrent writers (seen as "trap int3 in libglib" in the kernel log,
// and as a failed command in CI before this retry). The bus then starts
// the service again (D-Bus activation), as a desktop session's does, and
// the second attempt
// finds what the first one saved. Every f is safe to run twice: Get and
// List change nothing (List starts its list afresh), Set deletes whatever
// items it finds before it creates its own, and a Delete whose first
// attempt got through says not found, which every caller takes as done.
// There is no second attempt once ctx is done (the caller stopped
// waiting: a service started again in a desktop session may wait on a
// password prompt, and nothing may be written after the caller was told
// the write failed); Set and Delete also check ctx before each change. A
// second NoReply, or any other failure, is returned.
func ssCall(ctx context.Context, f func(svc *ss.SecretService, coll dbus.BusObject, session dbus.BusObject) error) error {
	err := ssAttempt(f)
	if restarted(err) && ctx.Err() == nil {
		err = ssAttempt(f)
	}
	return err
}

// ssAttempt connects, opens a session and unlocks the login collection,
// then runs f. Each failure is classified (Reason) from where it happened
// and D-Bus's error name, never from message text.
func ssAttempt(f func(svc *ss.SecretService, coll dbus.BusObject, session dbus.BusObject) error) error {
	svc, err := ss.NewSecretService()
	if err != nil {
		detail := err.Error()
		if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
			// Not how the library failed to find one (it tries dbus-launch).
			detail = "DBUS_SESSION_BUS_ADDRESS is not set"
		}
		return &UnavailableError{Reason: ReasonNoBus, Detail: detail}
	}
	session, err := svc.OpenSession()
	if err != nil {
		return busError(err)
	}
	defer svc.Close(session)
	coll := svc.GetLoginCollection()
	if err := svc.Unlock(coll.Path()); err != nil {
		if be := busError(err); be.(*UnavailableError).Reason != ReasonOther {
			return be
		}
		return &UnavailableError{Reason: ReasonLocked, Detail: err.Error()}
	}
	return f(svc, coll, session)
}

// busError classifies a D-Bus call's error.
func busError(err error) error {
	var de dbus.Error
	if errors.As(err, &de) {
		switch de.Name {
		case "org.freedesktop.DBus.Error.ServiceUnknown", "org.freedesktop.DBus.Error.NameHasNoOwner",
			// The service went away in the middle of the operation (it
			// crashed or was stopped): not a locked keychain.
			noReply, noSession, childExited:
			return &UnavailableError{Reason: ReasonNoService, Detail: de.Name}
		case "org.freedesktop.Secret.Error.IsLocked":
			return &UnavailableError{Reason: ReasonLocked, Detail: de.Name}
		case "org.freedesktop.Secret.Error.NoSuchObject", "org.freedesktop.DBus.Error.UnknownObject", "org.freedesktop.DBus.Error.UnknownMethod":
			return &UnavailableError{Reason: reasonGone, Detail: de.Name}
		}
	}
	var pde *dbus.Error
	if errors.As(err, &pde) && pde != nil {
		return busError(*pde)
	}
	return &UnavailableError{Reason: ReasonOther, Detail: err.Error()}
}

// find returns the items of service and account.
func find(svc *ss.SecretService, coll dbus.BusObject, service, account string) ([]dbus.ObjectPath, error) {
	items, err := svc.SearchItems(coll, map[string]string{attrService: service, attrAccount: account})
	if err != nil {
		return nil, busError(err)
	}
	return items, nil
}

// attributes reads an item's attributes.
func attributes(svc *ss.SecretService, item dbus.ObjectPath) (map[string]string, error) {
	v, err := svc.Object("org.freedesktop.secrets", item).GetProperty("org.freedesktop.Secret.Item.Attributes")
	if err != nil {
		return nil, busError(err)
	}
	attrs, ok := v.Value().(map[string]string)
	if !ok {
		return nil, fmt.Errorf("item %s has attributes of type %T", item, v.Value())
	}
	return attrs, nil
}

// ownerOf reads the owner attributes.
func ownerOf(attrs map[string]string) Owner {
	rev, err := strconv.ParseInt(attrs[attrRev], 10, 64)
	if err != nil || attrs[attrDir] == "" {
		return Owner{}
	}
	return Owner{Dir: attrs[attrDir], Rev: rev}
}

// Get returns the value of the item of service and account. Should a
// crash have left two (Set deletes before it creates, so only a foreign
// program can), the one of the highest revision wins. An item that another
// process replaced between the search and the read is looked up again.
func (platformKeyring) Get(ctx context.Context, service, account string) (string, Owner, error) {
	var value string
	var owner Owner
	err := ssCall(ctx, func(svc *ss.SecretService, coll, session dbus.BusObject) error {
		for try := 0; ; try++ {
			v, o, err := readItem(svc, coll, session, service, account)
			if isGone(err) && try < 5 {
				continue // replaced meanwhile by another credwiz: search again
			}
			if isGone(err) {
				return errNotFound
			}
			value, owner = v, o
			return err
		}
	})
	return value, owner, err
}

// readItem finds and reads the item of service and account once.
func readItem(svc *ss.SecretService, coll, session dbus.BusObject, service, account string) (string, Owner, error) {
	items, err := find(svc, coll, service, account)
	if err != nil {
		return "", Owner{}, err
	}
	if len(items) == 0 {
		return "", Owner{}, errNotFound
	}
	best := items[0]
	if len(items) > 1 {
		bestRev := int64(-1)
		for _, it := range items {
			attrs, err := attributes(svc, it)
			if err != nil {
				return "", Owner{}, err
			}
			if o := ownerOf(attrs); o.Rev > bestRev {
				best, bestRev = it, o.Rev
			}
		}
	}
	attrs, err := attributes(svc, best)
	if err != nil {
		return "", Owner{}, err
	}
	sec, err := svc.GetSecret(best, session.Path())
	if err != nil {
		return "", Owner{}, busError(err)
	}
	return string(sec.Value), ownerOf(attrs), nil
}

// isGone reports whether err says the item it named no longer exists (a
// concurrent Set or Delete removed it after the search found it).
func isGone(err error) bool {
	var ue *UnavailableError
	return errors.As(err, &ue) && ue.Reason == reasonGone
}

// Set replaces the items of service and account by one holding value,
// with the owner in its attributes: it deletes the old ones first (a crash
// between the two leaves none, which the write protocol allows: the
// committed metadata then points to a staged item), then creates it.
func (platformKeyring) Set(ctx context.Context, service, account, value string, o Owner) error {
	return ssCall(ctx, func(svc *ss.SecretService, coll, session dbus.BusObject) error {
		items, err := find(svc, coll, service, account)
		if err != nil {
			return err
		}
		if err := deleteItems(ctx, svc, items); err != nil {
			return err
		}
		attrs := map[string]string{attrService: service, attrAccount: account}
		if !o.IsZero() {
			attrs[attrDir] = o.Dir
			attrs[attrRev] = strconv.FormatInt(o.Rev, 10)
		}
		label := fmt.Sprintf("credwiz: %s (%s)", account, service)
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := svc.CreateItem(coll, label, attrs, ss.NewSecret(session.Path(), value)); err != nil {
			return busError(err)
		}
		return nil
	})
}

// Delete removes every item of service and account.
func (platformKeyring) Delete(ctx context.Context, service, account string) error {
	return ssCall(ctx, func(svc *ss.SecretService, coll, _ dbus.BusObject) error {
		items, err := find(svc, coll, service, account)
		if err != nil {
			return err
		}
		if len(items) == 0 {
			return errNotFound
		}
		return deleteItems(ctx, svc, items)
	})
}

// deleteItems deletes items, unless ctx is done (the caller gave up:
// nothing is changed). An item already gone is no error.
func deleteItems(ctx context.Context, svc *ss.SecretService, items []dbus.ObjectPath) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, it := range items {
		if err := svc.Delete(it); err != nil && !isGone(busError(err)) {
			return busError(err)
		}
	}
	return nil
}

// List returns the account and owner of every item of service, from the
// attributes alone: no secret is read.
func (platformKeyring) List(ctx context.Context, service string) ([]Listed, error) {
	var out []Listed
	err := ssCall(ctx, func(svc *ss.SecretService, coll, _ dbus.BusObject) error {
		out = out[:0] // a second attempt lists afresh
		items, err := svc.SearchItems(coll, map[string]string{attrService: service})
		if err != nil {
			return busError(err)
		}
		for _, it := range items {
			attrs, err := attributes(svc, it)
			if isGone(err) {
				continue // deleted since the search
			}
			if err != nil {
				return err
			}
			if attrs[attrService] != service {
				continue
			}
			out = append(out, Listed{Account: attrs[attrAccount], Owner: ownerOf(attrs)})
		}
		return nil
	})
	return out, err
}
