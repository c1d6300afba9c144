package connectortest

import (
	"net/http"
	"net/http/httptest"
	"strconv"
)

// Answer is an emulator's answer to one request, as a Rewrite function
// sees it before it is sent.
type Answer struct {
	// Status is the HTTP status.
	Status int
	// Header holds the answer's headers; Content-Length is set on sending.
	Header http.Header
	// Body is the whole body.
	Body []byte
}

// record runs h for r and returns its answer instead of sending it.
func record(h http.Handler, r *http.Request) *Answer {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	res := rec.Result()
	return &Answer{Status: res.StatusCode, Header: res.Header, Body: rec.Body.Bytes()}
}

// send writes a to w.
func (a *Answer) send(w http.ResponseWriter) {
	for k, vs := range a.Header {
		w.Header()[k] = vs
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(a.Body)))
	w.WriteHeader(a.Status)
	_, _ = w.Write(a.Body)
}
