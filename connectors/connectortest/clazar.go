package connectortest

import (
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/credwiz/credwiz/connectors"
)

// Clazar emulates the Clazar API as its public documentation describes it: client
// credentials exchanged at POST /authenticate/ (trailing slash; JSON as
// documented, or the form that Airbyte sends) for a JWT-shaped bearer token
// whose lifetime expires_in states (21600 s by default), and the listings
// read. Error bodies are UNCONFIRMED; the emulator uses Django REST
// Framework's {"detail": "..."} and, for bad credentials, the OAuth
// {"error","error_description"} of the Auth0 tokens Clazar issues.
// Start one with NewClazar.
type Clazar struct {
	Base
	book tokenBook

	mu            sync.Mutex
	clientID      string
	clientSecret  string
	expiresIn     int // seconds; the token's real lifetime
	omitExpiresIn bool
	rejectStatus  int
	listings      int
	canList       bool
}

func init() { Register("clazar", func() Emulator { return NewClazar() }) }

// NewClazar starts a Clazar emulator with three listings.
func NewClazar() *Clazar {
	e := &Clazar{
		clientID:     randomToken("clz-"),
		clientSecret: randomToken("clzsecret-"),
		expiresIn:    21600,
		rejectStatus: http.StatusUnauthorized,
		listings:     3,
		canList:      true,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/authenticate/", e.token)
	mux.HandleFunc("/authenticate", e.token) // 404, not ServeMux's redirect
	mux.HandleFunc("/listings", e.list)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { clazarDetail(w, http.StatusNotFound, "Not found.") })
	e.shapes = []answerShape{
		{path: "/authenticate/", fields: map[string]fieldKind{"token_type": shown, "expires_in": shown}},
		{path: "/listings", others: shown},
	}
	e.Start(mux, func(w http.ResponseWriter, status int) {
		clazarDetail(w, status, vendorText(status, map[int]string{429: "Request was throttled. Expected available in 1 second.", 500: "A server error occurred."}))
	})
	return e
}

// SetSecret makes secret the only Client Secret accepted from now on.
func (e *Clazar) SetSecret(secret string) { e.mu.Lock(); e.clientSecret = secret; e.mu.Unlock() }

// Values returns values the emulator accepts.
func (e *Clazar) Values() connectors.Values {
	e.mu.Lock()
	defer e.mu.Unlock()
	return connectors.Values{"client_id": e.clientID, "client_secret": e.clientSecret, "base_url": e.URL()}
}

// RevokeTokens invalidates every access token issued so far.
func (e *Clazar) RevokeTokens() { e.book.revokeAll() }

// SetExpiresIn sets the lifetime, in seconds, of tokens issued from now on;
// omit drops expires_in from the answer (the token's JWT exp still says it),
// as some Clazar answers do.
func (e *Clazar) SetExpiresIn(seconds int, omit bool) {
	e.mu.Lock()
	e.expiresIn, e.omitExpiresIn = seconds, omit
	e.mu.Unlock()
}

// RejectWith sets the status for wrong client credentials (401 by default;
// 400 and 403 are the UNCONFIRMED alternatives).
func (e *Clazar) RejectWith(status int) { e.mu.Lock(); e.rejectStatus = status; e.mu.Unlock() }

// SetListings sets how many listings the account has and whether the API
// key may read them (403 otherwise).
func (e *Clazar) SetListings(n int, permitted bool) {
	e.mu.Lock()
	e.listings, e.canList = n, permitted
	e.mu.Unlock()
}

func (e *Clazar) token(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/authenticate/" {
		clazarDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	if r.Method != http.MethodPost {
		clazarDetail(w, http.StatusMethodNotAllowed, fmt.Sprintf("Method %q not allowed.", r.Method))
		return
	}
	var id, secret string
	switch {
	case isJSON(r):
		var req struct {
			ClientID     string `json:"client_id"`
			ClientSecret string `json:"client_secret"`
			GrantType    string `json:"grant_type"`
		}
		if err := decodeBody(r, &req); err != nil {
			clazarDetail(w, http.StatusBadRequest, "JSON parse error - the body is not a valid JSON object with client_id and client_secret.")
			return
		}
		id, secret = req.ClientID, req.ClientSecret
	case mediaType(r) == "application/x-www-form-urlencoded" && r.PostFormValue("grant_type") == "client_credentials":
		id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
	default:
		clazarDetail(w, http.StatusBadRequest, "Unsupported request: send a JSON body with client_id and client_secret.")
		return
	}
	if id == "" || secret == "" {
		clazarDetail(w, http.StatusBadRequest, "client_id and client_secret are required.")
		return
	}
	e.mu.Lock()
	good := id == e.clientID && secret == e.clientSecret
	status, life, omit := e.rejectStatus, e.expiresIn, e.omitExpiresIn
	e.mu.Unlock()
	if !good {
		writeJSON(w, status, `{"error":"access_denied","error_description":"Unauthorized"}`)
		return
	}
	tok := e.book.issue(id, e.Now(), time.Duration(life)*time.Second)
	e.CountToken()
	if omit {
		writeJSON(w, http.StatusOK, fmt.Sprintf(`{"access_token":%s,"token_type":"bearer"}`, jsonString(tok)))
		return
	}
	writeJSON(w, http.StatusOK, fmt.Sprintf(`{"access_token":%s,"token_type":"bearer","expires_in":%d}`, jsonString(tok), life))
}

func (e *Clazar) list(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		clazarDetail(w, http.StatusMethodNotAllowed, fmt.Sprintf("Method %q not allowed.", r.Method))
		return
	}
	tok, ok := bearerToken(r)
	if !ok {
		clazarDetail(w, http.StatusUnauthorized, "Authentication credentials were not provided.")
		return
	}
	if !e.book.valid(tok, e.Now()) {
		clazarDetail(w, http.StatusUnauthorized, "Given token not valid for any token type")
		return
	}
	e.mu.Lock()
	n, can := e.listings, e.canList
	e.mu.Unlock()
	if !can {
		clazarDetail(w, http.StatusForbidden, "You do not have permission to perform this action.")
		return
	}
	q := r.URL.Query()
	if f := q.Get("response_format"); f != "" && f != "common" && f != "raw" {
		clazarDetail(w, http.StatusBadRequest, "response_format must be common or raw.")
		return
	}
	page, okPage := intParam(q, "page", 1, 1, 10000)
	size, okSize := intParam(q, "page_size", 100, 1, 1000)
	if !okPage || !okSize {
		clazarDetail(w, http.StatusNotFound, "Invalid page.")
		return
	}
	var results, sep string
	for i := (page - 1) * size; i < n && i < page*size; i++ {
		results += sep + fmt.Sprintf(`{"id":"lst-%d","title":"Listing %d","cloud":"aws","status":"live"}`, i+1, i+1)
		sep = ","
	}
	next := "null"
	if page*size < n {
		next = jsonString(fmt.Sprintf("%s/listings?page=%d&page_size=%d", e.URL(), page+1, size))
	}
	writeJSON(w, http.StatusOK, fmt.Sprintf(`{"count":%d,"next":%s,"previous":null,"results":[%s]}`, n, next, results))
}

// clazarDetail writes a Django REST Framework error body.
func clazarDetail(w http.ResponseWriter, status int, detail string) {
	writeJSON(w, status, `{"detail":`+jsonString(detail)+`}`)
}

// SetSecrets implements Emulator.
func (e *Clazar) SetSecrets(s map[string]string) { e.SetSecret(s["client_secret"]) }
