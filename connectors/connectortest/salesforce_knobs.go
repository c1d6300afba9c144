package connectortest

import (
	"sort"
	"strings"
	"time"
)

// OrgID returns the emulated org's 18-character ID.
func (e *Salesforce) OrgID() string { return e.orgID }

// Username returns the integration user's username.
func (e *Salesforce) Username() string { e.mu.Lock(); defer e.mu.Unlock(); return e.username }

// with runs f holding e.mu: every knob changes the org under the lock.
func (e *Salesforce) with(f func()) {
	e.mu.Lock()
	defer e.mu.Unlock()
	f()
}

// user returns the named user; it panics for an unknown one (a test bug).
// Callers hold e.mu.
func (e *Salesforce) user(username string) *sfUser {
	u, ok := e.users[strings.ToLower(username)]
	if !ok {
		panic("connectortest: no Salesforce user " + username)
	}
	return u
}

// SetPassword changes a user's password as Salesforce does: the expiry is
// cleared and a new security token replaces the old one, which stops
// working. Existing sessions stay valid.
func (e *Salesforce) SetPassword(username, newPassword, newSecurityToken string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	u := e.user(username)
	u.password, u.securityToken, u.passwordExpired = newPassword, newSecurityToken, false
}

// ResetSecurityToken is "Reset My Security Token": the new token replaces
// the old one, which stops working.
func (e *Salesforce) ResetSecurityToken(username, newSecurityToken string) {
	e.with(func() { e.user(username).securityToken = newSecurityToken })
}

// ExpirePassword marks a user's password expired: its logins fail with
// invalid_grant (see AllowExpiredPasswordLogin) and its live sessions get
// INVALID_OPERATION_WITH_EXPIRED_PASSWORD from the REST API.
func (e *Salesforce) ExpirePassword(username string) {
	e.with(func() { e.user(username).passwordExpired = true })
}

// LockUser locks (or unlocks) a user, as too many failed logins do: its
// logins fail with invalid_grant.
func (e *Salesforce) LockUser(username string, locked bool) {
	e.with(func() { e.user(username).locked = locked })
}

// SetAPIEnabled grants or removes a user's "API Enabled" permission;
// without it the REST API answers API_CURRENTLY_DISABLED.
func (e *Salesforce) SetAPIEnabled(username string, enabled bool) {
	e.with(func() { e.user(username).apiEnabled = enabled })
}

// SetConsumerSecret gives the connected app a new Consumer Secret; the
// old one stops working.
func (e *Salesforce) SetConsumerSecret(secret string) { e.with(func() { e.consumerSecret = secret }) }

// BlockPasswordFlow turns off (or on) the org setting "Allow OAuth
// Username-Password Flows": password logins fail with invalid_grant.
func (e *Salesforce) BlockPasswordFlow(blocked bool) { e.with(func() { e.passwordBlock = blocked }) }

// SetMyDomain makes the emulator a My Domain host, which accepts the
// client-credentials flow; off, it answers that flow with invalid_grant
// "request not supported on this domain" as login.salesforce.com does.
func (e *Salesforce) SetMyDomain(on bool) { e.with(func() { e.myDomain = on }) }

// SetRunAsUser sets the connected app's client-credentials Run As user;
// "" leaves it unset, and the flow fails with "no client credentials user
// enabled".
func (e *Salesforce) SetRunAsUser(username string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if username != "" {
		e.user(username)
	}
	e.runAs = username
}

// TrustIP puts the caller in (or out of) the org's trusted IP ranges:
// inside, a password without the security token is accepted too.
func (e *Salesforce) TrustIP(on bool) { e.with(func() { e.trustedIP = on }) }

// RequireApproval makes the connected app admit only pre-authorized
// users: password logins fail with "user hasn't approved this consumer".
func (e *Salesforce) RequireApproval(on bool) { e.with(func() { e.approval = on }) }

// AllowExpiredPasswordLogin makes a login with an expired password succeed
// with a restricted session, which the REST API answers with
// INVALID_OPERATION_WITH_EXPIRED_PASSWORD (as the SOAP login does); off
// (the default), such a login fails with invalid_grant.
func (e *Salesforce) AllowExpiredPasswordLogin(on bool) { e.with(func() { e.expiredLogin = on }) }

// DisableOrgAPI turns the org's API off (or on): the REST API answers
// API_DISABLED_FOR_ORG.
func (e *Salesforce) DisableOrgAPI(disabled bool) { e.with(func() { e.orgAPIOff = disabled }) }

// ExpireSessions ends every session: the REST API answers
// INVALID_SESSION_ID and the identity URL Bad_OAuth_Token.
func (e *Salesforce) ExpireSessions() { e.with(func() { e.sessions = map[string]*sfSession{} }) }

// SetSessionTimeout sets the org's session timeout (default 2 hours),
// counted on the emulator's clock (SetClock) from a session's last use.
func (e *Salesforce) SetSessionTimeout(d time.Duration) { e.with(func() { e.sessionTimeout = d }) }

// RemoveObject hides an object from every user, as a missing Read
// permission does: describeGlobal no longer lists it.
func (e *Salesforce) RemoveObject(name string) { e.with(func() { delete(e.objects, name) }) }

// SetRetrieveable lists an object (adding it if removed) and sets whether
// it is retrieveable and queryable.
func (e *Salesforce) SetRetrieveable(name string, ok bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, found := e.objects[name]
	if !found {
		d := sfDefaultObjects[name]
		if d.label == "" {
			d = sfObject{keyPrefix: "a0Z", label: name, plural: name, custom: strings.HasSuffix(name, "__c")}
		}
		o = &d
		e.objects[name] = o
	}
	o.retrieveable, o.queryable = ok, ok
}

// SetAPIUsage sets the org's rolling 24-hour API request counter and
// allowance. Once used reaches limit, the REST API answers 403
// REQUEST_LIMIT_EXCEEDED.
func (e *Salesforce) SetAPIUsage(used, limit int) {
	e.with(func() { e.apiUsed, e.apiLimit = used, limit })
}

// APIUsage returns the API request counter and allowance.
func (e *Salesforce) APIUsage() (used, limit int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.apiUsed, e.apiLimit
}

// sortedObjects returns the listed objects' names in order. Callers hold e.mu.
func (e *Salesforce) sortedObjects() []string {
	names := make([]string, 0, len(e.objects))
	for n := range e.objects {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// SetSecrets implements Emulator: the consumer secret, and the password and
// security token of the integration user.
func (e *Salesforce) SetSecrets(s map[string]string) {
	e.SetConsumerSecret(s["consumer_secret"])
	e.SetPassword(e.Username(), s["password"], s["security_token"])
}
