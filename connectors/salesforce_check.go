package connectors

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// salesforceObject is an object Demandbase reads, with what it
// is used for, for warnings.
type salesforceObject struct {
	name     string
	required bool
	use      string
}

// salesforceObjects lists the objects the integration user needs read
// access to, required ones first, in the order of Demandbase's guidance.
var salesforceObjects = []salesforceObject{
	{"Account", true, "accounts"},
	{"Contact", true, "contacts"},
	{"Lead", true, "leads"},
	{"Opportunity", true, "opportunities"},
	{"Campaign", true, "campaigns"},
	{"CampaignMember", true, "campaign members"},
	{"Task", true, "activities"}, {"Event", true, "activities"},
	{"User", true, "record owners"},
	{"Group", true, "queues that own leads"},
	{"OpportunityContactRole", false, "contact roles on opportunities"},
	{"OpportunityHistory", false, "opportunity stage history"},
	{"Report", false, "reports"},
}

// salesforceHighUsage is the share of the org's daily API allowance from
// which a test warns.
const salesforceHighUsage = 0.8

// salesforceIdentity is the part of the identity URL's answer credwiz
// uses: the username and org are needed, the rest is only shown.
type salesforceIdentity struct {
	Username       string         `json:"username"`
	OrganizationID string         `json:"organization_id"`
	UserID         text           `json:"user_id"`
	DisplayName    text           `json:"display_name"`
	Active         optional[bool] `json:"active"`
}

// salesforceSObject is one entry of describeGlobal's "sobjects": the
// access check depends on all three fields.
type salesforceSObject struct {
	Name         string `json:"name"`
	Queryable    bool   `json:"queryable"`
	Retrieveable bool   `json:"retrieveable"`
}

// salesforceProbe logs in, then reads the API versions, the identity of
// the user and the objects it can see (describeGlobal), and reports read
// access to salesforceObjects. Missing required objects fail the test with
// ErrForbidden, after filling the Report's checklist.
func salesforceProbe(ctx context.Context, s *Session, rep *Report) error {
	tok, err := salesforceToken(ctx, s)
	if err != nil {
		return err
	}
	v, lc := s.Values, salesforceLeakCheck(s.Leak, tok.AccessToken)
	rep.Token = tok
	rep.TokenType = lc.Withhold(strings.ToLower(tok.TokenType))
	// Salesforce does not say when the session ends; this is the
	// conservative salesforceTokenLifetime, explained in the Session detail.
	rep.TokenExpires = tok.Expiry
	instance, _ := tok.Extra(SalesforceInstanceURL).(string)
	idURL, _ := tok.Extra(SalesforceIdentityURL).(string)
	rep.Details = append(rep.Details, Detail{"Instance URL", lc.Withhold(instance)})

	// The version list needs no session and carries no usage header.
	resp, err := salesforceGet(ctx, s, "GET /services/data/", joinURL(instance, "/services/data/"), "", lc, salesforceRESTFailure)
	if err != nil {
		return err
	}
	var versions []optional[salesforceVersion]
	if err := decode("GET /services/data/", resp, &versions, lc); err != nil {
		return err
	}
	version := salesforceHighestVersion(versions)
	if version == "" {
		return &Error{Class: ErrVendor, Op: "GET /services/data/", Status: resp.status, Message: "the answer lists no API version"}
	}
	rep.Details = append(rep.Details, Detail{"API version", "v" + version})

	resp, err = salesforceGet(ctx, s, "GET identity", idURL, tok.AccessToken, lc, salesforceIdentityFailure)
	if err != nil {
		return err
	}
	var who salesforceIdentity
	if err := decode("GET identity", resp, &who, lc); err != nil {
		return err
	}
	if who.Username == "" || who.OrganizationID == "" {
		return &Error{Class: ErrVendor, Op: "GET identity", Status: resp.status, Message: "the answer lacks username or organization_id"}
	}
	username, org := lc.Withhold(who.Username), lc.Withhold(who.OrganizationID)
	rep.Account = username + " @ org " + org
	rep.Details = append(rep.Details, Detail{"Org ID", org})
	user := string(who.DisplayName)
	if who.UserID != "" {
		user = strings.TrimSpace(user + " (" + string(who.UserID) + ")")
	}
	rep.Details = append(rep.Details, Detail{"User", lc.Withhold(user)}, Detail{"Login flow", salesforceFlow(v)})
	if active, ok := who.Active.get(); ok && !active {
		rep.Warnings = append(rep.Warnings, "Salesforce reports the user "+username+" as inactive: reactivate it in Setup → Users")
	}

	op := "GET /services/data/v" + version + "/sobjects/"
	resp, err = salesforceGet(ctx, s, op, joinURL(instance, "/services/data/v"+version+"/sobjects/"), tok.AccessToken, lc, salesforceRESTFailure)
	if err != nil {
		return err
	}
	salesforceReportUsage(rep, resp.header.Get("Sforce-Limit-Info"))
	var global struct {
		SObjects *[]json.RawMessage `json:"sobjects"`
	}
	if err := decode(op, resp, &global, lc); err != nil {
		return err
	}
	if global.SObjects == nil {
		return &Error{Class: ErrVendor, Op: op, Status: resp.status, Message: "the answer lacks the sobjects list"}
	}
	seen, err := salesforceObjectsSeen(op, resp, *global.SObjects, lc)
	if err != nil {
		return err
	}
	return salesforceReportAccess(rep, seen)
}

