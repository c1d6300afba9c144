package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
)

func TestIndexMissingFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cfg")
	ix := NewIndex(dir)
	creds, err := ix.List()
	if err != nil || len(creds) != 0 {
		t.Fatalf("List = %v, %v; want empty, nil", creds, err)
	}
	if _, err := ix.Get("x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get: err = %v, want ErrNotFound", err)
	}
	if k, err := ix.Kind(); k != "" || err != nil {
		t.Fatalf("Kind = %q, %v; want empty", k, err)
	}
	if err := removeCred(ix, "x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Remove: err = %v, want ErrNotFound", err)
	}
	if _, err := os.Stat(ix.Path()); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("reads created the file: %v", err)
	}
}

func TestIndexPutGetListRemove(t *testing.T) {
	ix := NewIndex(t.TempDir())
	for _, n := range []string{"prod-b", "prod-a", "dev"} {
		if err := putCred(ix, sampleCredential(n)); err != nil {
			t.Fatal(err)
		}
	}
	c := sampleCredential("prod-a")
	c.Description = "replaced"
	if err := putCred(ix, c); err != nil {
		t.Fatal(err)
	}
	creds, err := ix.List()
	if err != nil {
		t.Fatal(err)
	}
	if got := names(creds); fmt.Sprint(got) != "[dev prod-a prod-b]" {
		t.Fatalf("List names = %v, want sorted [dev prod-a prod-b]", got)
	}
	got, err := ix.Get("prod-a")
	if err != nil || got.Description != "replaced" {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	if got.LastTest == nil || !got.LastTest.TokenExpires.Equal(c.LastTest.TokenExpires) || got.Fields["client_id"] != "client-prod-a" {
		t.Fatalf("Get lost fields: %+v", got)
	}
	if err := removeCred(ix, "prod-b"); err != nil {
		t.Fatal(err)
	}
	if err := removeCred(ix, "prod-b"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second Remove: err = %v, want ErrNotFound", err)
	}
	st := &Store{Index: ix, Secrets: NewMemory(), Tokens: NewMemory()}
	if _, err := st.Add(context.Background(), Credential{Name: "bad name"}, nil, AddOptions{}); !errors.Is(err, ErrInvalidName) {
		t.Fatalf("Add of an invalid name: err = %v", err)
	}
}

func TestIndexFileFormat(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new-cfg")
	ix := NewIndex(dir)
	if err := ix.Update(context.Background(), func(tx *Tx) error {
		tx.SetKind(KindKeychain)
		tx.Put(sampleCredential("a"))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(ix.Path())
	if err != nil {
		t.Fatal(err)
	}
	var top struct {
		Version     int               `json:"version"`
		Store       string            `json:"store"`
		Credentials []json.RawMessage `json:"credentials"`
	}
	if err := json.Unmarshal(data, &top); err != nil {
		t.Fatalf("file is not JSON: %v\n%s", err, data)
	}
	if top.Version != indexVersion || top.Store != "keychain" || len(top.Credentials) != 1 {
		t.Fatalf("file = %s", data)
	}
	for _, want := range []string{`"created_at": "2026-11-22T19:00:00Z"`, `"token_expires": "2026-11-23T03:00:00Z"`, `<ops@example.com>`} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("file lacks %s:\n%s", want, data)
		}
	}
	assertMode(t, ix.Path(), 0o600)
	assertMode(t, ix.Path()+lockSuffix, 0o600)
	assertMode(t, dir, 0o700|fs.ModeDir)
	if k, err := ix.Kind(); k != KindKeychain || err != nil {
		t.Fatalf("Kind = %q, %v", k, err)
	}
}

func TestIndexFileModeDespiteUmask(t *testing.T) {
	ix := NewIndex(t.TempDir())
	if err := os.WriteFile(ix.Path(), []byte(`{"version":1,"credentials":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := putCred(ix, sampleCredential("a")); err != nil {
		t.Fatal(err)
	}
	assertMode(t, ix.Path(), 0o600)
}

func TestIndexUpdateWritesOnlyChanges(t *testing.T) {
	ix := NewIndex(t.TempDir())
	if err := putCred(ix, sampleCredential("a")); err != nil {
		t.Fatal(err)
	}
	before := statIdentity(t, ix.Path())
	if err := ix.Update(context.Background(), func(tx *Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := putCred(ix, sampleCredential("a")); err != nil {
		t.Fatal(err)
	}
	if err := ix.Update(context.Background(), func(tx *Tx) error {
		tx.Remove("absent")
		tx.SetKind(tx.Kind())
		c, _ := tx.Get("a")
		c.Fields["client_id"] = "changed on a copy, not put"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	if err := ix.Update(context.Background(), func(tx *Tx) error {
		tx.Put(sampleCredential("b"))
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("Update returned %v, want fn's error", err)
	}
	if after := statIdentity(t, ix.Path()); after != before {
		t.Fatalf("the file was rewritten: %v -> %v", before, after)
	}
	if entries, _ := os.ReadDir(filepath.Dir(ix.Path())); len(entries) != 2 {
		t.Fatalf("temp files left behind: %v", entries)
	}
}

func TestIndexUnknownFieldsSurvive(t *testing.T) {
	ix := NewIndex(t.TempDir())
	const original = `{
  "version": 1,
  "store": "file",
  "future_top": {"nested": [1, 2, {"x": "y"}]},
  "credentials": [
    {"name": "a", "connector": "drift", "created_at": "2026-01-02T03:04:05Z", "updated_at": "2026-01-02T03:04:05Z", "secrets_updated_at": "2026-01-02T03:04:05Z", "rotation": {"every": "90d",
       "notify": true}},
    {"name": "b", "connector": "clazar", "created_at": "2026-01-02T03:04:05Z", "updated_at": "2026-01-02T03:04:05Z", "secrets_updated_at": "2026-01-02T03:04:05Z"}
  ]
}`
	if err := os.WriteFile(ix.Path(), []byte(original), 0o600); err != nil {
		t.Fatal(err)
	}
	a, err := ix.Get("a")
	if err != nil {
		t.Fatal(err)
	}
	a.Description = "edited by an older credwiz"
	if err := putCred(ix, a); err != nil {
		t.Fatal(err)
	}
	if err := putCred(ix, sampleCredential("c")); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(ix.Path())
	var doc struct {
		FutureTop   any              `json:"future_top"`
		Credentials []map[string]any `json:"credentials"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("rewritten file: %v\n%s", err, data)
	}
	if fmt.Sprint(doc.FutureTop) != "map[nested:[1 2 map[x:y]]]" {
		t.Errorf("future_top = %v after a rewrite:\n%s", doc.FutureTop, data)
	}
	if len(doc.Credentials) != 3 || fmt.Sprint(doc.Credentials[0]["rotation"]) != "map[every:90d notify:true]" ||
		doc.Credentials[0]["description"] != "edited by an older credwiz" {
		t.Errorf("credential a after a rewrite = %v:\n%s", doc.Credentials, data)
	}
	creds, err := ix.List()
	if err != nil || len(creds) != 3 {
		t.Fatalf("List = %d, %v", len(creds), err)
	}
	// Through the codec alone too: encode, decode, encode is stable.
	b, err := jsonv2.Marshal(creds[0], jsonv2.Deterministic(true))
	if err != nil {
		t.Fatal(err)
	}
	var back Credential
	if err := jsonv2.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b2, _ := jsonv2.Marshal(back, jsonv2.Deterministic(true))
	if !bytes.Equal(b, b2) || !bytes.Contains(b, []byte(`"rotation":{"every":"90d","notify":true}`)) {
		t.Fatalf("Marshal/Unmarshal round trip:\n%s\n%s", b, b2)
	}
}

// TestIndexConcurrentProcesses runs 20 processes that each add one
// credential and record a test result at the same time.
func TestIndexConcurrentProcesses(t *testing.T) {
	dir := t.TempDir()
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	start := make(chan struct{})
	for i := range n {
		cmd := helperCmd(t, "put", "HELPER_DIR="+dir, fmt.Sprintf("HELPER_NAME=proc-%02d", i))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		wg.Go(func() {
			<-start
			if err := cmd.Run(); err != nil {
				errs <- fmt.Errorf("%v: %v: %s", cmd.Env[len(cmd.Env)-1], err, stderr.Bytes())
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	creds, err := NewIndex(dir).List()
	if err != nil {
		t.Fatalf("List after concurrent writers: %v", err)
	}
	if len(creds) != n {
		t.Fatalf("%d credentials after %d concurrent writers, want %d: %v", len(creds), n, n, names(creds))
	}
	for i, c := range creds {
		if want := fmt.Sprintf("proc-%02d", i); c.Name != want || c.LastTest == nil || c.LastTest.Account != want {
			t.Errorf("credential %d = %s (last test %+v), want %s with its test result", i, c.Name, c.LastTest, want)
		}
	}
	t.Logf("%d processes each added a credential and recorded a test: all %d present, file valid", n, len(creds))
}

func names(creds []Credential) []string {
	var out []string
	for _, c := range creds {
		out = append(out, c.Name)
	}
	return out
}

func assertMode(t *testing.T, path string, want fs.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode() & (fs.ModePerm | fs.ModeDir); got != want {
		t.Errorf("%s has mode %v, want %v", path, got, want)
	}
}

// statIdentity identifies a file version: a rewrite renames a new inode in.
func statIdentity(t *testing.T, path string) string {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(fileID(fi), fi.ModTime().UnixNano(), fi.Size())
}

func TestIndexLockTimeout(t *testing.T) {
	ix := NewIndex(t.TempDir())
	if err := putCred(ix, sampleCredential("a")); err != nil {
		t.Fatal(err)
	}
	unlock, err := lockFile(context.Background(), ix.Path()+lockSuffix, lockOptions{timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ix.LockTimeout = 200 * time.Millisecond
	start := time.Now()
	err = putCred(ix, sampleCredential("b"))
	want := fmt.Sprintf("is held by another credwiz (pid %d)", os.Getpid())
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), ix.Path()) {
		t.Fatalf("Put while locked: err = %v", err)
	}
	// The test holds the lock to the end: without its timeout, Put would
	// wait DefaultLockTimeout.
	if d := time.Since(start); d > DefaultLockTimeout/2 {
		t.Fatalf("Put waited %s with a 200ms lock timeout", d)
	}
	// A writer that is waiting gets the lock once it is released.
	done := make(chan error, 1)
	ix.LockTimeout = 10 * time.Second
	go func() { done <- putCred(ix, sampleCredential("c")) }()
	time.Sleep(100 * time.Millisecond)
	unlock()
	if err := <-done; err != nil {
		t.Fatalf("Put after the lock was released: %v", err)
	}
	if _, err := ix.Get("c"); err != nil {
		t.Fatal(err)
	}
}
