package connectors_test

import (
	"context"
	"maps"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
)

// Benchmarks of the connectors' in-process costs; see docs/PERFORMANCE.md.

// benchClock makes an emulator's clock advance a second each time it is
// read, so that a benchmark's thousands of requests spread over hours of
// emulated time and stay within the vendors' per-minute rate limits,
// which the emulators enforce: the benchmark measures credwiz, not the
// rate limiter.
func benchClock(em connectortest.Emulator) {
	start := time.Now()
	var ticks atomic.Int64
	em.(interface{ SetClock(func() time.Time) }).SetClock(func() time.Time {
		return start.Add(time.Duration(ticks.Add(1)) * time.Second)
	})
	if sf, ok := em.(*connectortest.Salesforce); ok {
		sf.SetAPIUsage(0, 1<<30)
	}
}

// BenchmarkLiveTest is one live test (the token exchange, if any, plus the
// cheap read) of each connector against its emulator on loopback, without
// delay: credwiz's own cost per tested credential, which test --all
// multiplies.
func BenchmarkLiveTest(b *testing.B) {
	for _, c := range connectors.All() {
		b.Run(c.ID, func(b *testing.B) {
			em := connectortest.New(c.ID)
			defer em.Close()
			benchClock(em)
			v := em.Values()
			hc := &http.Client{Timeout: 10 * time.Second}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.RunTest(context.Background(), hc, v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTokenSourceCached is TokenSource(...).Token() with a valid
// cached token, as credwiz token does on a cache hit: no exchange at all
// (the benchmark fails if the emulator issues more than the one that
// filled the cache).
func BenchmarkTokenSourceCached(b *testing.B) {
	for _, id := range []string{"demandbase", "clazar"} {
		b.Run(id, func(b *testing.B) {
			c, _ := connectors.Lookup(id)
			em := connectortest.New(id)
			defer em.Close()
			hc := &http.Client{Timeout: 10 * time.Second}
			v := em.Values()
			cached, err := c.MintToken(context.Background(), hc, v)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				tok, err := c.TokenSource(context.Background(), hc, v, cached).Token()
				if err != nil || tok.AccessToken != cached.AccessToken {
					b.Fatalf("not the cached token: %v", err)
				}
			}
			if n := em.TokensIssued(); n != 1 {
				b.Fatalf("%d token exchanges, want 1", n)
			}
		})
	}
}

// BenchmarkNormalizeValidate is the offline check of a scripted add's
// values, per connector.
func BenchmarkNormalizeValidate(b *testing.B) {
	for _, c := range connectors.All() {
		b.Run(c.ID, func(b *testing.B) {
			em := connectortest.New(c.ID)
			v := em.Values()
			em.Close()
			for k := range v {
				v[k] = "  " + v[k] + " "
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := c.Validate(c.Normalize(maps.Clone(v))); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchSecrets are a Salesforce credential's secrets, with the pairs
// Connector.Secrets adds.
func benchSecrets() []string {
	c := mustConnector("salesforce")
	return c.Secrets(connectors.Values{
		"consumer_secret": "4F1C8B2D9E7A3F6C5B0D2E8A1C7F9B3D6E4A2C8F0B5D9E1A7C3F6B2D8E4A0C9F",
		"password":        "Spring-Time-2026!", "security_token": "Xy7Pq2LmN9rT4vWb8KcD3fGh",
	})
}

// benchBody returns a vendor answer of about n bytes with no secret in it:
// JSON records holding escapes, entities and percent-encoding, so that the
// check decodes as much as a hostile answer makes it.
func benchBody(n int) string {
	rec := `{"id":"0015g00000AbCdE","name":"Acme \u00e9 \/ Corp","note":"&amp; &lt;b&gt; 50%25 off+now","url":"https://acme.example.com/a?b=c%2Fd"},`
	return "[" + strings.Repeat(rec, n/len(rec)) + "{}]"
}

// BenchmarkLeakCheck checks a 1 MiB vendor answer, the most credwiz reads,
// against a Salesforce credential's secrets (nine, with the pairs): the
// clean answer must be read in full. "contains" is the cost of looking
// for the secrets verbatim only (strings.Contains, one pass each), the
// floor the full check is compared with.
func BenchmarkLeakCheck(b *testing.B) {
	secrets := benchSecrets()
	body := benchBody(connectors.MaxBody)
	lc := connectors.NewLeakCheck(secrets...)
	b.Run("full/1MiB", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if lc.Leaks(body) {
				b.Fatal("a clean body leaks")
			}
		}
	})
	b.Run("contains/1MiB", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			for _, s := range secrets {
				if strings.Contains(body, s) {
					b.Fatal("a clean body holds a secret")
				}
			}
		}
	})
	small := `{"error":"invalid_grant","error_description":"authentication failure"}`
	b.Run("full/error-body", func(b *testing.B) {
		b.SetBytes(int64(len(small)))
		b.ReportAllocs()
		for b.Loop() {
			if lc.Leaks(small) {
				b.Fatal("a clean body leaks")
			}
		}
	})
}

// BenchmarkNewLeakCheck builds the check for a Salesforce credential, as
// every live test does once (and once more with the access token).
func BenchmarkNewLeakCheck(b *testing.B) {
	secrets := benchSecrets()
	b.ReportAllocs()
	for b.Loop() {
		connectors.NewLeakCheck(secrets...)
	}
}

// BenchmarkCheckURL applies the base-URL policy to a vendor URL, a
// loopback URL and a remote one that gets a warning.
func BenchmarkCheckURL(b *testing.B) {
	urls := []string{"https://uapi.demandbase.com", "http://127.0.0.1:8080/base", "https://eu.example.com/api"}
	b.ReportAllocs()
	for b.Loop() {
		for _, u := range urls {
			if _, err := connectors.CheckURL(u, "demandbase.com"); err != nil {
				b.Fatal(err)
			}
		}
	}
}