// salesforceObjectsSeen decodes describeGlobal's entries. An entry of an
// object the check reads must have its name, queryable and retrieveable
// with their JSON types (else the answer is a vendor error); an entry of
// any other object that does not decode is skipped, since nothing depends
// on it.
func salesforceObjectsSeen(op string, r *response, raw []json.RawMessage, lc *LeakCheck) ([]salesforceSObject, error) {
	seen := make([]salesforceSObject, 0, len(raw))
	for _, entry := range raw {
		var o salesforceSObject
		err := json.Unmarshal(entry, &o)
		if err == nil {
			seen = append(seen, o)
			continue
		}
		var named struct {
			Name text `json:"name"`
		}
		_ = json.Unmarshal(entry, &named)
		if slices.ContainsFunc(salesforceObjects, func(want salesforceObject) bool { return want.name == string(named.Name) }) {
			return nil, decode(op, &response{status: r.status, body: entry}, &o, lc)
		}
	}
	return seen, nil
}

// salesforceReportUsage adds the API usage of a Sforce-Limit-Info header
// to rep, with a warning from salesforceHighUsage on.
func salesforceReportUsage(rep *Report, header string) {
	used, limit, ok := salesforceAPIUsage(header)
	if !ok {
		rep.Details = append(rep.Details, Detail{"API usage", "not reported"})
		return
	}
	share := float64(used) / float64(limit)
	rep.Details = append(rep.Details, Detail{"API usage", fmt.Sprintf("%d/%d requests in the last 24 hours (%.0f%%)", used, limit, share*100)})
	if share >= salesforceHighUsage {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf(
			"the org has used %d of its %d daily API requests (%.0f%%); when none are left Salesforce refuses every call with REQUEST_LIMIT_EXCEEDED",
			used, limit, share*100))
	}
}

// salesforceReportAccess fills rep.Access from describeGlobal's objects and
// returns an ErrForbidden *Error naming every required object the user
// cannot read, or nil.
func salesforceReportAccess(rep *Report, seen []salesforceSObject) error {
	byName := make(map[string]salesforceSObject, len(seen))
	for _, o := range seen {
		byName[o.Name] = o
	}
	var missing []string
	for _, want := range salesforceObjects {
		o, visible := byName[want.name]
		chk := Check{Name: want.name, Required: want.required}
		switch {
		case !visible:
			chk.Note = "not visible to the user: no Read permission on the object"
		case !o.Retrieveable:
			chk.Note = "visible but not retrievable"
		case !o.Queryable:
			chk.Note = "visible but not queryable"
		default:
			chk.OK, chk.Note = true, "read"
		}
		rep.Access = append(rep.Access, chk)
		switch {
		case chk.OK:
		case want.required:
			missing = append(missing, want.name)
		default:
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("no read access to the optional object %s (%s), so %s are not synced; "+
				"grant Read on it in the integration user's profile or a permission set", want.name, chk.Note, want.use))
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return &Error{
		Class:   ErrForbidden,
		Op:      "check object permissions",
		Message: "the user cannot read the required object(s) " + strings.Join(missing, ", "),
		Hint: "grant Read on " + strings.Join(missing, ", ") + " to the integration user's profile or to a permission set assigned to it " +
			"(Setup → Users → Profiles or Permission Sets → Object Settings), then test again",
	}
}
