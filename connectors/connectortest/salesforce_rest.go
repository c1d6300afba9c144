package connectortest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

const sfJSON = "application/json;charset=UTF-8"

// versionList is GET /services/data/: every API version, no session
// needed, no Sforce-Limit-Info.
func (e *Salesforce) versionList(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		sfRESTError(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", fmt.Sprintf("HTTP Method '%s' not allowed. Allowed are GET,HEAD", r.Method))
		return
	}
	e.mu.Lock()
	type version struct {
		Label   string `json:"label"`
		URL     string `json:"url"`
		Version string `json:"version"`
	}
	out := make([]version, 0, len(e.versions))
	for _, v := range e.versions {
		out = append(out, version{Label: sfReleaseLabel(v), URL: "/services/data/v" + v, Version: v})
	}
	e.mu.Unlock()
	body, _ := json.Marshal(out)
	sfWrite(w, http.StatusOK, sfJSON, string(body))
}

// sfReleaseLabel names the release of an API version, e.g. "Summer '25"
// for 64.0 (three releases a year: Spring, Summer, Winter of the next year).
func sfReleaseLabel(v string) string {
	var major int
	if _, err := fmt.Sscanf(v, "%d.", &major); err != nil || major < 20 {
		return "Winter '11"
	}
	n := major - 20 // 20.0 is Winter '11
	season := []string{"Winter", "Spring", "Summer"}[n%3]
	return fmt.Sprintf("%s '%02d", season, 11+n/3)
}

// session returns the live session of r's bearer token and marks it used,
// or nil. Salesforce also accepts the "OAuth" scheme. Callers hold e.mu.
func (e *Salesforce) session(r *http.Request) *sfSession {
	auth := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(auth, " ")
	if !ok || (!strings.EqualFold(scheme, "Bearer") && !strings.EqualFold(scheme, "OAuth")) {
		return nil
	}
	tok = strings.TrimSpace(tok)
	s, found := e.sessions[tok]
	if !found {
		return nil
	}
	now := e.Now()
	if now.Sub(s.lastUsed) >= e.sessionTimeout {
		delete(e.sessions, tok)
		return nil
	}
	s.lastUsed = now
	return s
}

