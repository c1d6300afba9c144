package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/credwiz/credwiz/store/vaultkv"
)

// The Vault store's index: one entry beside the credentials, whose key
// cannot be a credential's name (names never begin with '@'), holding
// every credential's metadata (never a secret) and its last test result,
// so that list costs one read whatever the number of credentials.
//
// It is a cache of the credentials' own entries, which are the truth,
// plus the test results, which live only here. Every write goes:
//
//  1. the index marks the credential as pending (check-and-set on the
//     index's version);
//  2. the credential's entry is written (check-and-set on the version
//     read): the commit point;
//  3. the index gets the new metadata and loses the mark.
//
// A reader that finds a mark (a write in flight, or one killed between 1
// and 3) reads that credential's entry instead. A reader also lists the
// keys of the folder (one request, sent with the index read): a key the
// index does not know, or an index entry whose key is gone, is read too.
// An index that is missing, deleted, destroyed or unreadable is rebuilt
// from the entries (one read each) and saved when the token may write.
// What no reader can see cheaply, a change made outside credwiz with the
// vault CLI, is caught by every command that reads that credential's entry
// (show, test, token, edit, reauth, rm), which brings the index up to date,
// and by doctor, which compares everything.
const indexKey = vaultkv.ReservedPrefix + "index"

// indexField is the entry field that holds the index's JSON.
const indexField = "index"

// indexFormat is the format of the index this credwiz writes.
const indexFormat = 1

// maxIndexAttempts bounds the check-and-set retries of one index update
// (each retry follows a teammate's write of the index).
const maxIndexAttempts = 16

// vaultIndexDoc is the index entry's content.
type vaultIndexDoc struct {
	// Format is indexFormat.
	Format int `json:"format"`
	// Credentials are sorted by name: Revision is the entry's KV version,
	// SecretRevision the version its values last changed at, LastTest the
	// last test recorded (of the revision it names).
	Credentials []Credential `json:"credentials"`
	// Pending are writes in flight (or killed), by credential name.
	Pending map[string]vaultMark `json:"pending,omitempty"`
	// Gone are names credwiz deleted, with the version deleted: their
	// keys stay listed (Vault keeps deleted versions) but are no
	// credential.
	Gone map[string]int64 `json:"gone,omitempty"`
	// Unknown holds members this version does not know, verbatim.
	Unknown jsontext.Value `json:",embed"`
}

// vaultMark records a write in flight on one credential.
type vaultMark struct {
	// Op is "write", "delete" or "rename".
	Op string `json:"op"`
	// From is the entry's version when the write began (0: none).
	From int64 `json:"from"`
	// To is, for a rename, the new name.
	To string `json:"to,omitempty"`
	// By is who writes (user@host).
	By string `json:"by,omitempty"`
	// At is when the write began.
	At time.Time `json:"at"`
	// Unknown holds members this version does not know, verbatim.
	Unknown jsontext.Value `json:",embed"`
}

// indexState is the index as read: its document, its KV version (0 when
// the key never existed), and whether it must be rebuilt.
type indexState struct {
	doc     *vaultIndexDoc
	version int
	// lost says the index is missing (though credentials exist), deleted,
	// destroyed or unreadable: doc is empty and must be rebuilt.
	lost bool
	// absent says the key never existed.
	absent bool
	// scrubbed names the credentials whose settings, as read, held a key
	// their connector says is a secret: doc no longer does, and the index
	// must be written again so that Vault's copy does not either.
	scrubbed []string
}

// find returns the position of name among the index's credentials.
func (d *vaultIndexDoc) find(name string) (int, bool) {
	return slices.BinarySearchFunc(d.Credentials, name, func(c Credential, n string) int {
		return strings.Compare(c.Name, n)
	})
}

// get returns a copy of the index's metadata of name.
func (d *vaultIndexDoc) get(name string) (Credential, bool) {
	i, ok := d.find(name)
	if !ok {
		return Credential{}, false
	}
	return d.Credentials[i].clone(), true
}

