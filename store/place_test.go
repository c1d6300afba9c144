package store

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// copyDir copies config dir from's credentials.json into a new config dir
// (as cp -a, a backup restore or a trial copy would) and returns it.
func copyDir(t *testing.T, from string) string {
	t.Helper()
	to := filepath.Join(t.TempDir(), "copy")
	if err := os.Mkdir(to, 0o700); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(from, IndexFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(to, IndexFile), b, 0o600); err != nil {
		t.Fatal(err)
	}
	return to
}

// leftoverAccounts returns the accounts of ls.
func leftoverAccounts(ls []Leftover) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Account)
	}
	return out
}

// A copy of a config dir keeps its ID, and so claims the original's
// keychain items: it writes none (ErrMoved, saying what to do), and its
// doctor keeps the items it does not refer to (Foreign, with MovedFrom),
// so neither dir's repair removes the other's secrets. Once a move is
// confirmed, the dir works as before; a renamed dir is no copy.
func TestCopiedConfigDirLeavesTheOriginalsItemsAlone(t *testing.T) {
	keychain := NewMemory()
	open := func(dir string) *Store {
		return &Store{Index: NewIndex(dir), Secrets: keychain, Tokens: NewMemory(), Kind: KindMemory}
	}
	orig := filepath.Join(t.TempDir(), "orig")
	if err := os.Mkdir(orig, 0o700); err != nil {
		t.Fatal(err)
	}
	a := open(orig)
	mustAdd(t, a, sampleCredential("p1"), map[string]string{"client_secret": "p1-secret"})
	b := open(copyDir(t, orig))

	// The copy reads, but writes nothing under the shared ID.
	if got, err := secretOf(b, "p1"); err != nil || got["client_secret"] != "p1-secret" {
		t.Fatalf("the copy reads p1: %v, %v", got, err)
	}
	err := addErr(b, sampleCredential("p2"), map[string]string{"client_secret": "copy-only"})
	var me *MovedError
	if !errors.Is(err, ErrMoved) || !errors.As(err, &me) || me.Was != placeOf(orig).Path || !strings.Contains(err.Error(), "doctor --fix --moved") {
		t.Fatalf("add in the copy: %v", err)
	}
	if _, err := keychain.Get("p2"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the refused add wrote an item: %v", err)
	}
	if err := b.Delete(bg, "p1"); !errors.Is(err, ErrMoved) {
		t.Fatalf("delete in the copy: %v", err)
	}
	c := mustCred(t, b, "p1")
	if _, err := b.Change(bg, "p1", c.Revision, Change{Secret: map[string]string{"client_secret": "x"}}); !errors.Is(err, ErrMoved) {
		t.Fatalf("change in the copy: %v", err)
	}
	if errs, err := b.Record(bg, []Record{{Name: "p1", Revision: c.Revision, Token: map[string]string{"access_token": "t"}}}); !errors.Is(err, ErrMoved) {
		t.Fatalf("record in the copy: %v, %v", errs, err)
	}

	// The original goes on; the copy's doctor keeps what it does not know.
	mustAdd(t, a, sampleCredential("p3"), map[string]string{"client_secret": "p3-secret"})
	h, err := b.Check(bg)
	if err != nil || h.MovedFrom != me.Was || len(h.Orphans) != 0 || !slices.Contains(leftoverAccounts(h.Foreign), "p3") || h.Clean() {
		t.Fatalf("Check in the copy: %+v, %v", h, err)
	}
	if _, err := b.Repair(bg, false); err != nil {
		t.Fatal(err)
	}
	if got, err := secretOf(a, "p3"); err != nil || got["client_secret"] != "p3-secret" {
		t.Fatalf("the copy's repair took the original's p3: %v, %v", got, err)
	}
	if h, err := a.Check(bg); err != nil || !h.Clean() {
		t.Fatalf("Check in the original: %+v, %v", h, err)
	}

	// A move, confirmed: the original is gone, the dir is where it is now.
	if err := os.RemoveAll(orig); err != nil {
		t.Fatal(err)
	}
	was, err := b.Index.ConfirmMove(bg)
	if err != nil || was != me.Was {
		t.Fatalf("ConfirmMove = %q, %v", was, err)
	}
	if was, err := b.Index.MovedFrom(bg); err != nil || was != "" {
		t.Fatalf("MovedFrom after the confirmation: %q, %v", was, err)
	}
	mustAdd(t, b, sampleCredential("p2"), map[string]string{"client_secret": "moved"})
	if h, err := b.Check(bg); err != nil || h.MovedFrom != "" || !slices.Equal(leftoverAccounts(h.Orphans), []string{"p3"}) {
		t.Fatalf("Check after the move: %+v, %v", h, err)
	}

	// A renamed config dir (same inode) is the same dir.
	renamed := filepath.Join(filepath.Dir(b.Index.Dir()), "renamed")
	if err := os.Rename(b.Index.Dir(), renamed); err != nil {
		t.Fatal(err)
	}
	r := open(renamed)
	if placeOf(renamed).Inode != 0 {
		mustAdd(t, r, sampleCredential("p4"), map[string]string{"client_secret": "renamed"})
	}
}

