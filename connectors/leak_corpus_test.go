package connectors_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
)

// TestLeakCorpusThroughEveryConnector gives every connector each secret of
// connectors.LeakCorpus, in front of its emulator turned hostile: every
// answer quotes the secret, and the access token the request carried, in
// one of connectors.LeakEncodings. Successful answers quote them in every
// text field the connector does not need and in an X-RateLimit-* header;
// one request of each test (a different one each time) is answered with an
// error status whose body quotes them in every field the connectors read.
// Neither the secret nor any token may then appear, in any encoding, in
// the error, its hint or the Report (its fields and their JSON).
func TestLeakCorpusThroughEveryConnector(t *testing.T) {
	t.Parallel()
	errStatuses := []int{400, 401, 403, 404, 500}
	for _, c := range connectors.All() {
		t.Run(c.ID, func(t *testing.T) {
			t.Parallel()
			em := connectortest.New(c.ID)
			t.Cleanup(em.Close)
			benchClock(em) // thousands of requests: keep within the rate limits
			withheld := 0
			for i, secret := range connectors.LeakCorpus {
				v := useSecret(t, em, secret)
				forbidden := quotesOf(secret)
				for j, enc := range connectors.LeakEncodings {
					if enc.Only != nil && !enc.Only(secret) {
						continue
					}
					h := &hostile{encode: enc.Encode, secret: secret,
						failAt: (i + j) % 5, status: errStatuses[(i+j)%len(errStatuses)], shape: (i + j) % 4}
					em.Rewrite(h.rewrite)
					rep, err := c.RunTest(context.Background(), testClient, v)
					out := outputs(rep, err)
					runs := runsOf(strings.ToLower(out))
					for _, q := range append([]quotes{forbidden}, tokenQuotes(h.tokens())...) {
						if where := q.in(out, runs); where != "" {
							t.Fatalf("secret %.24q (quoted as %s, request %d failing with %d) shows as %s in:\n%s",
								q.secret, enc.Name, h.failAt, h.status, where, out)
						}
					}
					if strings.Contains(out, connectors.WithheldNotice) {
						withheld++
					}
				}
			}
			em.Rewrite(nil)
			// Proof that the quotes reached what is shown: every connector
			// shows some vendor text (UpPromote only in its errors).
			if withheld == 0 {
				t.Errorf("no text was ever withheld: the hostile answers did not reach the output")
			}
		})
	}
}

// useSecret makes secret the credential's main secret in em, and returns
// the values em then accepts.
func useSecret(t *testing.T, em connectortest.Emulator, secret string) connectors.Values {
	t.Helper()
	switch e := em.(type) {
	case *connectortest.Demandbase:
		e.SetSecret(secret)
	case *connectortest.Clazar:
		e.SetSecret(secret)
	case *connectortest.UpPromote:
		e.SetKey(secret)
	case *connectortest.Drift:
		e.SetToken(secret)
	case *connectortest.Salesforce:
		e.SetPassword(e.Username(), secret, e.Values()["security_token"])
	default:
		t.Fatalf("no way to set the secret of %T", em)
	}
	return em.Values()
}

// hostile rewrites an emulator's answers to quote the secret and tokens.
type hostile struct {
	encode func(string) string
	secret string
	failAt int // the request (counted from 0) answered with status
	status int
	shape  int // which error body

	mu   sync.Mutex
	n    int
	seen []string // bearer tokens of the requests
}

// neededKeys are the fields the connectors read to carry on; quoting the
// secret there would only end the test early.
var neededKeys = map[string]bool{"access_token": true, "accessToken": true, "instance_url": true, "id": true,
	"name": true, "version": true}

func (h *hostile) rewrite(r *http.Request, a *connectortest.Answer) {
	h.mu.Lock()
	n := h.n
	h.n++
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && tok != "" {
		h.seen = append(h.seen, tok)
	}
	echo := h.encode(h.secret)
	for _, tok := range h.seen {
		echo += " / " + h.encode(tok)
	}
	h.mu.Unlock()
	a.Header.Set("X-Ratelimit-Echo", strings.NewReplacer("\r", "", "\n", "").Replace(echo))
	if n == h.failAt {
		a.Status = h.status
		a.Header.Set("Content-Type", "application/json")
		a.Body = []byte(errorBody(h.shape, echo))
		return
	}
	if a.Status < 200 || a.Status > 299 {
		return
	}
	var doc any
	if json.Unmarshal(a.Body, &doc) != nil {
		return
	}
	b, err := json.Marshal(quoteIn(doc, echo))
	if err == nil {
		a.Body = b
	}
}

// tokens returns the bearer tokens the requests carried. A Salesforce
// session ID starts with the org's ID, which is shown as data: only the
// part after its "!" is the secret.
func (h *hostile) tokens() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, tok := range h.seen {
		if org, secret, ok := strings.Cut(tok, "!"); ok && strings.HasPrefix(org, "00D") {
			tok = secret
		}
		if tok != "" {
			out = append(out, tok)
		}
	}
	return out
}