// put sets name's metadata to c (without secrets), unless the index
// already knows a later version of it (a teammate's write that landed
// first, or its deletion): writes and reads race, and the index only ever
// takes news.
func (d *vaultIndexDoc) put(c Credential) {
	c = c.clone()
	c.SecretItem = ""
	if d.Gone[c.Name] > c.Revision {
		return
	}
	if i, ok := d.find(c.Name); ok {
		if d.Credentials[i].Revision > c.Revision {
			return
		}
		d.Credentials[i] = c
	} else {
		d.Credentials = slices.Insert(d.Credentials, i, c)
	}
	delete(d.Gone, c.Name)
}

// remove drops name, unless gone (the version deleted, when known) is
// older than the version the index knows; a positive gone is recorded.
func (d *vaultIndexDoc) remove(name string, gone int64) {
	if i, ok := d.find(name); ok {
		if gone > 0 && d.Credentials[i].Revision > gone {
			return
		}
		d.Credentials = slices.Delete(d.Credentials, i, i+1)
	}
	if gone > 0 && d.Gone[name] > gone {
		return
	}
	if gone > 0 {
		if d.Gone == nil {
			d.Gone = map[string]int64{}
		}
		d.Gone[name] = gone
	}
}

// mark records a write in flight on name.
func (d *vaultIndexDoc) mark(name string, m vaultMark) {
	if d.Pending == nil {
		d.Pending = map[string]vaultMark{}
	}
	d.Pending[name] = m
}

// readIndex reads the index entry. A key that never existed is an empty
// index (absent); a deleted, destroyed or unreadable one is lost.
func (v *vaultStore) readIndex(ctx context.Context) (indexState, error) {
	s, err := v.kv.Read(ctx, indexKey)
	var e *vaultkv.Error
	switch {
	case errors.As(err, &e) && e.Kind == vaultkv.KindNotFound:
		return indexState{doc: newVaultIndexDoc(), version: e.Version, lost: e.Version > 0, absent: e.Version == 0}, nil
	case err != nil:
		return indexState{}, v.fail("read the index of", err)
	}
	doc, derr := decodeVaultIndex(s.Data[indexField])
	if derr == nil {
		v.mu.Lock()
		v.lastIndex, v.lastIndexVers = s.Data[indexField], s.Version
		v.mu.Unlock()
	}
	if errors.Is(derr, ErrNewerVersion) {
		return indexState{}, derr
	}
	if derr != nil {
		return indexState{doc: newVaultIndexDoc(), version: s.Version, lost: true}, nil
	}
	return indexState{doc: doc, version: s.Version, scrubbed: v.scrub(doc)}, nil
}

// newVaultIndexDoc returns an empty index.
func newVaultIndexDoc() *vaultIndexDoc {
	return &vaultIndexDoc{Format: indexFormat, Credentials: []Credential{}}
}

// decodeVaultIndex parses the index's JSON. A newer format than this
// credwiz knows is an error, so that it is never rewritten by it.
func decodeVaultIndex(raw string) (*vaultIndexDoc, error) {
	doc := new(vaultIndexDoc)
	if err := json.Unmarshal([]byte(raw), doc); err != nil {
		return nil, err
	}
	if doc.Format > indexFormat {
		return nil, fmt.Errorf("%w: the Vault index has format %d, this credwiz reads up to %d: upgrade credwiz", ErrNewerVersion, doc.Format, indexFormat)
	}
	if doc.Credentials == nil {
		doc.Credentials = []Credential{}
	}
	slices.SortStableFunc(doc.Credentials, compareByName)
	doc.Credentials = slices.CompactFunc(doc.Credentials, func(a, b Credential) bool { return a.Name == b.Name })
	return doc, nil
}

// encodeVaultIndex returns the index entry's data.
func encodeVaultIndex(doc *vaultIndexDoc) (map[string]string, error) {
	doc.Format = indexFormat
	b, err := json.Marshal(doc, json.Deterministic(true))
	if err != nil {
		return nil, fmt.Errorf("encode the Vault index: %w", err)
	}
	return map[string]string{indexField: string(b)}, nil
}

