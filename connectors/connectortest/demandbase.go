package connectortest

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/credwiz/credwiz/connectors"
)

// Demandbase emulates Demandbase One as its public documentation describes it: the JSON,
// camelCase token exchange at POST /auth/v1/token issuing 8-hour JWT-shaped
// tokens, and the cheap reads of the B2B, Admin and Usage APIs, each refused
// with 403 unless the key set holds that API. Every read checks its token
// against the emulator's clock. Start one with NewDemandbase.
type Demandbase struct {
	Base
	book       tokenBook
	b2bLimit   rateWindow
	adminLimit rateWindow

	mu           sync.Mutex
	clientID     string
	clientSecret string
	grants       map[string]bool // "b2b", "admin", "usage"
	rejectStatus int
	lifetime     time.Duration
}

func init() { Register("demandbase", func() Emulator { return NewDemandbase() }) }

// NewDemandbase starts a Demandbase emulator with one key set that holds
// all three APIs.
func NewDemandbase() *Demandbase {
	e := &Demandbase{
		b2bLimit:     rateWindow{limit: 1000, per: time.Minute},
		adminLimit:   rateWindow{limit: 90, per: time.Minute},
		clientID:     randomToken("dbks-"),
		clientSecret: randomToken("dbsecret-"),
		grants:       map[string]bool{"b2b": true, "admin": true, "usage": true},
		rejectStatus: http.StatusBadRequest,
		lifetime:     8 * time.Hour,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/auth/v1/token", e.token)
	mux.HandleFunc("/data/b2b/v1/reference/JobLevel", e.jobLevel)
	mux.HandleFunc("/admin/v1/users", e.users)
	mux.HandleFunc("/reporting/v1/usage", e.usage)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		dbError(w, http.StatusNotFound, "001", "No resource matches "+r.URL.Path)
	})
	e.shapes = []answerShape{
		{path: "/auth/v1/token", fields: map[string]fieldKind{"tokenType": shown, "expiresIn": shown}},
		{path: "/data/", others: shown}, {path: "/admin/", others: shown}, {path: "/reporting/", others: shown},
	}
	e.Start(mux, func(w http.ResponseWriter, status int) {
		dbError(w, status, "001", vendorText(status, map[int]string{429: "Too many requests; slow down and retry later", 500: "Internal server error"}))
	})
	return e
}

// Values returns values the emulator accepts.
func (e *Demandbase) Values() connectors.Values {
	e.mu.Lock()
	defer e.mu.Unlock()
	return connectors.Values{"base_url": e.URL(), "client_id": e.clientID, "client_secret": e.clientSecret}
}

// SetSecret makes secret the only Client Secret accepted from now on, as a
// rotated API token would.
func (e *Demandbase) SetSecret(secret string) { e.mu.Lock(); e.clientSecret = secret; e.mu.Unlock() }

// RevokeTokens invalidates every access token issued so far: reads with
// them get 401, as after a token or key set is deactivated.
func (e *Demandbase) RevokeTokens() { e.book.revokeAll() }

// GrantAPIs sets which APIs the key set holds; a read of an API not held
// gets Demandbase's 403.
func (e *Demandbase) GrantAPIs(b2b, admin, usage bool) {
	e.mu.Lock()
	e.grants = map[string]bool{"b2b": b2b, "admin": admin, "usage": usage}
	e.mu.Unlock()
}

// RejectWith sets the status for wrong client credentials at the token
// endpoint: 400 (the default, the only one Demandbase documents), 401 or
// 403 (the UNCONFIRMED alternatives).
func (e *Demandbase) RejectWith(status int) { e.mu.Lock(); e.rejectStatus = status; e.mu.Unlock() }

// SetTokenLifetime sets the lifetime of tokens issued from now on (8 h by
// default).
func (e *Demandbase) SetTokenLifetime(d time.Duration) { e.mu.Lock(); e.lifetime = d; e.mu.Unlock() }

