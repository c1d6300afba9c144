package connectortest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/credwiz/credwiz/connectors"
)

// UpPromote emulates the UpPromote API as its public documentation describes it: one API
// key, which v1 (/api/v1/affiliates) accepts only as "Authorization: Bearer
// <key>" and v2 (/api/v2/affiliates, Accept: application/json required) only
// as the raw key, "Bearer " refused; 401 {"message":"Unauthorized"} for a
// wrong key and {"message":"Token not provided"} for none; and the rate limit
// of 120 requests a minute in fixed windows, failed calls included (its 429
// body and X-RateLimit-* headers are UNCONFIRMED; Laravel's are used).
// Start one with NewUpPromote.
type UpPromote struct {
	Base
	limit rateWindow

	mu         sync.Mutex
	key        string
	affiliates int
}

func init() { Register("uppromote", func() Emulator { return NewUpPromote() }) }

// NewUpPromote starts an UpPromote emulator with five affiliates.
func NewUpPromote() *UpPromote {
	e := &UpPromote{
		limit:      rateWindow{limit: 120, per: time.Minute},
		key:        randomToken("upk_"),
		affiliates: 5,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v1/affiliates", e.list("v1"))
	mux.HandleFunc("/api/v2/affiliates", e.list("v2"))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { upMessage(w, http.StatusNotFound, "Not Found") })
	e.shapes = []answerShape{{path: "/api/", others: shown}}
	e.Start(mux, func(w http.ResponseWriter, status int) {
		upMessage(w, status, vendorText(status, map[int]string{429: "Too Many Attempts.", 500: "Server Error"}))
	})
	return e
}

// Values returns values the emulator accepts (API v1).
func (e *UpPromote) Values() connectors.Values {
	e.mu.Lock()
	defer e.mu.Unlock()
	return connectors.Values{"token": e.key, "api_version": "v1", "base_url": e.URL()}
}

// SetKey makes key the only API key accepted from now on; "" revokes every
// key, as deleting the token in UpPromote would.
func (e *UpPromote) SetKey(key string) { e.mu.Lock(); e.key = key; e.mu.Unlock() }

// UseRate consumes n requests of the current rate-limit window, as other
// integrations of the same store would.
func (e *UpPromote) UseRate(n int) { e.limit.use(e.Now(), n) }

func (e *UpPromote) list(version string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ok, remaining, reset := e.limit.take(e.Now())
		w.Header().Set("X-RateLimit-Limit", strconv.Itoa(e.limit.limit))
		w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
		if !ok {
			w.Header().Set("Retry-After", retryAfterSeconds(reset))
			upMessage(w, http.StatusTooManyRequests, "Too Many Attempts.")
			return
		}
		if r.Method != http.MethodGet {
			upMessage(w, http.StatusMethodNotAllowed, "The "+r.Method+" method is not supported for this route. Supported methods: GET, HEAD.")
			return
		}
		auth := r.Header.Get("Authorization")
		key := auth // v2: the raw key; "Bearer <key>" does not match it
		if version == "v1" {
			key, _ = bearerToken(r)
		}
		if key == "" {
			upMessage(w, http.StatusUnauthorized, "Token not provided")
			return
		}
		if version == "v2" && !strings.Contains(r.Header.Get("Accept"), "application/json") {
			upMessage(w, http.StatusNotAcceptable, "Accept: application/json is required")
			return
		}
		e.mu.Lock()
		good, n := e.key != "" && key == e.key, e.affiliates
		e.mu.Unlock()
		if !good {
			upMessage(w, http.StatusUnauthorized, "Unauthorized")
			return
		}
		q := r.URL.Query()
		page, ok := intParam(q, "page", 1, 1, 10000)
		size := 10
		if ok && version == "v2" {
			size, ok = intParam(q, "per_page", 10, 1, 250)
		}
		if !ok {
			writeJSON(w, http.StatusUnprocessableEntity, `{"message":"The page and per_page fields must be positive integers (per_page at most 250).","errors":{"page":["The page field must be a positive integer."]}}`)
			return
		}
		var data, sep string
		for i := (page - 1) * size; i < n && i < page*size; i++ {
			data += sep + fmt.Sprintf(`{"id":%d,"email":"affiliate%d@example.com","first_name":"Aff","last_name":"Iliate %d","status":1,"program_id":19,"program_name":"Default program"}`, 300+i, i+1, i+1)
			sep = ","
		}
		if version == "v2" {
			writeJSON(w, http.StatusOK, `{"data":[`+data+`]}`)
			return
		}
		last := max((n+size-1)/size, 1)
		next := "null"
		if page < last {
			next = jsonString(fmt.Sprintf("%s/api/v1/affiliates?page=%d", e.URL(), page+1))
		}
		writeJSON(w, http.StatusOK, fmt.Sprintf(`{"data":[%s],"links":{"next":%s},"meta":{"current_page":%d,"last_page":%d,"per_page":%d,"total":%d}}`,
			data, next, page, last, size, n))
	}
}

// upMessage writes UpPromote's {"message": "..."} error body.
func upMessage(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, `{"message":`+jsonString(msg)+`}`)
}

// SetSecrets implements Emulator.
func (e *UpPromote) SetSecrets(s map[string]string) { e.SetKey(s["token"]) }
