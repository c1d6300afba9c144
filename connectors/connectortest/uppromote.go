package connectortest

import (
	"net/http"

	"github.com/credwiz/credwiz/connectors"
)

// UpPromote emulates the UpPromote API (placeholder until it lands).
type UpPromote struct{ Base }

// NewUpPromote starts a UpPromote emulator.
func NewUpPromote() *UpPromote {
	e := &UpPromote{}
	e.start(http.NotFoundHandler(), func(w http.ResponseWriter, status int) { w.WriteHeader(status) })
	return e
}

// Values returns values the emulator accepts.
func (e *UpPromote) Values() connectors.Values { return connectors.Values{} }
