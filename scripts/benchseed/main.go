// Command benchseed fills a config dir's credentials.json with N saved
// credentials through the store package (one index transaction), for
// scripts/bench.sh. It writes metadata only: list never reads secrets.
//
//	go run ./scripts/benchseed -dir DIR -n 10000
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/credwiz/credwiz/store"
)

func main() {
	dir := flag.String("dir", "", "config dir to fill")
	n := flag.Int("n", 1000, "how many credentials")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "benchseed: -dir is required")
		os.Exit(2)
	}
	now := time.Now().UTC().Truncate(time.Second)
	ix := store.NewIndex(*dir)
	if err := giveID(ix); err != nil {
		fmt.Fprintln(os.Stderr, "benchseed:", err)
		os.Exit(1)
	}
	kinds := []struct{ connector, key, val string }{
		{"demandbase", "client_id", "dbks-0123456789abcdef"},
		{"salesforce", "username", "integration@acme.example.com"},
		{"uppromote", "api_version", "v2"},
		{"clazar", "client_id", "clz-0123456789abcdef"},
		{"drift", "base_url", "https://driftapi.com"},
	}
	err := ix.Update(context.Background(), func(tx *store.Tx) error {
		tx.SetKind(store.KindKeychain)
		for i := range *n {
			k := kinds[i%len(kinds)]
			tx.Put(store.Credential{
				Name:             fmt.Sprintf("%s-%05d", k.connector, i),
				Connector:        k.connector,
				Description:      "seeded for benchmarks",
				Fields:           map[string]string{k.key: k.val},
				SecretKeys:       []string{"secret"},
				CreatedAt:        now,
				UpdatedAt:        now,
				SecretsUpdatedAt: now.AddDate(0, 0, -(i % 90)),
				LastTest:         &store.TestResult{At: now, OK: i%7 != 0, Account: "acct-" + k.connector},
			})
		}
		return nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchseed:", err)
		os.Exit(1)
	}
}

// giveID makes ix the index of a config dir with an ID, as every index
// credwiz has saved a credential in is: one credential saved through the
// store (secrets in memory) and removed again.
func giveID(ix *store.Index) error {
	st := &store.Store{Index: ix, Secrets: store.NewMemory(), Tokens: store.NewMemory(), Kind: store.KindKeychain}
	c := store.Credential{Name: "seed-id", Connector: "drift", Fields: map[string]string{"base_url": "https://driftapi.com"}}
	if _, err := st.Add(context.Background(), c, map[string]string{"api_key": "seed-id-key-0123"}, store.AddOptions{}); err != nil {
		return err
	}
	return ix.Update(context.Background(), func(tx *store.Tx) error {
		tx.Remove("seed-id")
		return nil
	})
}
