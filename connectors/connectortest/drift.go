package connectortest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/credwiz/credwiz/connectors"
)

// Drift emulates the Drift API as its public documentation describes it: one app install
// token (non-expiring unless SetExpiresIn says otherwise), checked as a
// Bearer header on every request; POST /app/token_info with a JSON
// {"access_token"} body answering the token's org, app and scopes; errors
// as {"error":{"type","message"}} (authentication_error with 403, as
// documented); and 600 requests a minute in fixed windows, reported in
// X-RateLimit-Limit/-Remaining/-Reset headers (names UNCONFIRMED).
// Start one with NewDrift.
type Drift struct {
	Base
	limit rateWindow

	mu           sync.Mutex
	token        string
	orgID        string
	credentialID string
	scopes       []string
	createdAt    time.Time
	expiresIn    time.Duration // 0: until revoked
	rejectStatus int
}

func init() { Register("drift", func() Emulator { return NewDrift() }) }

// NewDrift starts a Drift emulator for org 123456 with a token holding the
// conversation_read, contact_read and user_read scopes.
func NewDrift() *Drift {
	e := &Drift{
		token:        randomToken("drift-"),
		orgID:        "123456",
		credentialID: randomToken("app-"),
		scopes:       []string{"conversation_read", "contact_read", "user_read"},
		limit:        rateWindow{limit: 600, per: time.Minute},
		rejectStatus: http.StatusForbidden,
	}
	e.createdAt = time.Now()
	mux := http.NewServeMux()
	mux.HandleFunc("/app/token_info", e.tokenInfo)
	mux.HandleFunc("/users/list", e.usersList)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		driftError(w, http.StatusNotFound, "not_found", "No route for "+r.Method+" "+r.URL.Path)
	})
	e.shapes = []answerShape{{path: "/app/token_info", fields: map[string]fieldKind{"authenticated_userid": shownNeeded}, others: shown}}
	e.Start(mux, func(w http.ResponseWriter, status int) {
		typ := map[int]string{400: "validation_error", 403: "authentication_error", 404: "not_found", 429: "rate_limit"}[status]
		if typ == "" {
			typ = "internal_error"
		}
		driftError(w, status, typ, http.StatusText(status))
	})
	return e
}

// Values returns values the emulator accepts.
func (e *Drift) Values() connectors.Values {
	e.mu.Lock()
	defer e.mu.Unlock()
	return connectors.Values{"api_key": e.token, "base_url": e.URL()}
}

// SetToken makes tok the only valid token from now on, as reinstalling the
// app would; "" revokes every token, as uninstalling it would.
func (e *Drift) SetToken(tok string) {
	e.mu.Lock()
	e.token, e.createdAt = tok, e.Now()
	e.mu.Unlock()
}

// SetOrg sets the org the token belongs to.
func (e *Drift) SetOrg(id string) { e.mu.Lock(); e.orgID = id; e.mu.Unlock() }

// SetScopes sets the token's scopes.
func (e *Drift) SetScopes(scopes ...string) { e.mu.Lock(); e.scopes = scopes; e.mu.Unlock() }

// SetExpiresIn makes the token expire d after its creation, as an OAuth
// access token (not an app install token) does; 0 restores "never".
func (e *Drift) SetExpiresIn(d time.Duration) { e.mu.Lock(); e.expiresIn = d; e.mu.Unlock() }

// RejectWith sets the status of authentication_error: 403 (documented, the
// default) or 401.
func (e *Drift) RejectWith(status int) { e.mu.Lock(); e.rejectStatus = status; e.mu.Unlock() }

// UseRate consumes n requests of the current rate-limit window, as other
// integrations of the org would.
func (e *Drift) UseRate(n int) { e.limit.use(e.Now(), n) }

// withinRate takes one request of the rate-limit window at now and sends
// Drift's rate-limit headers; when the window is spent it answers 429 with
// Retry-After and returns false.
func (e *Drift) withinRate(w http.ResponseWriter, now time.Time) bool {
	ok, remaining, reset := e.limit.take(now)
	w.Header().Set("X-RateLimit-Limit", strconv.Itoa(e.limit.limit))
	w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	w.Header().Set("X-RateLimit-Reset", retryAfterSeconds(reset))
	if !ok {
		w.Header().Set("Retry-After", retryAfterSeconds(reset))
		driftError(w, http.StatusTooManyRequests, "rate_limit", "API rate limit exceeded")
	}
	return ok
}

