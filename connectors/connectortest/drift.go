package connectortest

import (
	"net/http"

	"github.com/credwiz/credwiz/connectors"
)

// Drift emulates the Drift API (placeholder until it lands).
type Drift struct{ Base }

// NewDrift starts a Drift emulator.
func NewDrift() *Drift {
	e := &Drift{}
	e.start(http.NotFoundHandler(), func(w http.ResponseWriter, status int) { w.WriteHeader(status) })
	return e
}

// Values returns values the emulator accepts.
func (e *Drift) Values() connectors.Values { return connectors.Values{} }
