package connectors_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
	"github.com/credwiz/credwiz/connectors/connectortest/conformance"
)

// TestErrorsNeverEchoSecrets points every connector at a hostile vendor that
// answers each request with an error (or a broken success) whose body
// repeats everything the request carried: the Authorization header, the
// body and the URL, in every error field the connectors read. The emulators
// never echo secrets, so this is the test that proves redaction on every
// error path.
func TestErrorsNeverEchoSecrets(t *testing.T) {
	t.Parallel()
	shapes := []struct {
		name string
		body func(echo string) string
	}{
		{name: "text", body: func(echo string) string { return echo }},
		{name: "flat JSON", body: func(echo string) string {
			return mustJSON(map[string]any{"errorCode": echo, "errorMessage": echo, "message": echo, "detail": echo,
				"status": echo, "error": echo, "error_description": echo, "details": echo})
		}},
		{name: "nested JSON", body: func(echo string) string {
			return mustJSON(map[string]any{"error": map[string]string{"type": echo, "message": echo}})
		}},
		{name: "JSON array", body: func(echo string) string {
			return mustJSON([]map[string]string{{"message": echo, "errorCode": echo, "error": echo, "error_description": echo}})
		}},
	}
	for _, c := range connectors.All() {
		for _, status := range []int{200, 400, 401, 403, 404, 422, 500} {
			for _, shape := range shapes {
				t.Run(c.ID+"/"+http.StatusText(status)+"/"+shape.name, func(t *testing.T) {
					t.Parallel()
					srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						b, _ := io.ReadAll(r.Body)
						form, _ := url.ParseQuery(string(b))
						echo := r.Header.Get("Authorization") + " " + string(b) + " " + r.URL.String() + " " + form.Encode()
						w.Header().Set("Content-Type", "application/json")
						w.WriteHeader(status)
						io.WriteString(w, shape.body(echo))
					}))
					t.Cleanup(srv.Close)
					e := connectortest.New(c.ID)
					e.Close() // only its values are needed
					v := e.Values()
					for _, f := range c.Fields {
						if f.Domain != "" {
							v[f.Key] = srv.URL
						}
					}
					_, err := c.RunTest(context.Background(), testClient, v)
					if err == nil {
						return // a 200 echo may happen to satisfy a connector; nothing to leak then
					}
					conformance.AssertNoSecret(t, err, c.Secrets(c.Normalize(v)))
				})
			}
		}
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
