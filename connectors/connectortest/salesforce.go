package connectortest

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/credwiz/credwiz/connectors"
)

// Salesforce emulates one Salesforce org behind its login host: the OAuth
// token endpoint (username-password and client-credentials flows), the
// REST API's version list and describeGlobal, and the identity URL. It
// keeps users with passwords, security tokens and lock and expiry flags, a
// connected app, org settings, sessions that time out, object visibility
// and the daily API request counter, and answers with Salesforce's own
// status codes and error bodies. Every check is real: a wrong consumer
// key, secret, password or token is refused. Knobs are safe for
// concurrent use; those taking a username panic for an unknown user (a
// test bug). The zero value is not usable: call NewSalesforce.
//
// By default the emulator is a production login host (login.salesforce.com
// style): the username-password flow is allowed and the client-credentials
// flow is refused as "request not supported on this domain" until
// SetMyDomain(true).
type Salesforce struct {
	Base

	mu             sync.Mutex
	orgID          string
	consumerKey    string
	consumerSecret string
	users          map[string]*sfUser // by lower-case username
	username       string             // the integration user Values uses
	runAs          string             // client-credentials Run As username; "" = none
	passwordBlock  bool               // org blocks the username-password flow
	myDomain       bool               // the host is a My Domain
	trustedIP      bool               // requests come from a trusted IP range
	approval       bool               // app admits only pre-authorized users
	expiredLogin   bool               // expired-password logins get a restricted session
	orgAPIOff      bool               // API_DISABLED_FOR_ORG
	sessionTimeout time.Duration
	sessions       map[string]*sfSession
	objects        map[string]*sfObject
	apiUsed        int
	apiLimit       int
	versions       []string
}

// sfUser is one Salesforce user of the emulated org.
type sfUser struct {
	id, username, displayName string
	password, securityToken   string
	locked, passwordExpired   bool
	apiEnabled                bool
}

// sfSession is one access token and the user it belongs to.
type sfSession struct {
	user     *sfUser
	lastUsed time.Time
	// restricted sessions come from a login with an expired password: the
	// REST API answers INVALID_OPERATION_WITH_EXPIRED_PASSWORD.
	restricted bool
}

// sfObject is one sObject of describeGlobal.
type sfObject struct {
	keyPrefix, label, plural string
	retrieveable, queryable  bool
	custom                   bool
}

// Defaults of a new emulated org.
const (
	sfOrgID          = "00D5g000004XyZ1EAK"
	sfUserID         = "0055g00000AbCdEAAV"
	sfUsername       = "integration@acme.example.com"
	sfPassword       = "Spring-Time-2026!"
	sfSecurityToken  = "Xy7Pq2LmN9rT4vWb8KcD3fGh"
	sfConsumerKey    = "3MVG9fe4g9fhX0E5x2kT8mQ1rVzN7pLw4cY6bJ0aH3sD5uK9oE2iF8gR1tA7yZ3xC6vB9nM2lQ4wP7jS0dG5hL8k"
	sfConsumerSecret = "4F1C8B2D9E7A3F6C5B0D2E8A1C7F9B3D6E4A2C8F0B5D9E1A7C3F6B2D8E4A0C9F"
	sfDefaultLimit   = 5000
	sfDefaultTimeout = 2 * time.Hour
)

