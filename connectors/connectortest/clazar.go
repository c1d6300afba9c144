package connectortest

import (
	"net/http"

	"github.com/credwiz/credwiz/connectors"
)

// Clazar emulates the Clazar API (placeholder until it lands).
type Clazar struct{ Base }

// NewClazar starts a Clazar emulator.
func NewClazar() *Clazar {
	e := &Clazar{}
	e.start(http.NotFoundHandler(), func(w http.ResponseWriter, status int) { w.WriteHeader(status) })
	return e
}

// Values returns values the emulator accepts.
func (e *Clazar) Values() connectors.Values { return connectors.Values{} }
