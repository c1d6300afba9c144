package connectortest

import (
	"net/http"

	"github.com/credwiz/credwiz/connectors"
)

// Demandbase emulates the Demandbase API (placeholder until it lands).
type Demandbase struct{ Base }

// NewDemandbase starts a Demandbase emulator.
func NewDemandbase() *Demandbase {
	e := &Demandbase{}
	e.start(http.NotFoundHandler(), func(w http.ResponseWriter, status int) { w.WriteHeader(status) })
	return e
}

// Values returns values the emulator accepts.
func (e *Demandbase) Values() connectors.Values { return connectors.Values{} }
