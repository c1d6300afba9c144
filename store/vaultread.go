package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/credwiz/credwiz/store/vaultkv"
)

// tokenCreatedKey is the reserved member of a cached token item that
// names the credential it was minted for (its creation time), so that a
// credential removed from Vault and created again under the same name
// never gets the old one's token.
const tokenCreatedKey = "credwiz_credential_created"

// vaultCatalog is the Vault store's Catalog.
type vaultCatalog struct{ v *vaultStore }

// List returns every credential from the index: two requests sent at once
// (the index, the folder's keys), plus one per credential the index is
// not sure of (see indexKey).
func (c vaultCatalog) List() ([]Credential, error) { return c.v.list(c.v.ctx) }

// Get returns credential name from its own entry (the truth) with its last
// test from the index: two requests sent at once.
func (c vaultCatalog) Get(name string) (Credential, error) { return c.v.get(c.v.ctx, name) }

// Kind returns KindVault.
func (c vaultCatalog) Kind() (Kind, error) { return KindVault, nil }

// Path names the folder and the server.
func (c vaultCatalog) Path() string { return c.v.s.Location }

// catalog returns the Vault store's Catalog.
func (v *vaultStore) catalog() Catalog { return vaultCatalog{v} }

// both runs a and b at once and waits for them.
func both(a, b func()) {
	var wg sync.WaitGroup
	wg.Go(a)
	b()
	wg.Wait()
}

// list is vaultCatalog.List.
func (v *vaultStore) list(ctx context.Context) ([]Credential, error) {
	if err := v.kv.EnsureMount(ctx); err != nil {
		return nil, err
	}
	var st indexState
	var keys []string
	var ierr, kerr error
	both(func() { st, ierr = v.readIndex(ctx) }, func() { keys, kerr = v.kv.List(ctx) })
	if err := cmpErr(ierr, kerr); err != nil {
		return nil, v.fail("list the credentials of", err)
	}
	doc := st.doc
	changed := len(st.scrubbed) > 0
	if st.lost || (st.absent && len(keys) > 0) {
		if err := v.rebuildFrom(ctx, &st, keys); err != nil {
			return nil, err
		}
		doc, changed = st.doc, true
	} else {
		suspects := map[string]bool{}
		have := map[string]bool{}
		for _, k := range keys {
			have[k] = true
			if _, ok := doc.find(k); !ok && doc.Gone[k] == 0 {
				suspects[k] = true
			}
		}
		for _, c := range doc.Credentials {
			if !have[c.Name] {
				suspects[c.Name] = true
			}
		}
		for n, m := range doc.Pending {
			suspects[n] = true
			if m.To != "" {
				suspects[m.To] = true
			}
		}
		if len(suspects) > 0 {
			entries, err := v.readEntries(ctx, sortedKeys(suspects))
			if err != nil {
				return nil, err
			}
			for n, m := range doc.Pending {
				if markDone(n, m, entries) {
					delete(doc.Pending, n)
				}
			}
			for n, r := range entries {
				applyRead(doc, n, r)
			}
			hideRenamed(doc, entries)
			changed = true
		}
	}
	if changed {
		v.saveQuietly(ctx, doc, st.version)
	}
	out := make([]Credential, len(doc.Credentials))
	for i, c := range doc.Credentials {
		out[i] = settled(c)
	}
	return out, nil
}

// rebuildFrom is rebuild with the folder's keys already listed.
func (v *vaultStore) rebuildFrom(ctx context.Context, st *indexState, keys []string) error {
	doc := newVaultIndexDoc()
	entries, err := v.readEntries(ctx, keys)
	if err != nil {
		return err
	}
	for _, name := range keys {
		applyRead(doc, name, entries[name])
	}
	hideRenamed(doc, entries)
	st.doc, st.lost, st.absent = doc, false, false
	return nil
}

// saveQuietly writes doc over index version cas when it can: a teammate's
// write meanwhile, or a token that may only read, leaves the index as it
// is, which the next reader corrects again.
func (v *vaultStore) saveQuietly(ctx context.Context, doc *vaultIndexDoc, cas int) {
	_, _ = v.writeIndex(ctx, doc, cas)
}

// get is vaultCatalog.Get.
func (v *vaultStore) get(ctx context.Context, name string) (Credential, error) {
	if err := ValidateName(name); err != nil {
		return Credential{}, notFound(name)
	}
	if err := v.kv.EnsureMount(ctx); err != nil {
		return Credential{}, err
	}
	var e vaultEntry
	var st indexState
	var eerr, ierr error
	both(func() { e, eerr = v.readEntry(ctx, name) }, func() { st, ierr = v.readIndex(ctx) })
	var ke *vaultkv.Error
	if errors.As(eerr, &ke) && ke.Kind == vaultkv.KindNotFound {
		// The two reads are not ordered: correct the index only with news
		// (a deletion after the version it knows), never with old news.
		if ierr == nil && !st.lost {
			if old, ok := st.doc.get(name); ok && old.Revision <= int64(ke.Version) {
				st.doc.remove(name, int64(ke.Version))
				v.saveQuietly(ctx, st.doc, st.version)
			}
		}
		return Credential{}, notFound(name)
	}
	if eerr != nil {
		return Credential{}, v.fail("read "+name+" from", eerr)
	}
	c := e.cred
	if ierr != nil || st.lost {
		return c, nil // the test results are unknown; the credential is not
	}
	old, ok := st.doc.get(name)
	if ok {
		c.LastTest = old.LastTest
	}
	save := len(st.scrubbed) > 0
	if _, pending := st.doc.Pending[name]; !pending && !st.absent && ((!ok && st.doc.Gone[name] < c.Revision) || (ok && c.Revision > old.Revision)) {
		st.doc.put(c)
		save = true
	}
	if save {
		v.saveQuietly(ctx, st.doc, st.version)
	}
	return settled(c), nil
}