// writeIndex writes doc over index version cas and returns the new
// version.
func (v *vaultStore) writeIndex(ctx context.Context, doc *vaultIndexDoc, cas int) (int, error) {
	data, err := encodeVaultIndex(doc)
	if err != nil {
		return 0, err
	}
	n, err := v.kv.WriteUntracked(ctx, indexKey, data, cas)
	if err != nil {
		return 0, err
	}
	v.mu.Lock()
	v.lastIndex, v.lastIndexVers = data[indexField], n
	v.mu.Unlock()
	return n, nil
}

// updateIndex applies fn to the index and writes it with check-and-set,
// reading it again and reapplying fn when a teammate wrote it meanwhile.
// A lost index is rebuilt first. Marks of other writes that visibly
// finished are settled on the way. st, when its doc is not nil, is the
// index as this process last wrote it, which saves the first read; the
// index as written is returned for the next update. mine are the names
// the caller marks or settles itself.
func (v *vaultStore) updateIndex(ctx context.Context, st indexState, mine []string, fn func(doc *vaultIndexDoc) error) (indexState, error) {
	for attempt := 0; ; attempt++ {
		if st.doc == nil && attempt == 0 {
			st = v.recallIndex()
		}
		if st.doc == nil {
			var err error
			if st, err = v.readIndex(ctx); err != nil {
				return st, err
			}
		}
		if st.lost || st.absent {
			// A first write (or credentials written without credwiz)
			// starts the index from every entry there is.
			if err := v.rebuild(ctx, &st); err != nil {
				return st, err
			}
		}
		doc := st.doc
		if err := v.settleMarks(ctx, doc, false, mine...); err != nil {
			return st, err
		}
		if err := fn(doc); err != nil {
			return st, err
		}
		n, err := v.writeIndex(ctx, doc, st.version)
		if err == nil {
			return indexState{doc: doc, version: n}, nil
		}
		if vaultkv.KindOf(err) != vaultkv.KindCASMismatch || attempt+1 >= maxIndexAttempts {
			return st, v.fail("update the index of", err)
		}
		st = indexState{}
	}
}

// recallIndex returns the index as this process last read it (a fresh
// copy), or an empty state when it read none.
func (v *vaultStore) recallIndex() indexState {
	v.mu.Lock()
	raw, vers := v.lastIndex, v.lastIndexVers
	v.mu.Unlock()
	if raw == "" {
		return indexState{}
	}
	doc, err := decodeVaultIndex(raw)
	if err != nil {
		return indexState{}
	}
	return indexState{doc: doc, version: vers, scrubbed: v.scrub(doc)}
}

// rebuild fills st's doc from the credentials' entries (one read each),
// keeping nothing of the lost index: test results are lost with it.
func (v *vaultStore) rebuild(ctx context.Context, st *indexState) error {
	keys, err := v.kv.List(ctx)
	if err != nil {
		return v.fail("list the credentials of", err)
	}
	return v.rebuildFrom(ctx, st, keys)
}

// entryRead is the outcome of reading one credential's entry: the entry,
// or an error (not found: deleted is the deleted or destroyed version, 0
// when the key does not exist).
type entryRead struct {
	entry   vaultEntry
	err     error
	deleted int64
}

// readEntries reads the named entries, a few at a time. A failure to
// reach Vault fails the whole; a refusal of one entry (a policy that hides
// it, an entry credwiz did not write) is that entry's err.
func (v *vaultStore) readEntries(ctx context.Context, names []string) (map[string]entryRead, error) {
	out := make(map[string]entryRead, len(names))
	type res struct {
		name string
		r    entryRead
	}
	results := make(chan res, len(names))
	sem := make(chan struct{}, 8)
	for _, n := range names {
		go func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			e, err := v.readEntry(ctx, n)
			r := entryRead{entry: e, err: err}
			var ke *vaultkv.Error
			if errors.As(err, &ke) && ke.Kind == vaultkv.KindNotFound {
				r.deleted = int64(ke.Version)
			}
			results <- res{n, r}
		}()
	}
	var fatal error
	for range names {
		r := <-results
		out[r.name] = r.r
		switch vaultkv.KindOf(r.r.err) {
		case vaultkv.KindUnreachable, vaultkv.KindSealed, vaultkv.KindBadToken, vaultkv.KindCanceled, vaultkv.KindNoMount, vaultkv.KindKVv1:
			fatal = cmp.Or(fatal, r.r.err)
		}
	}
	if fatal != nil {
		return nil, fatal
	}
	return out, nil
}