// driftAuth is what a handler knows of the org once a request passed
// admit: the token it presented, and what Drift says of it.
type driftAuth struct {
	token, org, app string
	scopes          []string
	created         time.Time
	life            time.Duration
}

// admit takes a request through Drift's rate limit, its method check
// (method) and its bearer-token check, answering as Drift does when one
// fails.
func (e *Drift) admit(w http.ResponseWriter, r *http.Request, method string) (driftAuth, bool) {
	now := e.Now()
	if !e.withinRate(w, now) {
		return driftAuth{}, false
	}
	if r.Method != method {
		driftError(w, http.StatusMethodNotAllowed, "validation_error", "Method "+r.Method+" not allowed; use "+method)
		return driftAuth{}, false
	}
	e.mu.Lock()
	a := driftAuth{token: e.token, org: e.orgID, app: e.credentialID, scopes: slices.Clone(e.scopes), created: e.createdAt, life: e.expiresIn}
	status := e.rejectStatus
	e.mu.Unlock()
	if tok, ok := bearerToken(r); !ok || a.token == "" || tok != a.token || (a.life > 0 && !now.Before(a.created.Add(a.life))) {
		driftError(w, status, "authentication_error", "Invalid or missing access token")
		return driftAuth{}, false
	}
	return a, true
}

// driftInfoRequest is the body of POST /app/token_info.
type driftInfoRequest struct {
	AccessToken string `json:"access_token"`
}

func (e *Drift) tokenInfo(w http.ResponseWriter, r *http.Request) {
	a, ok := e.admit(w, r, http.MethodPost)
	if !ok {
		return
	}
	if !isJSON(r) {
		driftError(w, http.StatusBadRequest, "validation_error", "Content-Type must be application/json")
		return
	}
	var req driftInfoRequest
	if err := decodeBody(r, &req); err != nil {
		driftError(w, http.StatusBadRequest, "validation_error", "Body must be a JSON object with access_token")
		return
	}
	if req.AccessToken == "" {
		driftError(w, http.StatusBadRequest, "validation_error", "access_token is required")
		return
	}
	if req.AccessToken != a.token {
		driftError(w, http.StatusNotFound, "not_found", "No such token")
		return
	}
	writeJSON(w, http.StatusOK, fmt.Sprintf(`{"access_token":%s,"authenticated_userid":%s,"credential_id":%s,"token_type":"bearer","expires_in":%d,"created_at":%d,"scope":%s,"id":%s}`,
		jsonString(a.token), jsonString("orgId:"+a.org), jsonString(a.app), a.life.Milliseconds(), a.created.UnixMilli(), jsonString(strings.Join(a.scopes, " ")), jsonString(randomToken(""))))
}

// usersList answers GET /users/list: the org's users under "data", for a
// valid token holding the user_read scope (what a script run by credwiz
// exec calls).
func (e *Drift) usersList(w http.ResponseWriter, r *http.Request) {
	a, ok := e.admit(w, r, http.MethodGet)
	if !ok {
		return
	}
	if !slices.Contains(a.scopes, "user_read") {
		driftError(w, http.StatusForbidden, "authentication_error", "The token lacks the user_read scope")
		return
	}
	writeJSON(w, http.StatusOK, fmt.Sprintf(`{"data":[{"id":2001,"orgId":%s,"name":"Ada Operator","email":"ada@example.com","availability":"AVAILABLE"}]}`, jsonString(a.org)))
}

// driftError writes Drift's {"error":{"type","message"}} body.
func driftError(w http.ResponseWriter, status int, typ, msg string) {
	writeJSON(w, status, fmt.Sprintf(`{"error":{"type":%s,"message":%s}}`, jsonString(typ), jsonString(msg)))
}

// SetSecrets implements Emulator.
func (e *Drift) SetSecrets(s map[string]string) { e.SetToken(s["api_key"]) }