// secret returns c's secret map: from the entry this process read, or
// from a read of the entry, which must still hold c's values (the same
// credential, whose values did not change since c's revision).
func (v *vaultStore) secret(c Credential) (map[string]string, error) {
	e, ok := v.recall(c.Name, c.Revision)
	if !ok {
		var err error
		e, err = v.readEntry(v.ctx, c.Name)
		if vaultkv.KindOf(err) == vaultkv.KindNotFound {
			return nil, &ConflictError{Name: c.Name, Deleted: true, Read: true}
		}
		if err != nil {
			return nil, v.fail("read the secret of "+c.Name+" from", err)
		}
	}
	if !e.cred.CreatedAt.Equal(c.CreatedAt) || !certifies(e.cred, c.Revision) {
		return nil, &ConflictError{Name: c.Name, Read: true}
	}
	// c's settings are what the caller will send the secret with: they
	// must be the entry's. The values did not change since c's revision
	// (certifies), so any difference is not the index lagging but someone
	// having changed it.
	if what := differences(c, e.cred); len(what) > 0 {
		return nil, &TamperedError{Name: c.Name, What: what, Cache: "the index " + v.where() + "/" + indexKey}
	}
	return maps.Clone(e.secret), nil
}

// differences names what a caller's copy c of a credential holds that its
// entry's truth does not: the connector, and each setting that differs.
func differences(c, truth Credential) []string {
	var what []string
	if c.Connector != truth.Connector {
		what = append(what, "the connector")
	}
	for _, k := range sortedKeys(joinKeys(c.Fields, truth.Fields)) {
		a, aok := c.Fields[k]
		b, bok := truth.Fields[k]
		if a != b || aok != bok {
			what = append(what, strconv.QuoteToASCII(clip(k, 64)))
		}
	}
	return what
}

// joinKeys returns the set of keys of a and b.
func joinKeys(a, b map[string]string) map[string]bool {
	out := make(map[string]bool, len(a)+len(b))
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// tokenBoundKey is the reserved member of a cached token item that binds
// it to what it was minted from (see binding): a token is given out only
// with the settings, on the server and in the folder, it was minted for.
const tokenBoundKey = "credwiz_bound_to"

// binding returns the digest a token minted for credential c here is
// bound to: the server (address, namespace, the mount's identity), the
// folder, c's name, connector and settings. Another server's credential
// of the same name and version, or c's settings as a tampered index lists
// them, do not match.
func (v *vaultStore) binding(c Credential) string {
	h := sha256.New()
	put := func(s string) { fmt.Fprintf(h, "%d:%s;", len(s), s) }
	for _, s := range []string{v.settings.Address, v.settings.Namespace, v.settings.Mount, v.settings.Path, v.kv.MountID(), c.Name, c.Connector} {
		put(s)
	}
	for _, k := range sortedKeys(c.Fields) {
		put(k)
		put(c.Fields[k])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// cachedToken returns c's cached token fields from the local cache, or
// nil when there is none, or it was cached by another config dir, for
// another credential of the same name, for values that changed since, or
// for another server, folder or settings than c's (see binding).
func (v *vaultStore) cachedToken(c Credential) (map[string]string, error) {
	it, err := v.s.Tokens.Get(c.Name)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	id, err := v.s.dirID()
	if err != nil {
		return nil, err
	}
	if id == "" || it.Owner.Dir != id || !certifies(c, it.Owner.Rev) || it.Values[tokenCreatedKey] != stamp(c.CreatedAt) {
		return nil, nil
	}
	if err := v.kv.EnsureMount(v.ctx); err != nil {
		return nil, nil // the mount's identity is unknown: no token
	}
	if b := it.Values[tokenBoundKey]; b == "" || b != v.binding(c) {
		return nil, nil
	}
	out := maps.Clone(it.Values)
	delete(out, tokenCreatedKey)
	delete(out, tokenBoundKey)
	return out, nil
}

// stamp is a time as cached tokens record it.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// history returns credential name's versions, oldest first.
func (v *vaultStore) history(ctx context.Context, name string) ([]Version, error) {
	if err := ValidateName(name); err != nil {
		return nil, err
	}
	h, err := v.kv.Versions(ctx, name)
	if vaultkv.KindOf(err) == vaultkv.KindNotFound {
		return nil, notFound(name)
	}
	if err != nil {
		return nil, v.fail("read the history of "+name+" from", err)
	}
	out := make([]Version, 0, len(h.Versions))
	for _, vi := range h.Versions {
		ver := Version{Version: int64(vi.Version), At: vi.Created, By: vi.UpdatedBy,
			Deleted: !vi.Deleted.IsZero(), Destroyed: vi.Destroyed}
		if vi.Changed != nil {
			ver.Changed = []string{}
			for _, f := range vi.Changed {
				if n := historyField(f); n != "" {
					ver.Changed = append(ver.Changed, n)
				}
			}
			slices.Sort(ver.Changed)
		}
		out = append(out, ver)
	}
	return out, nil
}

// ready checks that the token may write credential name (any, for "")
// and the index: one request.
func (v *vaultStore) ready(ctx context.Context, name string) error {
	needs := []vaultkv.Need{{Area: "data", Key: indexKey, AnyOf: []string{"update", "create"}}}
	if name != "" {
		needs = append([]vaultkv.Need{{Area: "data", Key: name, AnyOf: []string{"update", "create"}}}, needs...)
	}
	return v.kv.Require(ctx, needs...)
}