// sfDefaultObjects are the sObjects a new org shows the integration user:
// everything Demandbase reads, plus a few others.
var sfDefaultObjects = map[string]sfObject{
	"Account":                {keyPrefix: "001", label: "Account", plural: "Accounts"},
	"Contact":                {keyPrefix: "003", label: "Contact", plural: "Contacts"},
	"Lead":                   {keyPrefix: "00Q", label: "Lead", plural: "Leads"},
	"Opportunity":            {keyPrefix: "006", label: "Opportunity", plural: "Opportunities"},
	"Campaign":               {keyPrefix: "701", label: "Campaign", plural: "Campaigns"},
	"CampaignMember":         {keyPrefix: "00v", label: "Campaign Member", plural: "Campaign Members"},
	"Task":                   {keyPrefix: "00T", label: "Task", plural: "Tasks"},
	"Event":                  {keyPrefix: "00U", label: "Event", plural: "Events"},
	"User":                   {keyPrefix: "005", label: "User", plural: "Users"},
	"Group":                  {keyPrefix: "00G", label: "Group", plural: "Groups"},
	"OpportunityContactRole": {keyPrefix: "00K", label: "Opportunity Contact Role", plural: "Opportunity Contact Role"},
	"OpportunityHistory":     {keyPrefix: "008", label: "Opportunity History", plural: "Opportunity History"},
	"Report":                 {keyPrefix: "00O", label: "Report", plural: "Reports"},
	"Case":                   {keyPrefix: "500", label: "Case", plural: "Cases"},
	"Product2":               {keyPrefix: "01t", label: "Product", plural: "Products"},
	"Demandbase_Account__c":  {keyPrefix: "a0B", label: "Demandbase Account", plural: "Demandbase Accounts", custom: true},
}

func init() { Register("salesforce", func() Emulator { return NewSalesforce() }) }

// NewSalesforce starts a Salesforce emulator with one active, API-enabled
// integration user (see Values), a connected app, every object Demandbase
// reads visible and readable, and 18 of 5000 daily API requests used.
func NewSalesforce() *Salesforce {
	e := &Salesforce{
		orgID:          sfOrgID,
		consumerKey:    sfConsumerKey,
		consumerSecret: sfConsumerSecret,
		users:          map[string]*sfUser{},
		username:       sfUsername,
		runAs:          sfUsername,
		sessionTimeout: sfDefaultTimeout,
		sessions:       map[string]*sfSession{},
		objects:        map[string]*sfObject{},
		apiUsed:        18,
		apiLimit:       sfDefaultLimit,
		versions:       []string{"20.0", "31.0", "45.0", "58.0", "59.0", "60.0", "61.0", "62.0", "63.0", "64.0"},
	}
	e.users[strings.ToLower(sfUsername)] = &sfUser{id: sfUserID, username: sfUsername, displayName: "Integration User",
		password: sfPassword, securityToken: sfSecurityToken, apiEnabled: true}
	for name, o := range sfDefaultObjects {
		o.retrieveable, o.queryable = true, true
		e.objects[name] = &o
	}
	e.shapes = []answerShape{
		{path: "/services/oauth2/token", fields: map[string]fieldKind{"token_type": shown, "issued_at": shown, "signature": shown}},
		{path: "/services/data/", fields: map[string]fieldKind{"label": shown, "url": shown}},
		{path: "/services/data/v", fields: map[string]fieldKind{"name": kept, "queryable": kept, "retrieveable": kept}, others: shown},
		{path: "/id/", fields: map[string]fieldKind{"username": shownNeeded, "organization_id": shownNeeded}, others: shown},
	}
	e.Start(http.HandlerFunc(e.serve), sfVendorError)
	return e
}

// Values returns password-flow values the emulator accepts, with login_url
// the emulator's URL.
func (e *Salesforce) Values() connectors.Values {
	e.mu.Lock()
	defer e.mu.Unlock()
	u := e.users[strings.ToLower(e.username)]
	return connectors.Values{
		"login_url":       e.URL(),
		"flow":            connectors.SalesforceFlowPassword,
		"consumer_key":    e.consumerKey,
		"consumer_secret": e.consumerSecret,
		"username":        u.username,
		"password":        u.password,
		"security_token":  u.securityToken,
	}
}

// ClientCredentialsValues returns client-credentials values; the emulator
// accepts them once SetMyDomain(true).
func (e *Salesforce) ClientCredentialsValues() connectors.Values {
	e.mu.Lock()
	defer e.mu.Unlock()
	return connectors.Values{
		"login_url":       e.URL(),
		"flow":            connectors.SalesforceFlowClientCredentials,
		"consumer_key":    e.consumerKey,
		"consumer_secret": e.consumerSecret,
	}
}
