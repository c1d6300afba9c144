package newconnector

import (
	"fmt"
	"net/http"
	"sync"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
)

// acmeEmulator emulates the Acme API: one key, checked on GET /v1/me.
type acmeEmulator struct {
	connectortest.Base

	mu  sync.Mutex
	key string
}

func init() { connectortest.Register("acme", func() connectortest.Emulator { return newAcme() }) }

func newAcme() *acmeEmulator {
	e := &acmeEmulator{key: "acme-key-0123456789abcdef"}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/me", func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		ok := r.Header.Get("Authorization") == "Bearer "+e.key
		e.mu.Unlock()
		if !ok {
			acmeError(w, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"workspace":"rocket-skates","plan":"team"}`)
	})
	e.Start(mux, acmeError)
	return e
}

// SetSecrets makes the emulator accept s's api_key from now on.
func (e *acmeEmulator) SetSecrets(s map[string]string) {
	e.mu.Lock()
	e.key = s["api_key"]
	e.mu.Unlock()
}

// Values returns values the emulator accepts.
func (e *acmeEmulator) Values() connectors.Values {
	e.mu.Lock()
	defer e.mu.Unlock()
	return connectors.Values{"api_key": e.key, "base_url": e.URL()}
}

func acmeError(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error":%q}`, http.StatusText(status))
}
