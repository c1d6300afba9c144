package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"strings"
	"testing"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
)

// setup starts every emulator and a controller over them.
func setup(t *testing.T) (*controller, *bytes.Buffer) {
	t.Helper()
	out := &bytes.Buffer{}
	c := &controller{ems: map[string]connectortest.Emulator{}, out: out}
	for _, con := range connectors.All() {
		em := connectortest.New(con.ID)
		t.Cleanup(em.Close)
		c.ems[con.ID] = em
		c.order = append(c.order, con.ID)
	}
	return c, out
}

func test(t *testing.T, c *controller, id string, v connectors.Values) error {
	t.Helper()
	con, _ := connectors.Lookup(id)
	_, err := con.RunTest(context.Background(), nil, v)
	return err
}

// TestSalesforcePasswordChange: after "sf password", the old values are
// rejected and the new password with the printed token works.
func TestSalesforcePasswordChange(t *testing.T) {
	c, out := setup(t)
	sf := c.ems["salesforce"].(*connectortest.Salesforce)
	old := sf.Values()
	if c.do("sf password Autumn-2027!") {
		t.Fatal("quit")
	}
	said := out.String()
	if !strings.Contains(said, "Autumn-2027!") || !strings.Contains(said, "credwiz reauth") {
		t.Errorf("it said %q", said)
	}
	if err := test(t, c, "salesforce", old); !errors.Is(err, connectors.ErrRejected) {
		t.Errorf("old password: %v, want rejected", err)
	}
	v := sf.Values()
	if v["password"] != "Autumn-2027!" || v["security_token"] == old["security_token"] || !strings.Contains(said, v["security_token"]) {
		t.Errorf("new values %v; printed %q", v, said)
	}
	if err := test(t, c, "salesforce", v); err != nil {
		t.Errorf("new password: %v", err)
	}
}

func TestCommands(t *testing.T) {
	tests := []struct {
		line string
		want string
		fail func(t *testing.T, c *controller) // checks the effect
	}{
		{line: "sf expire", want: "has expired", fail: func(t *testing.T, c *controller) {
			if err := test(t, c, "salesforce", c.ems["salesforce"].Values()); !errors.Is(err, connectors.ErrRejected) {
				t.Errorf("expired password: %v", err)
			}
		}},
		{line: "sf token NEWTOKEN1", want: "NEWTOKEN1", fail: func(t *testing.T, c *controller) {
			if c.ems["salesforce"].Values()["security_token"] != "NEWTOKEN1" {
				t.Error("token not reset")
			}
		}},
		{line: "sf secret", want: "Consumer Secret is now"},
		{line: "outage drift on", want: "HTTP 500", fail: func(t *testing.T, c *controller) {
			if err := test(t, c, "drift", c.ems["drift"].Values()); !errors.Is(err, connectors.ErrVendor) {
				t.Errorf("during the outage: %v", err)
			}
			c.do("outage drift off")
			if err := test(t, c, "drift", c.ems["drift"].Values()); err != nil {
				t.Errorf("after the outage: %v", err)
			}
		}},
		{line: "ratelimit uppromote 5 1", want: "429 with Retry-After: 1", fail: func(t *testing.T, c *controller) {
			if err := test(t, c, "uppromote", c.ems["uppromote"].Values()); !errors.Is(err, connectors.ErrRateLimited) {
				t.Errorf("rate limited: %v", err)
			}
		}},
		{line: "latency all 0", want: "answering at once"},
		{line: "latency clazar 20ms", want: "waits 20ms"},
		{line: "latency clazar soon", want: "needs a duration"},
		{line: "outage nowhere on", want: `no emulator "nowhere"`},
		{line: "outage drift maybe", want: "on or off"},
		{line: "ratelimit drift x", want: "number of requests"},
		{line: "ratelimit drift 1 soon", want: "number of seconds"},
		{line: "latency drift", want: "needs a connector"},
		{line: "sf", want: "sf needs"},
		{line: "sf password", want: "needs the new password"},
		{line: "sf fly", want: "unknown sf command"},
		{line: "fly", want: "unknown command"},
		{line: "help", want: "sf password NEW"},
		{line: "status", want: "salesforce  http://127.0.0.1:"},
		{line: "   ", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			c, out := setup(t)
			if c.do(tc.line) {
				t.Fatal("quit")
			}
			if !strings.Contains(out.String(), tc.want) {
				t.Errorf("%q printed %q, want %q", tc.line, out.String(), tc.want)
			}
			if tc.fail != nil {
				tc.fail(t, c)
			}
		})
	}
}

func TestServeQuits(t *testing.T) {
	c, out := setup(t)
	if !c.serve(strings.NewReader("status\nquit\nstatus\n")) {
		t.Error("quit did not quit")
	}
	if strings.Count(out.String(), "salesforce  http") != 1 {
		t.Errorf("commands after quit ran: %q", out.String())
	}
	if c.serve(strings.NewReader("help\n")) {
		t.Error("the end of stdin quit")
	}
}

// TestUsageListsTheCommands: -h says the emulators listen on loopback
// only and lists the commands they read on stdin, not just the flags.
func TestUsageListsTheCommands(t *testing.T) {
	fs := flag.NewFlagSet("emulators", flag.ContinueOnError)
	fs.Bool("json", false, "print the emulators as a JSON array")
	var out strings.Builder
	fs.SetOutput(&out)
	usage(fs)
	for _, want := range []string{"127.0.0.1 (loopback only", "-json", "sf password NEW", "latency NAME|all DURATION", "quit"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("-h lacks %q:\n%s", want, out.String())
		}
	}
}