func (e *Demandbase) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		dbError(w, http.StatusMethodNotAllowed, "001", "Method "+r.Method+" not allowed")
		return
	}
	if !isJSON(r) {
		dbError(w, http.StatusBadRequest, "001", "Invalid request: Content-Type must be application/json")
		return
	}
	var req struct {
		GrantType    string `json:"grantType"`
		ClientID     string `json:"clientId"`
		ClientSecret string `json:"clientSecret"`
	}
	if err := decodeBody(r, &req); err != nil {
		dbError(w, http.StatusBadRequest, "002", "Invalid request: malformed JSON body")
		return
	}
	if req.GrantType != "client_credentials" {
		dbError(w, http.StatusBadRequest, "003", "Invalid request: grantType must be client_credentials")
		return
	}
	if req.ClientID == "" || req.ClientSecret == "" {
		dbError(w, http.StatusBadRequest, "004", "Invalid request: clientId and clientSecret are required")
		return
	}
	e.mu.Lock()
	good := req.ClientID == e.clientID && req.ClientSecret == e.clientSecret
	status, life := e.rejectStatus, e.lifetime
	e.mu.Unlock()
	if !good {
		switch status {
		case http.StatusUnauthorized:
			writeJSON(w, status, `{"status":"Authentication Failed - Unauthorized."}`)
		case http.StatusForbidden:
			dbError(w, status, "101", "Client credentials are inactive or revoked")
		default:
			dbError(w, status, "101", "Invalid client credentials")
		}
		return
	}
	tok := e.book.issue(req.ClientID, e.Now(), life)
	e.CountToken()
	writeJSON(w, http.StatusOK, fmt.Sprintf(`{"accessToken":%s,"tokenType":"bearer","expiresIn":%d}`,
		jsonString(tok), int(life/time.Second)))
}

// authorize answers for a read of api and reports whether the handler may
// go on: GET only, a valid token (401 otherwise), the rate limit (429), and
// the key set's grant (403, in the Admin API's own shape for admin).
func (e *Demandbase) authorize(w http.ResponseWriter, r *http.Request, api string, limit *rateWindow) bool {
	if r.Method != http.MethodGet {
		dbError(w, http.StatusMethodNotAllowed, "001", "Method "+r.Method+" not allowed")
		return false
	}
	if tok, ok := bearerToken(r); !ok || !e.book.valid(tok, e.Now()) {
		writeJSON(w, http.StatusUnauthorized, `{"status":"Authentication Failed - Unauthorized."}`)
		return false
	}
	if limit != nil {
		if ok, _, _ := limit.take(e.Now()); !ok {
			dbError(w, http.StatusTooManyRequests, "001", "Rate limit exceeded")
			return false
		}
	}
	e.mu.Lock()
	granted := e.grants[api]
	e.mu.Unlock()
	if granted {
		return true
	}
	if api == "admin" {
		writeJSON(w, http.StatusForbidden, fmt.Sprintf(`{"code":403,"details":"API Key does not have privilege to access the Admin API","requestId":%s}`,
			jsonString(randomToken("req-"))))
		return false
	}
	dbError(w, http.StatusForbidden, "102", "API Key does not have privilege to access this API")
	return false
}

func (e *Demandbase) jobLevel(w http.ResponseWriter, r *http.Request) {
	if !e.authorize(w, r, "b2b", &e.b2bLimit) {
		return
	}
	writeJSON(w, http.StatusOK, `{"objectType":"JobLevel","data":[{"id":1,"name":"C-Level"},{"id":2,"name":"VP"},{"id":3,"name":"Director"},{"id":4,"name":"Manager"}]}`)
}

func (e *Demandbase) users(w http.ResponseWriter, r *http.Request) {
	if !e.authorize(w, r, "admin", &e.adminLimit) {
		return
	}
	if n, err := strconv.Atoi(r.URL.Query().Get("pageSize")); r.URL.Query().Has("pageSize") && (err != nil || n < 1 || n > 1000) {
		writeJSON(w, http.StatusBadRequest, `{"code":400,"details":"pageSize must be an integer from 1 to 1000","requestId":"req-1"}`)
		return
	}
	writeJSON(w, http.StatusOK, `{"totalCount":3,"data":[{"name":"Test User","email":"test.user@example.com","externalIds":[],"permissionSets":["General User"],"department":"Marketing","view":"Standard View","workspaces":["Default workspace"],"date_created":"2025-03-11T05:38:17.007Z","jobFunction":"Other"}]}`)
}

func (e *Demandbase) usage(w http.ResponseWriter, r *http.Request) {
	if !e.authorize(w, r, "usage", nil) {
		return
	}
	product := r.URL.Query().Get("apiProduct")
	switch product {
	case "b2bApi", "adminApi", "dataImportApi", "dataExportApi":
	default:
		dbError(w, http.StatusBadRequest, "010", "Invalid request: apiProduct must be one of b2bApi, adminApi, dataImportApi, dataExportApi")
		return
	}
	writeJSON(w, http.StatusOK, fmt.Sprintf(`{"summary":{"apiProduct":%s,"period":"month","requestCount":42,"requestLimit":100000}}`, jsonString(product)))
}

// dbError writes Demandbase's general error shape; errorCode is prefixed
// with the HTTP status ("403-102").
func dbError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, fmt.Sprintf(`{"errorCode":"%d-%s","errorMessage":%s,"diagnosticCode":%s}`,
		status, code, jsonString(message), jsonString(randomToken("diag-"))))
}

// SetSecrets implements Emulator.
func (e *Demandbase) SetSecrets(s map[string]string) { e.SetSecret(s["client_secret"]) }
