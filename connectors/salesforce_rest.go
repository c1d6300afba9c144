package connectors

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// salesforceRESTError is one element of the array the REST API answers
// errors with: [{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}].
type salesforceRESTError struct {
	Message   string `json:"message"`
	ErrorCode string `json:"errorCode"`
}

// salesforceGet sends an authenticated (token != "") or anonymous GET and
// classifies any non-2xx answer with classify.
func salesforceGet(ctx context.Context, s *Session, op, rawURL, token string, lc *LeakCheck,
	classify func(op string, r *response, lc *LeakCheck) *Error) (*response, error) {
	h := http.Header{"Accept": {"application/json"}}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.send(ctx, call{op: op, method: http.MethodGet, url: rawURL, header: h, leak: lc})
	if err != nil {
		return nil, err
	}
	if !resp.ok() {
		return nil, classify(op, resp, lc)
	}
	return resp, nil
}

// salesforceRESTFailure classifies a REST API error answer by its
// errorCode, whatever the status (Salesforce answers some of them 401, 403
// or 500 depending on the endpoint).
func salesforceRESTFailure(op string, r *response, lc *LeakCheck) *Error {
	e := statusError(op, r, lc)
	first, ok := salesforceFirstRESTError(r.body)
	if !ok {
		return e
	}
	e.Message = "" // the error's own message, when there is one, not the raw body
	e.refine(first.ErrorCode, first.Message, lc)
	switch first.ErrorCode {
	case "INVALID_SESSION_ID":
		e.Class = ErrRejected
		e.Hint = "the session expired or was revoked just after login: test again, and if it persists check Setup → Session Settings " +
			"(\"Lock sessions to the IP address from which they originated\") and that no one revoked the connected app's sessions"
	case "INVALID_OPERATION_WITH_EXPIRED_PASSWORD":
		e.Class = ErrRejected
		e.Hint = "the integration user's password has expired: log in to Salesforce as that user, set a new password, " +
			"reset the security token (Settings → Reset My Security Token; it arrives by email) and re-authenticate with both"
	case "REQUEST_LIMIT_EXCEEDED":
		// The org's rolling 24-hour API allowance is used up (or too many
		// long requests run at once). Logging in again does not help.
		e.Class = ErrRateLimited
		e.Hint = "the org has used up its API request allowance (a rolling 24 hours; Setup → Company Information → API Requests): " +
			"wait for usage to fall, or find the integration using it; re-authenticating does not help"
	case "API_DISABLED_FOR_ORG":
		e.Class = ErrForbidden
		e.Hint = "the org's edition has no API access (Enterprise, Unlimited, Performance and Developer editions have it): ask Salesforce to enable the API"
	case "API_CURRENTLY_DISABLED":
		e.Class = ErrForbidden
		e.Hint = "the integration user lacks the \"API Enabled\" system permission: add it to the user's profile or a permission set"
	case "INSUFFICIENT_ACCESS", "INSUFFICIENT_ACCESS_OR_READONLY":
		e.Class = ErrForbidden
		e.Hint = "grant the integration user the missing permission in its profile or a permission set"
	}
	return e
}

// salesforceFirstRESTError parses an error array, or a single error object
// (some endpoints answer one), and returns its first element.
func salesforceFirstRESTError(body []byte) (salesforceRESTError, bool) {
	var errs []salesforceRESTError
	if err := json.Unmarshal(body, &errs); err == nil && len(errs) > 0 && errs[0].ErrorCode != "" {
		return errs[0], true
	}
	var one salesforceRESTError
	if err := json.Unmarshal(body, &one); err == nil && one.ErrorCode != "" {
		return one, true
	}
	return salesforceRESTError{}, false
}

// salesforceIdentityFailure classifies an error answer of the identity URL,
// which answers plain-text codes rather than the REST API's arrays: 403
// Missing_OAuth_Token / Bad_OAuth_Token / Wrong_Org, 404 Bad_Id / Inactive
// / No_Access.
func salesforceIdentityFailure(op string, r *response, lc *LeakCheck) *Error {
	if _, ok := salesforceFirstRESTError(r.body); ok {
		return salesforceRESTFailure(op, r, lc)
	}
	e := statusError(op, r, lc)
	code := strings.TrimSpace(string(r.body))
	if len(code) > 40 || strings.ContainsAny(code, " \n{[<") || lc.Leaks(code) {
		code = ""
	}
	e.Code = code
	switch {
	case code == "Inactive":
		e.Class = ErrRejected
		e.Message = "the user is inactive"
		e.Hint = "the integration user is deactivated: reactivate it in Setup → Users, or use another API user"
	case r.status == http.StatusUnauthorized || r.status == http.StatusForbidden:
		// Treat 401 and 403 alike: both mean the fresh session was refused.
		e.Class = ErrRejected
		e.Message = "session expired or invalid"
		if code != "" {
			e.Message += " (" + code + ")"
		}
		e.Hint = "the session was refused right after login: test again, and if it persists check Setup → Session Settings"
	}
	return e
}

// salesforceAPIUsage parses a Sforce-Limit-Info header,
// "api-usage=18/5000" possibly followed by "; per-app-api-usage=…".
func salesforceAPIUsage(h string) (used, limit int, ok bool) {
	for _, part := range strings.FieldsFunc(h, func(r rune) bool { return r == ';' || r == ',' }) {
		k, val, found := strings.Cut(strings.TrimSpace(part), "=")
		if !found || k != "api-usage" {
			continue
		}
		u, l, found := strings.Cut(val, "/")
		if !found {
			return 0, 0, false
		}
		used, err1 := strconv.Atoi(strings.TrimSpace(u))
		limit, err2 := strconv.Atoi(strings.TrimSpace(l))
		if err1 != nil || err2 != nil || used < 0 || limit <= 0 {
			return 0, 0, false
		}
		return used, limit, true
	}
	return 0, 0, false
}

// salesforceVersion is one entry of GET /services/data/. Only the version
// is used, as a string or a number ("64.0" or 64.0).
type salesforceVersion struct {
	Version text `json:"version"`
}

// salesforceHighestVersion returns the highest well-formed version
// ("64.0", or 64 read as "64.0") of vs, or "" if there is none; entries
// that are not objects are skipped.
func salesforceHighestVersion(vs []optional[salesforceVersion]) string {
	best, bestMajor, bestMinor := "", -1, -1
	for _, o := range vs {
		v, _ := o.get()
		version := string(v.Version)
		if version != "" && !strings.Contains(version, ".") {
			version += ".0" // 64 sent as a JSON number loses its ".0"
		}
		maj, min, ok := salesforceParseVersion(version)
		if !ok {
			continue
		}
		if maj > bestMajor || (maj == bestMajor && min > bestMinor) {
			best, bestMajor, bestMinor = version, maj, min
		}
	}
	return best
}

func salesforceParseVersion(s string) (major, minor int, ok bool) {
	a, b, found := strings.Cut(s, ".")
	if !found || a == "" || b == "" || strings.Trim(a+b, "0123456789") != "" {
		return 0, 0, false
	}
	major, err1 := strconv.Atoi(a)
	minor, err2 := strconv.Atoi(b)
	return major, minor, err1 == nil && err2 == nil
}
