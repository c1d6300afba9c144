// Package conformance is the contract test every connector passes: tests
// of a connector's package run it over their connector with Run.
package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
)

var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// Run runs c through the contract every connector keeps, against the
// emulator connectortest.New(c.ID) starts (rclone's fstests.Run, in
// spirit): a sound declaration, success (also with every variant of the
// vendor's answers), wrong secrets rejected, a hang unreachable within the
// timeout, 429 retried then rate limited, 500 a vendor error, a refused
// connection unreachable, missing fields reported before any request, and a
// cancelled context returned unclassified; no secret in any error or
// report.
func Run(t *testing.T, c *connectors.Connector) {
	t.Run("declaration", func(t *testing.T) {
		t.Parallel()
		if c.Name == "" || c.Summary == "" || c.Auth == "" || !strings.HasPrefix(c.DocsURL, "https://") {
			t.Errorf("Name, Summary, Auth and an https DocsURL are required: %q %q %q %q", c.Name, c.Summary, c.Auth, c.DocsURL)
		}
		if c.Probe == nil || c.Mint == nil {
			t.Fatal("Probe and Mint must be set")
		}
		seen := map[string]bool{}
		for _, f := range c.Fields {
			if !snakeCase.MatchString(f.Key) {
				t.Errorf("field key %q is not snake_case", f.Key)
			}
			if seen[f.Key] {
				t.Errorf("field key %q is declared twice", f.Key)
			}
			seen[f.Key] = true
			if f.Title == "" || f.Help == "" {
				t.Errorf("field %s needs a Title and a Help text", f.Key)
			}
			if f.Secret && f.Default != "" {
				t.Errorf("secret field %s has a default", f.Key)
			}
			if len(f.Options) > 0 && f.Default != "" && !slices.Contains(f.Options, f.Default) {
				t.Errorf("field %s: default %q is not one of its options %v", f.Key, f.Default, f.Options)
			}
			if f.Mask != connectors.MaskAll && !f.Secret {
				t.Errorf("field %s: Mask is for secret fields", f.Key)
			}
			if len(f.Options) > 0 && f.Secret {
				t.Errorf("field %s: a secret cannot be a select", f.Key)
			}
			if f.Domain != "" && f.Validate == nil {
				t.Errorf("URL field %s has a Domain but no Validate", f.Key)
			}
			if f.Default != "" {
				if err := connectors.CheckValue(f.Default); err != nil {
					t.Errorf("field %s: default: %v", f.Key, err)
				}
				if f.Validate != nil {
					if err := f.Validate(f.Default); err != nil {
						t.Errorf("field %s: default %q fails its own Validate: %v", f.Key, f.Default, err)
					}
				}
			}
		}
		for _, k := range c.Reauth {
			if !seen[k] {
				t.Errorf("Reauth names %q, which is not a field", k)
			}
		}
		if len(c.SecretKeys()) == 0 {
			t.Error("a connector without a secret field holds no credential")
		}
	})

	// Each case gets a fresh emulator, so faults never leak between cases.
	run := func(name string, fn func(t *testing.T, e connectortest.Emulator, v connectors.Values)) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := connectortest.New(c.ID)
			if e == nil {
				t.Fatalf("connectortest.New(%q) = nil: every connector needs an emulator", c.ID)
			}
			t.Cleanup(e.Close)
			fn(t, e, e.Values())
		})
	}
	client := &http.Client{Timeout: 5 * time.Second}

	run("success", func(t *testing.T, e connectortest.Emulator, v connectors.Values) {
		if err := c.Validate(c.Normalize(v)); err != nil {
			t.Fatalf("the emulator's values do not validate: %v", err)
		}
		rep, err := c.RunTest(context.Background(), client, v)
		if err != nil {
			t.Fatalf("Test: %v (requests %v)", err, e.Requests())
		}
		if rep.Connector != c.ID || rep.Account == "" {
			t.Errorf("Report must name the connector and the account: %+v", rep)
		}
		if rep.TokenExpires.IsZero() == !rep.TokenNeverExpires {
			t.Errorf("Report must give a token expiry or say it never expires, not both/neither: %v %v", rep.TokenExpires, rep.TokenNeverExpires)
		}
		b, _ := json.Marshal(rep)
		assertClean(t, "report JSON", string(b), c.Secrets(c.Normalize(v)))
		tok, err := c.MintToken(context.Background(), client, v)
		if err != nil || tok.AccessToken == "" {
			t.Fatalf("Token: %v %+v", err, tok)
		}
	})

	for _, variant := range connectortest.Variants() {
		run("success with variant answers: "+variant.String(), func(t *testing.T, e connectortest.Emulator, v connectors.Values) {
			e.SetVariant(variant)
			rep, err := c.RunTest(context.Background(), client, v)
			if err != nil {
				t.Fatalf("Test: %v", err)
			}
			if rep.Account == "" {
				t.Errorf("Report must name the account: %+v", rep)
			}
			if !rep.TokenExpires.IsZero() && rep.TokenNeverExpires {
				t.Errorf("Report gives an expiry and says the token never expires: %v", rep.TokenExpires)
			}
			// What a passing test reports must be savable: every time
			// within the years RFC 3339 can write.
			if _, err := json.Marshal(rep); err != nil {
				t.Errorf("the Report cannot be written as JSON: %v", err)
			}
			tok, err := c.MintToken(context.Background(), client, v)
			if err != nil {
				t.Fatalf("Token: %v", err)
			}
			for _, tk := range []*oauth2.Token{tok, rep.Token} {
				if tk == nil {
					continue
				}
				if _, err := json.Marshal(tk); err != nil || tk.Expiry.Year() > 9999 {
					t.Errorf("the token cannot be cached: expiry %v: %v", tk.Expiry, err)
				}
			}
		})
	}

	run("wrong secrets are rejected", func(t *testing.T, e connectortest.Emulator, v connectors.Values) {
		good := c.Secrets(c.Normalize(v))
		for _, k := range c.SecretKeys() {
			if v[k] != "" {
				v[k] = "wrong" + v[k][len(v[k])/2:] + "X9"
			}
		}
		_, err := c.RunTest(context.Background(), client, v)
		if !errors.Is(err, connectors.ErrRejected) {
			t.Fatalf("err = %v; want ErrRejected", err)
		}
		AssertNoSecret(t, err, append(good, c.Secrets(c.Normalize(v))...))
	})

	run("hang is unreachable within the timeout", func(t *testing.T, e connectortest.Emulator, v connectors.Values) {
		e.Faults().Hang(true)
		const timeout = 300 * time.Millisecond
		start := time.Now()
		_, err := c.RunTest(context.Background(), &http.Client{Timeout: timeout}, v)
		elapsed := time.Since(start)
		if !errors.Is(err, connectors.ErrUnreachable) {
			t.Fatalf("err = %v; want ErrUnreachable", err)
		}
		// Bounded, with room for a loaded machine: a hang would never return.
		if elapsed > timeout+2*time.Second {
			t.Errorf("returned after %v; want within about %v", elapsed, timeout)
		}
		AssertNoSecret(t, err, c.Secrets(c.Normalize(v)))
	})

	run("429 once then success", func(t *testing.T, e connectortest.Emulator, v connectors.Values) {
		e.Faults().RateLimit(1, "1")
		if _, err := c.RunTest(context.Background(), client, v); err != nil {
			t.Fatalf("Test after one 429: %v", err)
		}
		if r := e.Requests(); len(r) < 2 || r[0] != r[1] {
			t.Errorf("the rate-limited request was not retried: %v", r)
		}
	})

	run("429 past the retries is rate limited", func(t *testing.T, e connectortest.Emulator, v connectors.Values) {
		e.Faults().RateLimit(connectors.MaxRetries+1, "0")
		_, err := c.RunTest(context.Background(), client, v)
		if !errors.Is(err, connectors.ErrRateLimited) {
			t.Fatalf("err = %v; want ErrRateLimited", err)
		}
		AssertNoSecret(t, err, c.Secrets(c.Normalize(v)))
	})

	run("500 is a vendor error", func(t *testing.T, e connectortest.Emulator, v connectors.Values) {
		e.Faults().ServerError(1)
		_, err := c.RunTest(context.Background(), client, v)
		if !errors.Is(err, connectors.ErrVendor) {
			t.Fatalf("err = %v; want ErrVendor", err)
		}
		AssertNoSecret(t, err, c.Secrets(c.Normalize(v)))
	})

	run("refused connection is unreachable", func(t *testing.T, e connectortest.Emulator, v connectors.Values) {
		v[urlField(t, c)] = closedURL(t)
		_, err := c.RunTest(context.Background(), client, v)
		if !errors.Is(err, connectors.ErrUnreachable) {
			t.Fatalf("err = %v; want ErrUnreachable", err)
		}
		AssertNoSecret(t, err, c.Secrets(c.Normalize(v)))
	})

	run("missing required fields are reported before any request", func(t *testing.T, e connectortest.Emulator, v connectors.Values) {
		for _, k := range c.SecretKeys() {
			delete(v, k)
		}
		_, err := c.RunTest(context.Background(), client, v)
		var me *connectors.MissingError
		if !errors.As(err, &me) {
			t.Fatalf("err = %v; want *MissingError", err)
		}
		if r := e.Requests(); len(r) > 0 {
			t.Errorf("requests were sent without the secrets: %v", r)
		}
	})

	run("a cancelled context is returned unclassified", func(t *testing.T, e connectortest.Emulator, v connectors.Values) {
		e.Faults().Hang(true)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		_, err := c.RunTest(ctx, client, v)
		if !errors.Is(err, context.Canceled) || connectors.Class(err) != nil {
			t.Fatalf("err = %v; want context.Canceled, unclassified", err)
		}
	})
}

// urlField returns the key of c's URL field (the one with a Domain).
func urlField(t *testing.T, c *connectors.Connector) string {
	t.Helper()
	for _, f := range c.Fields {
		if f.Domain != "" {
			return f.Key
		}
	}
	t.Fatalf("%s has no URL field", c.ID)
	return ""
}

// closedURL returns a loopback URL on which nothing listens.
func closedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

// AssertNoSecret fails the test when err's text or hint holds any of
// secrets.
func AssertNoSecret(t *testing.T, err error, secrets []string) {
	t.Helper()
	if err == nil {
		return
	}
	assertClean(t, "error", err.Error(), secrets)
	assertClean(t, "hint", connectors.HintOf(err), secrets)
}

func assertClean(t *testing.T, what, text string, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("%s holds a secret value: %q", what, text)
		}
	}
}
