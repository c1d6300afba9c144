package store

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/go-json-experiment/json/jsontext"
)

// seedIndex writes n realistic credentials into a new index in dir.
func seedIndex(tb testing.TB, dir string, n int) *Index {
	tb.Helper()
	ix := NewIndex(dir)
	if err := ix.Update(context.Background(), func(tx *Tx) error {
		tx.SetKind(KindKeychain)
		for i := range n {
			tx.Put(sampleCredential(fmt.Sprintf("cred-%05d", i)))
		}
		return nil
	}); err != nil {
		tb.Fatal(err)
	}
	return ix
}

func BenchmarkIndexList(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			ix := seedIndex(b, b.TempDir(), n)
			fi, _ := os.Stat(ix.Path())
			b.SetBytes(fi.Size())
			b.ReportAllocs()
			for b.Loop() {
				creds, err := ix.List()
				if err != nil || len(creds) != n {
					b.Fatal(len(creds), err)
				}
			}
		})
	}
}

// BenchmarkIndexListUnknownFields is List of a file in which every
// credential has a field this version does not know.
func BenchmarkIndexListUnknownFields(b *testing.B) {
	ix := seedIndex(b, b.TempDir(), 10000)
	if err := ix.Update(context.Background(), func(tx *Tx) error {
		for _, c := range tx.List() {
			c.Unknown = jsontext.Value(`{"future":{"rotation":"90d"}}`)
			tx.Put(c)
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ix.List(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIndexKind(b *testing.B) {
	ix := seedIndex(b, b.TempDir(), 10000)
	b.ReportAllocs()
	for b.Loop() {
		if k, err := ix.Kind(); k != KindKeychain || err != nil {
			b.Fatal(k, err)
		}
	}
}

func BenchmarkIndexUpdatePut(b *testing.B) {
	ix := seedIndex(b, b.TempDir(), 1000)
	c := sampleCredential("cred-00500")
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		i++
		c.Description = fmt.Sprint("edit ", i)
		if err := ix.Update(context.Background(), func(tx *Tx) error { tx.Put(c); return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkKeychain(b *testing.B) {
	requireKeychain(b)
	k := testKeychain(testService(b), 10*time.Second)
	secret := map[string]string{"client_id": "abc", "client_secret": randomHex(32)}
	b.Run("Set", func(b *testing.B) {
		for b.Loop() {
			if err := k.Set("bench", Item{Values: secret}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Get", func(b *testing.B) {
		for b.Loop() {
			if _, err := k.Get("bench"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("SetGet", func(b *testing.B) {
		for b.Loop() {
			if err := k.Set("bench", Item{Values: secret}); err != nil {
				b.Fatal(err)
			}
			if _, err := k.Get("bench"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
