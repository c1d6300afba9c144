package store

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/credwiz/credwiz/internal/vaulttest"
)

// seedVaultBench writes n credentials (every fifth tested) straight into
// a fresh folder, entries first then the index, as n adds would leave
// them, and returns a teammate's store on it.
func seedVaultBench(b *testing.B, n int) *Store {
	b.Helper()
	folder := vaulttest.Folder(b)
	st := openVaultStore(b, b.TempDir(), folder, "alice@laptop", "")
	v := st.remote.(*vaultStore)
	ctx := context.Background()
	doc := newVaultIndexDoc()
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	errs := make(chan error, n)
	for i := range n {
		c := sampleCredential(fmt.Sprintf("cred-%04d", i))
		c.Revision, c.SecretRevision, c.SecretKeys = 1, 1, []string{"client_secret"}
		c.LastTest = nil
		if i%5 == 0 {
			c.LastTest = certify(passed(c.CreatedAt), 1)
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			data, err := encodeEntry(c, map[string]string{"client_secret": "s3cr3t"}, entryBookkeeping{Version: 1, ValuesVersion: 1,
				DescriptionVersion: 1, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, SecretsUpdatedAt: c.SecretsUpdatedAt})
			if err == nil {
				_, err = v.kv.Write(ctx, c.Name, data, 0)
			}
			if err != nil {
				errs <- err
				return
			}
			mu.Lock()
			doc.put(c)
			mu.Unlock()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	if _, err := v.writeIndex(ctx, doc, 0); err != nil {
		b.Fatal(err)
	}
	return openVaultStore(b, b.TempDir(), folder, "bob@desk", "")
}

// BenchmarkVaultList measures the Vault store's list at 100 and 1000
// credentials, side by side with what list would cost without the index
// (the folder's keys, then every entry), and a change of one credential's
// description (which rewrites the index twice):
//
//	go test -run '^$' -bench Vault ./store   (with the dev server of scripts/test.sh)
func BenchmarkVaultList(b *testing.B) {
	for _, n := range []int{100, 1000} {
		st := seedVaultBench(b, n)
		v := st.remote.(*vaultStore)
		b.Run(fmt.Sprintf("index/n=%d", n), func(b *testing.B) {
			for b.Loop() {
				creds, err := st.Catalog().List()
				if err != nil || len(creds) != n {
					b.Fatalf("%d, %v", len(creds), err)
				}
			}
		})
		b.Run(fmt.Sprintf("keys+every-entry/n=%d", n), func(b *testing.B) {
			for b.Loop() {
				keys, err := v.kv.List(bg)
				if err != nil {
					b.Fatal(err)
				}
				entries, err := v.readEntries(bg, keys)
				if err != nil || len(entries) != n {
					b.Fatalf("%d, %v", len(entries), err)
				}
			}
		})
		b.Run(fmt.Sprintf("change-description/n=%d", n), func(b *testing.B) {
			i := 0
			for b.Loop() {
				c, err := st.Catalog().Get("cred-0001")
				if err != nil {
					b.Fatal(err)
				}
				d := fmt.Sprint("d", i)
				i++
				if _, err := st.Change(bg, c.Name, c.Revision, Change{Description: &d}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
