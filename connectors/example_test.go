package connectors_test

import (
	"fmt"

	"github.com/credwiz/credwiz/connectors"
)

func ExampleCheckURL() {
	for _, raw := range []string{
		"https://uapi.demandbase.com",
		"https://demandbase.example.net",
		"http://127.0.0.1:8080",
		"http://uapi.demandbase.com",
	} {
		warning, err := connectors.CheckURL(raw, "demandbase.com")
		fmt.Printf("%s: warning=%q err=%v\n", raw, warning, err)
	}
	// Output:
	// https://uapi.demandbase.com: warning="" err=<nil>
	// https://demandbase.example.net: warning="demandbase.example.net is not a demandbase.com host: the secret will be sent to demandbase.example.net" err=<nil>
	// http://127.0.0.1:8080: warning="" err=<nil>
	// http://uapi.demandbase.com: warning="" err=must use https:// (http:// is allowed only for loopback hosts such as 127.0.0.1 or localhost)
}

func ExampleConnector_Normalize() {
	c := mustConnector("uppromote")
	v := c.Normalize(connectors.Values{"token": "  Bearer upk_12345678 \n"})
	fmt.Println(v["token"], v["api_version"], v["base_url"])
	fmt.Println(c.Validate(v))
	// Output:
	// upk_12345678 v1 https://aff-api.uppromote.com
	// <nil>
}

func ExampleLeakCheck() {
	c := mustConnector("drift")
	v := connectors.Values{"api_key": "drift-s3cr3t-key", "base_url": "https://driftapi.com"}
	lc := connectors.NewLeakCheck(c.Secrets(v)...)
	for _, text := range []string{
		`{"error":{"message":"token revoked"}}`,
		`{"error":{"message":"token DRIFT-S3CR3T-KEY revoked"}}`,
		`<p>token drift-s3cr3t&#45;key revoked</p>`,
		`{"echo":"ZHJpZnQtczNjcjN0LWtleQ=="}`,
	} {
		fmt.Println(lc.Withhold(text))
	}
	// Output:
	// {"error":{"message":"token revoked"}}
	// the vendor's answer quoted the credential, so it is not shown
	// the vendor's answer quoted the credential, so it is not shown
	// the vendor's answer quoted the credential, so it is not shown
}