// The encrypted file store's items move with its config dir: a copy of
// one is a store of its own and writes; the place of an index written
// before places were recorded is recorded by its next write.
func TestPlaceOfFileStoresAndOlderIndexes(t *testing.T) {
	orig := t.TempDir()
	a := &Store{Index: NewIndex(orig), Secrets: NewMemory(), Tokens: NewMemory(), Kind: KindFile}
	mustAdd(t, a, sampleCredential("f1"), map[string]string{"client_secret": "s"})
	b := &Store{Index: NewIndex(copyDir(t, orig)), Secrets: NewMemory(), Tokens: NewMemory(), Kind: KindFile}
	mustAdd(t, b, sampleCredential("f2"), map[string]string{"client_secret": "s"})
	if h, err := b.Check(bg); err != nil || h.MovedFrom == "" {
		t.Fatalf("doctor of a copied file store says nothing: %+v, %v", h, err)
	}

	old := t.TempDir()
	raw := `{"version":2,"id":"0123456789abcdef","store":"memory","revision":0,"credentials":[]}`
	if err := os.WriteFile(filepath.Join(old, IndexFile), []byte(raw), 0o600); err != nil {
		t.Fatal(err)
	}
	st := &Store{Index: NewIndex(old), Secrets: NewMemory(), Tokens: NewMemory(), Kind: KindMemory}
	mustAdd(t, st, sampleCredential("o1"), map[string]string{"client_secret": "s"})
	b2, _ := os.ReadFile(filepath.Join(old, IndexFile))
	if !strings.Contains(string(b2), `"path": `+strconv.Quote(placeOf(old).Path)) {
		t.Fatalf("the place was not recorded:\n%s", b2)
	}
}

// A move is confirmed only when the original is gone: while the place the
// index was created at still holds an index of the same ID, the config dir
// is a copy, and confirming it would let either one's repair delete the
// other's items.
func TestConfirmMoveRefusesACopy(t *testing.T) {
	keychain := NewMemory()
	orig := filepath.Join(t.TempDir(), "orig")
	if err := os.Mkdir(orig, 0o700); err != nil {
		t.Fatal(err)
	}
	a := &Store{Index: NewIndex(orig), Secrets: keychain, Tokens: NewMemory(), Kind: KindMemory}
	mustAdd(t, a, sampleCredential("p1"), map[string]string{"client_secret": "p1-secret"})
	cp := copyDir(t, orig)
	if _, err := NewIndex(cp).ConfirmMove(bg); !errors.Is(err, ErrMoved) || !strings.Contains(err.Error(), orig) {
		t.Fatalf("ConfirmMove with the original in place: %v", err)
	}
	if was, err := NewIndex(cp).MovedFrom(bg); err != nil || was != placeOf(orig).Path {
		t.Fatalf("the refused confirmation recorded the copy's place: %q, %v", was, err)
	}
	if err := os.Remove(filepath.Join(orig, IndexFile)); err != nil {
		t.Fatal(err)
	}
	if was, err := NewIndex(cp).ConfirmMove(bg); err != nil || was != placeOf(orig).Path {
		t.Fatalf("ConfirmMove once the original is gone: %q, %v", was, err)
	}
}

// Inode numbers repeat across file systems (the root of every fresh tmpfs
// is inode 2): the same inode is the same directory only on the same
// device; a place recorded before devices were (0) keeps the inode rule.
func TestSamePlaceNeedsTheDevice(t *testing.T) {
	rec := dirPlace{Path: "/a", Inode: 2, Device: 40}
	if samePlace(rec, dirPlace{Path: "/b", Inode: 2, Device: 41}) {
		t.Error("same inode on another device taken for the same directory")
	}
	if !samePlace(rec, dirPlace{Path: "/b", Inode: 2, Device: 40}) {
		t.Error("same inode on the same device (a rename) not recognised")
	}
	if !samePlace(dirPlace{Path: "/a", Inode: 2}, dirPlace{Path: "/b", Inode: 2, Device: 41}) {
		t.Error("a place recorded without its device no longer matches by inode")
	}
}
