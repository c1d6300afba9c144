package connectortest

import (
	"net/http"

	"github.com/credwiz/credwiz/connectors"
)

// Salesforce emulates the Salesforce API (placeholder until it lands).
type Salesforce struct{ Base }

// NewSalesforce starts a Salesforce emulator.
func NewSalesforce() *Salesforce {
	e := &Salesforce{}
	e.start(http.NotFoundHandler(), func(w http.ResponseWriter, status int) { w.WriteHeader(status) })
	return e
}

// Values returns values the emulator accepts.
func (e *Salesforce) Values() connectors.Values { return connectors.Values{} }