// rest is the authenticated REST API under /services/data/vXX.X/.
func (e *Salesforce) rest(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.session(r)
	if s == nil {
		w.Header().Set("WWW-Authenticate", "Token")
		sfRESTError(w, http.StatusUnauthorized, "INVALID_SESSION_ID", "Session expired or invalid")
		return
	}
	rest := strings.TrimPrefix(r.URL.Path, "/services/data/v")
	version, resource, _ := strings.Cut(rest, "/")
	if !slices.Contains(e.versions, version) {
		sfRESTError(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
		return
	}
	switch {
	case e.orgAPIOff:
		sfRESTError(w, http.StatusForbidden, "API_DISABLED_FOR_ORG", "API is not enabled for this Organization or Partner")
		return
	case !s.user.apiEnabled:
		sfRESTError(w, http.StatusForbidden, "API_CURRENTLY_DISABLED", "API is disabled for this User")
		return
	case s.restricted || s.user.passwordExpired:
		// UNCONFIRMED status: the error code is what matters.
		sfRESTError(w, http.StatusForbidden, "INVALID_OPERATION_WITH_EXPIRED_PASSWORD",
			"The users password has expired, you must call SetPassword before attempting any other API operations")
		return
	}
	w.Header().Set("Sforce-Limit-Info", fmt.Sprintf("api-usage=%d/%d", e.apiUsed, e.apiLimit))
	if e.apiUsed >= e.apiLimit {
		sfRESTError(w, http.StatusForbidden, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
		return
	}
	e.apiUsed++
	w.Header().Set("Sforce-Limit-Info", fmt.Sprintf("api-usage=%d/%d", e.apiUsed, e.apiLimit))
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		sfRESTError(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", fmt.Sprintf("HTTP Method '%s' not allowed. Allowed are GET,HEAD", r.Method))
		return
	}
	switch strings.TrimSuffix(resource, "/") {
	case "sobjects":
		e.describeGlobal(w, version)
	case "":
		e.resources(w, version)
	default:
		sfRESTError(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
	}
}

// resources is GET /services/data/vXX.X/: the version's resource map.
// Callers hold e.mu.
func (e *Salesforce) resources(w http.ResponseWriter, version string) {
	base := "/services/data/v" + version + "/"
	body, _ := json.Marshal(map[string]string{
		"limits": base + "limits", "query": base + "query", "search": base + "search",
		"sobjects": base + "sobjects", "recent": base + "recent",
	})
	sfWrite(w, http.StatusOK, sfJSON, string(body))
}

// describeGlobal is GET /services/data/vXX.X/sobjects/: the objects the
// user can see. Callers hold e.mu.
func (e *Salesforce) describeGlobal(w http.ResponseWriter, version string) {
	type sobject struct {
		Activateable  bool              `json:"activateable"`
		Createable    bool              `json:"createable"`
		Custom        bool              `json:"custom"`
		Deletable     bool              `json:"deletable"`
		KeyPrefix     string            `json:"keyPrefix"`
		Label         string            `json:"label"`
		LabelPlural   string            `json:"labelPlural"`
		Layoutable    bool              `json:"layoutable"`
		Name          string            `json:"name"`
		Queryable     bool              `json:"queryable"`
		Replicateable bool              `json:"replicateable"`
		Retrieveable  bool              `json:"retrieveable"`
		Searchable    bool              `json:"searchable"`
		Updateable    bool              `json:"updateable"`
		URLs          map[string]string `json:"urls"`
	}
	var list []sobject
	for _, name := range e.sortedObjects() {
		o := e.objects[name]
		base := "/services/data/v" + version + "/sobjects/" + name
		list = append(list, sobject{
			Createable: o.retrieveable, Custom: o.custom, Deletable: o.retrieveable,
			KeyPrefix: o.keyPrefix, Label: o.label, LabelPlural: o.plural, Layoutable: true, Name: name,
			Queryable: o.queryable, Replicateable: o.retrieveable, Retrieveable: o.retrieveable,
			Searchable: o.queryable, Updateable: o.retrieveable,
			URLs: map[string]string{"sobject": base, "describe": base + "/describe", "rowTemplate": base + "/{ID}"},
		})
	}
	body, _ := json.Marshal(map[string]any{"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": list})
	sfWrite(w, http.StatusOK, sfJSON, string(body))
}

// identity is GET /id/<orgId>/<userId>, the identity URL. It answers
// errors as plain-text codes, not REST error arrays, and does not count
// against the API allowance.
func (e *Salesforce) identity(w http.ResponseWriter, r *http.Request) {
	const text = "text/plain;charset=UTF-8"
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		sfWrite(w, http.StatusMethodNotAllowed, text, "Method_Not_Allowed")
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if r.Header.Get("Authorization") == "" {
		sfWrite(w, http.StatusForbidden, text, "Missing_OAuth_Token")
		return
	}
	s := e.session(r)
	if s == nil {
		sfWrite(w, http.StatusForbidden, text, "Bad_OAuth_Token")
		return
	}
	org, userID, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/id/"), "/")
	if org != e.orgID {
		sfWrite(w, http.StatusForbidden, text, "Wrong_Org")
		return
	}
	var u *sfUser
	for _, c := range e.users {
		if c.id == userID {
			u = c
		}
	}
	if u == nil {
		sfWrite(w, http.StatusNotFound, text, "Bad_Id")
		return
	}
	base := e.URL()
	body, _ := json.Marshal(map[string]any{
		"id":              base + "/id/" + e.orgID + "/" + u.id,
		"asserted_user":   s.user == u,
		"user_id":         u.id,
		"organization_id": e.orgID,
		"username":        u.username,
		"nick_name":       strings.SplitN(u.username, "@", 2)[0],
		"display_name":    u.displayName,
		"email":           u.username,
		"email_verified":  true,
		"active":          true,
		"user_type":       "STANDARD",
		"language":        "en_US",
		"locale":          "en_US",
		"utcOffset":       0,
		"urls": map[string]string{
			"rest":     base + "/services/data/v{version}/",
			"sobjects": base + "/services/data/v{version}/sobjects/",
			"query":    base + "/services/data/v{version}/query/",
			"profile":  base + "/" + u.id,
		},
		"is_app_installed":   true,
		"last_modified_date": "2026-01-05T09:30:00.000+0000",
	})
	sfWrite(w, http.StatusOK, sfJSON, string(body))
}

// sfRESTError writes the REST API's error answer: an array of
// {"message","errorCode"}.
func sfRESTError(w http.ResponseWriter, status int, code, msg string) {
	body, _ := json.Marshal([]map[string]string{{"message": msg, "errorCode": code}})
	sfWrite(w, status, sfJSON, string(body))
}

// sfVendorError writes the body of an injected fault status the way
// Salesforce answers it.
func sfVendorError(w http.ResponseWriter, status int) {
	switch status {
	case http.StatusTooManyRequests:
		sfRESTError(w, status, "REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded.")
	case http.StatusServiceUnavailable:
		sfRESTError(w, status, "SERVER_UNAVAILABLE", "Server temporarily unavailable, please try again later")
	default:
		if status >= 500 {
			sfRESTError(w, status, "UNKNOWN_EXCEPTION",
				"An unexpected error occurred. Please include this ErrorId if you contact support: 1793227456-42118 (-1437296384)")
			return
		}
		sfRESTError(w, status, "UNKNOWN_EXCEPTION", http.StatusText(status))
	}
}
