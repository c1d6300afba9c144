package vaultkv

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
)

// Figures for `credwiz list` on a Vault store, side by side at 100 and
// 1000 keys: one list request alone, a list then one read per key (what
// list would cost without an index), and one read of a single key that
// holds every credential's metadata (an index entry).
//
//	go test -run '^$' -bench . ./store/vaultkv   (with the dev server of scripts/test.sh)
func BenchmarkListAndRead(b *testing.B) {
	for _, n := range []int{100, 1000} {
		c := newClient(b, Config{})
		ctx := context.Background()
		index := map[string]string{}
		for i := range n {
			name := fmt.Sprintf("cred-%04d", i)
			meta := map[string]string{"connector": "demandbase", "description": "feed " + name, "client_id": "abc123",
				"client_secret": "s3cr3t-" + name, "base_url": "https://uapi.demandbase.com"}
			if _, err := c.Write(ctx, name, meta, 0); err != nil {
				b.Fatal(err)
			}
			j, _ := json.Marshal(map[string]string{"connector": meta["connector"], "description": meta["description"]})
			index[name] = string(j)
		}
		if _, err := c.Write(ctx, "_index", index, 0); err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("list/keys=%d", n), func(b *testing.B) {
			for b.Loop() {
				keys, err := c.List(ctx)
				if err != nil || len(keys) != n+1 {
					b.Fatalf("%d keys, %v", len(keys), err)
				}
			}
		})
		b.Run(fmt.Sprintf("list+read-each/keys=%d", n), func(b *testing.B) {
			for b.Loop() {
				keys, err := c.List(ctx)
				if err != nil {
					b.Fatal(err)
				}
				for _, k := range keys {
					if _, err := c.Read(ctx, k); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
		b.Run(fmt.Sprintf("read-index/keys=%d", n), func(b *testing.B) {
			for b.Loop() {
				s, err := c.Read(ctx, "_index")
				if err != nil || len(s.Data) != n {
					b.Fatalf("%v, %v", s, err)
				}
			}
		})
	}
}