// settleMarks brings the index up to date for the marked credentials
// whose entries show that their write finished (with all, for every
// marked credential, whatever its state: doctor's repair), and drops
// those marks. Marks of the names in skip (the caller's own write) are
// left alone. The entries are read; the index is not written.
func (v *vaultStore) settleMarks(ctx context.Context, doc *vaultIndexDoc, all bool, skip ...string) error {
	names := map[string]bool{}
	for n, m := range doc.Pending {
		if slices.Contains(skip, n) {
			continue
		}
		names[n] = true
		if m.To != "" {
			names[m.To] = true
		}
	}
	if len(names) == 0 {
		return nil
	}
	entries, err := v.readEntries(ctx, sortedKeys(names))
	if err != nil {
		return err
	}
	for n, m := range doc.Pending {
		if !slices.Contains(skip, n) {
			v.finishRename(ctx, n, m, entries)
		}
	}
	for n, m := range doc.Pending {
		if slices.Contains(skip, n) || !(all || markDone(n, m, entries)) {
			continue
		}
		applyRead(doc, n, entries[n])
		delete(doc.Pending, n)
	}
	hideRenamed(doc, entries)
	return nil
}

// finishRename completes a rename killed after its commit point (the new
// name written, the old one not yet deleted): it deletes the old name's
// version the rename replaced, and updates entries. Best effort: when it
// cannot, the old name stays hidden and doctor finishes it.
func (v *vaultStore) finishRename(ctx context.Context, name string, m vaultMark, entries map[string]entryRead) {
	old := entries[name]
	if m.Op != "rename" || old.err != nil || old.entry.cred.Revision != m.From || !renamedTo(entries[m.To], name, m.From) {
		return
	}
	if _, err := v.bury(ctx, name, m.From, false); err != nil {
		return
	}
	if r, err := v.readEntryResult(ctx, name); err == nil {
		entries[name] = r
	}
}

// markDone reports whether the entries read show that the write marked m
// on name finished (or was overtaken by a later one).
func markDone(name string, m vaultMark, entries map[string]entryRead) bool {
	r := entries[name]
	live := r.err == nil
	gone := vaultkv.KindOf(r.err) == vaultkv.KindNotFound
	if live && r.entry.cred.Revision > m.From {
		return true
	}
	switch m.Op {
	case "write":
		return gone && r.deleted > m.From
	case "delete":
		return gone && r.deleted >= m.From
	case "rename":
		return gone && renamedTo(entries[m.To], name, m.From)
	}
	return false
}

// renamedTo reports whether the entry read t was written by the rename of
// name at version from.
func renamedTo(t entryRead, name string, from int64) bool {
	return t.err == nil && t.entry.book.RenamedFrom != nil && *t.entry.book.RenamedFrom == (entryRef{Name: name, Version: from})
}

// applyRead sets the index's view of name to what reading its entry
// found, keeping its last test.
func applyRead(doc *vaultIndexDoc, name string, r entryRead) {
	switch {
	case r.err == nil:
		c := r.entry.cred
		if old, ok := doc.get(name); ok {
			c.LastTest = old.LastTest
		}
		doc.put(c)
	case vaultkv.KindOf(r.err) == vaultkv.KindNotFound:
		doc.remove(name, r.deleted)
	}
}

// hideRenamed drops from doc every credential that an entry read in
// entries replaced by a rename (its renamed_from names it at its current
// revision): the rename committed, and only the deletion of the old name
// is left, which doctor finishes.
func hideRenamed(doc *vaultIndexDoc, entries map[string]entryRead) {
	for _, r := range entries {
		if r.err != nil || r.entry.book.RenamedFrom == nil {
			continue
		}
		from := *r.entry.book.RenamedFrom
		if c, ok := doc.get(from.Name); ok && c.Revision == from.Version {
			doc.remove(from.Name, 0)
		}
	}
}
