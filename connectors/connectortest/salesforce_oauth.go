package connectortest

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// sfMaxForm bounds the token request body.
const sfMaxForm = 64 << 10

// serve dispatches a request to the login host, the REST API or the
// identity URL, the way one My Domain host answers all three.
func (e *Salesforce) serve(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == "/services/oauth2/token":
		e.token(w, r)
	case p == "/services/data" || p == "/services/data/":
		e.versionList(w, r)
	case strings.HasPrefix(p, "/services/data/v"):
		e.rest(w, r)
	case strings.HasPrefix(p, "/id/"):
		e.identity(w, r)
	default:
		sfRESTError(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
	}
}

// token is POST /services/oauth2/token.
func (e *Salesforce) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		sfOAuthError(w, "invalid_request", "must use HTTP POST")
		return
	}
	// Salesforce reads the parameters from a form body only: a JSON body
	// has no grant_type, so the grant type is "not supported".
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		sfOAuthError(w, "unsupported_grant_type", "grant type not supported")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, sfMaxForm)
	if err := r.ParseForm(); err != nil {
		sfOAuthError(w, "invalid_request", "bad request")
		return
	}
	f := r.PostForm
	e.mu.Lock()
	defer e.mu.Unlock()
	var u *sfUser
	switch f.Get("grant_type") {
	case "password":
		u = e.passwordGrant(w, f.Get("client_id"), f.Get("client_secret"), f.Get("username"), f.Get("password"))
	case "client_credentials":
		u = e.clientCredentialsGrant(w, f.Get("client_id"), f.Get("client_secret"))
	default:
		sfOAuthError(w, "unsupported_grant_type", "grant type not supported")
		return
	}
	if u == nil {
		return
	}
	e.issue(w, u, f.Get("grant_type") == "password" && u.passwordExpired)
}

// checkClient checks the connected app's credentials and writes the error
// when they are wrong. Callers hold e.mu.
func (e *Salesforce) checkClient(w http.ResponseWriter, id, secret string) bool {
	if !sfEqual(id, e.consumerKey) {
		sfOAuthError(w, "invalid_client_id", "client identifier invalid")
		return false
	}
	if !sfEqual(secret, e.consumerSecret) {
		sfOAuthError(w, "invalid_client", "invalid client credentials")
		return false
	}
	return true
}

// passwordGrant checks a username-password login and returns the user, or
// writes the error and returns nil. Every refused login is the same
// "authentication failure", as in Salesforce: only Login History knows
// why. Callers hold e.mu.
func (e *Salesforce) passwordGrant(w http.ResponseWriter, clientID, clientSecret, username, password string) *sfUser {
	if !e.checkClient(w, clientID, clientSecret) {
		return nil
	}
	fail := func() *sfUser { sfOAuthError(w, "invalid_grant", "authentication failure"); return nil }
	if e.passwordBlock {
		return fail()
	}
	u, ok := e.users[strings.ToLower(username)]
	if !ok || u.locked {
		return fail()
	}
	good := sfEqual(password, u.password+u.securityToken) || (e.trustedIP && sfEqual(password, u.password))
	if !good {
		return fail()
	}
	if e.approval {
		sfOAuthError(w, "invalid_grant", "user hasn't approved this consumer")
		return nil
	}
	if u.passwordExpired && !e.expiredLogin {
		return fail()
	}
	return u
}

// clientCredentialsGrant checks a client-credentials login and returns the
// Run As user, or writes the error and returns nil. Callers hold e.mu.
func (e *Salesforce) clientCredentialsGrant(w http.ResponseWriter, clientID, clientSecret string) *sfUser {
	if !e.myDomain {
		sfOAuthError(w, "invalid_grant", "request not supported on this domain")
		return nil
	}
	if !e.checkClient(w, clientID, clientSecret) {
		return nil
	}
	u, ok := e.users[strings.ToLower(e.runAs)]
	if e.runAs == "" || !ok {
		sfOAuthError(w, "invalid_grant", "no client credentials user enabled")
		return nil
	}
	if u.locked {
		sfOAuthError(w, "invalid_grant", "authentication failure")
		return nil
	}
	return u
}

// issue opens a session for u and writes the token answer. Callers hold e.mu.
func (e *Salesforce) issue(w http.ResponseWriter, u *sfUser, restricted bool) {
	now := e.Now()
	access := randomToken(e.orgID[:15] + "!AQ")
	e.sessions[access] = &sfSession{user: u, lastUsed: now, restricted: restricted}
	id := e.URL() + "/id/" + e.orgID + "/" + u.id
	issuedAt := strconv.FormatInt(now.UnixMilli(), 10)
	// The signature lets a client check the answer came from a server that
	// knows the consumer secret: HMAC-SHA256 of id and issued_at.
	mac := hmac.New(sha256.New, []byte(e.consumerSecret))
	mac.Write([]byte(id + issuedAt))
	body, _ := json.Marshal(map[string]string{
		"access_token": access,
		"instance_url": e.URL(),
		"id":           id,
		"token_type":   "Bearer",
		"issued_at":    issuedAt,
		"signature":    base64.StdEncoding.EncodeToString(mac.Sum(nil)),
	})
	e.CountToken()
	w.Header().Set("Cache-Control", "no-cache,must-revalidate,max-age=0,no-store,private")
	sfWrite(w, http.StatusOK, "application/json;charset=UTF-8", string(body))
}

// sfOAuthError writes the token endpoint's error answer: 400 with
// {"error","error_description"}.
func sfOAuthError(w http.ResponseWriter, code, desc string) {
	body, _ := json.Marshal(map[string]string{"error": code, "error_description": desc})
	w.Header().Set("Cache-Control", "no-cache,must-revalidate,max-age=0,no-store,private")
	sfWrite(w, http.StatusBadRequest, "application/json;charset=UTF-8", string(body))
}

// sfEqual compares a presented secret in constant time.
func sfEqual(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// sfWrite writes status, content type and body.
func sfWrite(w http.ResponseWriter, status int, contentType, body string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}
