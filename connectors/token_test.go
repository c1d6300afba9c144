package connectors_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
)

// oauthConnectors are the connectors whose Token performs an exchange.
var oauthConnectors = []string{"demandbase", "clazar"}

func TestTokenSourceMintsOnce(t *testing.T) {
	t.Parallel()
	for _, id := range oauthConnectors {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			c, _ := connectors.Lookup(id)
			e := connectortest.New(id)
			t.Cleanup(e.Close)
			ts := c.TokenSource(context.Background(), &http.Client{Timeout: 5 * time.Second}, e.Values(), nil)
			var wg sync.WaitGroup
			toks := make([]string, 100)
			for i := range toks {
				wg.Go(func() {
					tok, err := ts.Token()
					if err != nil {
						t.Error(err)
						return
					}
					toks[i] = tok.AccessToken
				})
			}
			wg.Wait()
			if n := e.TokensIssued(); n != 1 {
				t.Errorf("100 calls minted %d tokens; want 1", n)
			}
			for _, tok := range toks {
				if tok != toks[0] {
					t.Fatal("the calls did not all get the same token")
				}
			}
		})
	}
}

func TestTokenSourceRenewsNearExpiry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		id        string
		expiresIn time.Duration // of the cached token, from now
		renew     bool
	}{
		{name: "demandbase within 15 min is renewed", id: "demandbase", expiresIn: 14 * time.Minute, renew: true},
		{name: "demandbase 20 min before expiry is reused", id: "demandbase", expiresIn: 20 * time.Minute},
		{name: "demandbase expired is renewed", id: "demandbase", expiresIn: -time.Hour, renew: true},
		{name: "clazar within 5 min is renewed", id: "clazar", expiresIn: 4 * time.Minute, renew: true},
		{name: "clazar 10 min before expiry is reused", id: "clazar", expiresIn: 10 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _ := connectors.Lookup(tt.id)
			e := connectortest.New(tt.id)
			t.Cleanup(e.Close)
			cached := &oauth2.Token{AccessToken: "cached", TokenType: "bearer", Expiry: time.Now().Add(tt.expiresIn)}
			ts := c.TokenSource(context.Background(), &http.Client{Timeout: 5 * time.Second}, e.Values(), cached)
			for range 3 {
				tok, err := ts.Token()
				if err != nil {
					t.Fatal(err)
				}
				if renewed := tok.AccessToken != "cached"; renewed != tt.renew {
					t.Fatalf("renewed = %v; want %v", renewed, tt.renew)
				}
			}
			want := 0
			if tt.renew {
				want = 1
			}
			if n := e.TokensIssued(); n != want {
				t.Errorf("minted %d tokens; want %d", n, want)
			}
		})
	}
}

func TestDemandbaseTokenLifetime(t *testing.T) {
	t.Parallel()
	e := connectortest.NewDemandbase()
	t.Cleanup(e.Close)
	c := mustConnector("demandbase")
	hc := &http.Client{Timeout: 5 * time.Second}
	tok, err := c.MintToken(context.Background(), hc, e.Values())
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(tok.Expiry); d < 8*time.Hour-time.Minute || d > 8*time.Hour {
		t.Errorf("token expires in %v; want 8 h", d)
	}
	// The emulator refuses the token once its clock passes the expiry.
	read := func() int {
		req, _ := http.NewRequest("GET", e.URL()+"/data/b2b/v1/reference/JobLevel", nil)
		tok.SetAuthHeader(req)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := read(); s != http.StatusOK {
		t.Fatalf("fresh token: HTTP %d", s)
	}
	e.SetClock(func() time.Time { return time.Now().Add(8*time.Hour + time.Second) })
	if s := read(); s != http.StatusUnauthorized {
		t.Fatalf("expired token: HTTP %d; want 401", s)
	}
}

func TestOAuthTokenRefusedRightAfterIssueIsRejected(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		id    string
		setup func(connectortest.Emulator)
	}{
		{name: "demandbase token expiring at once", id: "demandbase", setup: func(e connectortest.Emulator) {
			e.(*connectortest.Demandbase).SetTokenLifetime(0)
		}},
		{name: "clazar token expiring at once", id: "clazar", setup: func(e connectortest.Emulator) {
			e.(*connectortest.Clazar).SetExpiresIn(0, false)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _ := connectors.Lookup(tt.id)
			e := connectortest.New(tt.id)
			t.Cleanup(e.Close)
			tt.setup(e)
			rep, err := c.RunTest(context.Background(), &http.Client{Timeout: 5 * time.Second}, e.Values())
			if !errors.Is(err, connectors.ErrRejected) || connectors.HintOf(err) == "" {
				t.Fatalf("err = %v (hint %q); want ErrRejected with a hint", err, connectors.HintOf(err))
			}
			if rep.Token == nil {
				t.Error("the Report should still carry what the test got (the token)")
			}
		})
	}
}