// quoteIn appends echo to every string of a JSON document but the needed
// ones, and adds a field holding it to every object.
func quoteIn(x any, echo string) any {
	switch x := x.(type) {
	case map[string]any:
		for k, v := range x {
			if s, ok := v.(string); ok && !neededKeys[k] {
				x[k] = s + " " + echo
			} else {
				x[k] = quoteIn(v, echo)
			}
		}
		x["x_echo"] = echo
	case []any:
		for i := range x {
			x[i] = quoteIn(x[i], echo)
		}
	}
	return x
}

// errorBody returns an error body of one of the vendors' shapes with echo
// in every field.
func errorBody(shape int, echo string) string {
	switch shape {
	case 0:
		return mustJSON(map[string]any{"errorCode": echo, "errorMessage": echo, "message": echo, "detail": echo,
			"status": echo, "error": echo, "error_description": echo, "details": echo})
	case 1:
		return mustJSON(map[string]any{"error": map[string]string{"type": echo, "message": echo}})
	case 2:
		return mustJSON([]map[string]string{{"message": echo, "errorCode": echo}})
	}
	return "<html><body><h1>Error</h1><p>" + echo + "</p></body></html>"
}

// outputs returns everything credwiz could show or store of a test: the
// error and its hint, the Report's fields and its JSON.
func outputs(rep connectors.Report, err error) string {
	var b strings.Builder
	if err != nil {
		fmt.Fprintln(&b, err.Error())
		fmt.Fprintln(&b, connectors.HintOf(err))
		var e *connectors.Error
		if errors.As(err, &e) {
			r := e.Redacted()
			fmt.Fprintln(&b, r.Op, r.Code, r.Message, r.Hint)
		}
	}
	fmt.Fprintln(&b, rep.Account, rep.TokenType)
	for _, d := range rep.Details {
		fmt.Fprintln(&b, d.Label, d.Value)
	}
	for _, c := range rep.Access {
		fmt.Fprintln(&b, c.Name, c.Note)
	}
	for _, w := range rep.Warnings {
		fmt.Fprintln(&b, w)
	}
	j, _ := json.Marshal(rep)
	b.Write(j)
	return b.String()
}

// quotes are the forms of one secret that must not be shown, written
// independently of LeakCheck: every encoding as written, and every run of
// 8 characters (the whole secret when shorter) in any case.
type quotes struct {
	secret  string
	encoded map[string]string // quote → encoding's name
	runs    []string          // lower-cased
}

func quotesOf(secret string) quotes {
	q := quotes{secret: secret, encoded: map[string]string{}}
	for _, enc := range connectors.LeakEncodings {
		if enc.Only == nil || enc.Only(secret) {
			q.encoded[enc.Encode(secret)] = enc.Name
		}
	}
	r := []rune(strings.ToLower(secret))
	n := min(len(r), connectors.RunLen)
	for i := 0; i+n <= len(r); i++ {
		q.runs = append(q.runs, string(r[i:i+n]))
	}
	return q
}

func tokenQuotes(tokens []string) []quotes {
	var out []quotes
	for _, t := range tokens {
		out = append(out, quotesOf(t))
	}
	return out
}

// in returns how out, whose lower-cased runs are given, quotes the
// secret (an encoding's name, or "a run of it"), or "".
func (q quotes) in(out string, runs map[string]bool) string {
	for quote, name := range q.encoded {
		if strings.Contains(out, quote) {
			return name
		}
	}
	for _, run := range q.runs {
		if runs[run] || (len([]rune(run)) < connectors.RunLen && strings.Contains(strings.ToLower(out), run)) {
			return "a run of it"
		}
	}
	return ""
}

// runsOf returns the set of runs of 8 characters of s.
func runsOf(s string) map[string]bool {
	r := []rune(s)
	out := make(map[string]bool, len(r))
	for i := 0; i+connectors.RunLen <= len(r); i++ {
		out[string(r[i:i+connectors.RunLen])] = true
	}
	return out
}

// TestCredwizWordsAreKept: a secret that is a word credwiz uses ("wrong",
// "password") never changes credwiz's own sentences; only vendor text is
// checked. The vendor's words here hold no secret and are kept too.
func TestCredwizWordsAreKept(t *testing.T) {
	t.Parallel()
	em := connectortest.NewSalesforce()
	t.Cleanup(em.Close)
	v := em.Values()
	v["password"], v["security_token"] = "wrong", "password"
	_, err := mustConnector("salesforce").RunTest(context.Background(), testClient, v)
	if !errors.Is(err, connectors.ErrRejected) {
		t.Fatalf("err = %v; want rejected", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "invalid_grant") || !strings.Contains(msg, "authentication failure") {
		t.Errorf("the vendor's code and message should be shown: %s", msg)
	}
	if h := connectors.HintOf(err); !strings.Contains(h, "wrong password or security token") || strings.Contains(h, connectors.WithheldNotice) {
		t.Errorf("credwiz's hint was rewritten: %s", h)
	}
}
