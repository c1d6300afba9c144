package ui

import (
	"encoding/base64"
	"encoding/hex"
	"html"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
)

// TestVendorEchoNeverShownOrStored reproduces a vendor whose error page
// quotes the secret (as an HTML page with entities, with JSON escapes,
// lower-case percent-escapes, upper-cased, base64, hex): add --force saves
// the credential after the failed test, then test --json runs it again.
// Neither stdout, stderr nor any file of the config dir may hold the
// secret in any of those forms, and credwiz's own hint is kept whole.
func TestVendorEchoNeverShownOrStored(t *testing.T) {
	const secret = "Wr0ng&<\"Pass/é-2026" // a Drift key with characters every encoding changes
	forms := map[string]func(string) string{
		"HTML": func(s string) string { return "<p>token " + html.EscapeString(s) + " revoked</p>" },
		"JSON \\/ \\u": func(s string) string {
			return strings.NewReplacer("/", `\/`, "é", `\u00e9`, "&", `\u0026`, "<", `\u003c`, `"`, `\"`).Replace(s)
		},
		"lower-case percent": func(s string) string {
			return strings.NewReplacer("&", "%26", "<", "%3c", `"`, "%22", "/", "%2f", "é", "%c3%a9").Replace(s)
		},
		"upper case": strings.ToUpper,
		"base64":     func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) },
		"hex":        func(s string) string { return hex.EncodeToString([]byte(s)) },
	}
	for name, enc := range forms {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			em := connectortest.NewDrift()
			defer em.Close()
			em.SetToken(secret)
			em.Rewrite(func(_ *http.Request, a *connectortest.Answer) {
				a.Status = http.StatusForbidden
				a.Header.Set("Content-Type", "text/html")
				a.Body = []byte("<html><body><h1>Forbidden</h1>" + enc(secret) + "</body></html>")
			})
			c, _ := connectors.Lookup("drift")
			args, stdin := addArgs(c, "echo", em.Values())
			add := e.run(stdin, append(args, "--force")...)
			if add.code != 0 {
				t.Fatalf("add --force: exit %d: %s", add.code, add.err)
			}
			test := e.run("", "test", "echo", "--json")
			show := e.run("", "show", "echo")
			texts := []string{add.out, add.err, test.out, test.err, show.out, show.err}
			files, _ := filepath.Glob(filepath.Join(e.dir, "*"))
			for _, f := range files {
				b, _ := os.ReadFile(f)
				texts = append(texts, string(b))
			}
			all := strings.Join(texts, "\n")
			for fname, f := range forms {
				if q := f(secret); strings.Contains(all, q) {
					t.Errorf("the secret, quoted as %s (%q), shows:\n%s", fname, q, all)
				}
			}
			if !strings.Contains(test.out, connectors.WithheldNotice) || !strings.Contains(add.err, connectors.WithheldNotice) {
				t.Errorf("the vendor's text was not withheld:\n%s\n%s", add.err, test.out)
			}
			if !strings.Contains(add.err, "copy the Access Token again") {
				t.Errorf("credwiz's own hint was changed:\n%s", add.err)
			}
		})
	}
}
