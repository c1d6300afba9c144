package main

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/credwiz/credwiz/connectors/connectortest"
)

// controlHelp lists the commands read on stdin.
const controlHelp = `Commands (one a line):
  sf password NEW [TOKEN]   change the Salesforce user's password, as Salesforce does: a new
                            security token replaces the old one (a random one unless TOKEN)
  sf expire                 expire the password: logins fail with invalid_grant
  sf token [NEW]            Reset My Security Token (a random one unless NEW)
  sf secret [NEW]           give the connected app a new Consumer Secret
  latency NAME|all DURATION delay every answer (e.g. 3s; 0 stops)
  outage NAME|all on|off    answer every request with HTTP 500
  ratelimit NAME|all N [S]  answer the next N requests with 429 (Retry-After: S seconds)
  status                    the emulators and their URLs
  help                      this list
  quit                      stop the emulators
NAME is a connector: demandbase, salesforce, uppromote, clazar, drift.`

// controller applies the commands to the running emulators.
type controller struct {
	ems   map[string]connectortest.Emulator
	order []string
	out   io.Writer
}

// serve reads commands from in until quit or the end of in; it returns
// true on quit.
func (c *controller) serve(in io.Reader) bool {
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		if c.do(sc.Text()) {
			return true
		}
	}
	return false
}

// do runs one command line and prints what it did; it returns true on
// quit.
func (c *controller) do(line string) bool {
	f := strings.Fields(line)
	if len(f) == 0 {
		return false
	}
	say := func(format string, a ...any) { fmt.Fprintf(c.out, format+"\n", a...) }
	switch f[0] {
	case "quit", "exit":
		say("Stopping the emulators.")
		return true
	case "help", "?":
		say("%s", controlHelp)
	case "status":
		for _, id := range c.order {
			say("%-11s %s", id, c.ems[id].URL())
		}
	case "sf", "salesforce":
		c.salesforce(f[1:], say)
	case "latency", "outage", "ratelimit":
		if len(f) < 3 {
			say("%s needs a connector (or all) and a value; type help", f[0])
			return false
		}
		targets, ok := c.targets(f[1])
		if !ok {
			say("no emulator %q; one of: %s, or all", f[1], strings.Join(c.order, ", "))
			return false
		}
		c.fault(f[0], f[2:], targets, say)
	default:
		say("unknown command %q; type help", f[0])
	}
	return false
}

// salesforce runs an "sf" command.
func (c *controller) salesforce(args []string, say func(string, ...any)) {
	sf, _ := c.ems["salesforce"].(*connectortest.Salesforce)
	if sf == nil || len(args) == 0 {
		say("sf needs password, expire, token or secret; type help")
		return
	}
	user := sf.Username()
	switch args[0] {
	case "password":
		if len(args) < 2 {
			say("sf password needs the new password")
			return
		}
		tok := randomToken(args[2:])
		sf.SetPassword(user, args[1], tok)
		say("salesforce: the password of %s is now %s and its security token %s; the old ones stop working.", user, args[1], tok)
		say("  credwiz test fails with invalid_grant; re-authenticate with: credwiz reauth NAME")
	case "expire":
		sf.ExpirePassword(user)
		say("salesforce: the password of %s has expired; logins fail with invalid_grant until sf password.", user)
	case "token":
		tok := randomToken(args[1:])
		sf.ResetSecurityToken(user, tok)
		say("salesforce: the security token of %s is now %s; the old one stops working.", user, tok)
	case "secret":
		secret := randomToken(args[1:])
		sf.SetConsumerSecret(secret)
		say("salesforce: the connected app's Consumer Secret is now %s; the old one stops working.", secret)
	default:
		say("unknown sf command %q; type help", args[0])
	}
}

// fault runs latency, outage or ratelimit on targets.
func (c *controller) fault(cmd string, args []string, targets []string, say func(string, ...any)) {
	names := strings.Join(targets, ", ")
	switch cmd {
	case "latency":
		d, err := time.ParseDuration(args[0])
		if err != nil || d < 0 {
			say("latency needs a duration such as 3s or 0")
			return
		}
		for _, id := range targets {
			c.ems[id].Faults().Delay(d)
		}
		if d == 0 {
			say("%s: answering at once again.", names)
		} else {
			say("%s: every answer now waits %s (credwiz's --timeout is 15s by default).", names, d)
		}
	case "outage":
		on := args[0] == "on"
		if !on && args[0] != "off" {
			say("outage takes on or off")
			return
		}
		for _, id := range targets {
			if on {
				c.ems[id].Faults().ServerError(math.MaxInt32)
			} else {
				c.ems[id].Faults().ServerError(0)
			}
		}
		if on {
			say("%s: every request is now answered with HTTP 500 (outage off ends it).", names)
		} else {
			say("%s: the outage is over.", names)
		}
	case "ratelimit":
		n, err := strconv.Atoi(args[0])
		if err != nil || n < 0 {
			say("ratelimit needs a number of requests")
			return
		}
		retry := ""
		if len(args) > 1 {
			if _, err := strconv.Atoi(args[1]); err != nil {
				say("ratelimit's Retry-After is a number of seconds")
				return
			}
			retry = args[1]
		}
		for _, id := range targets {
			c.ems[id].Faults().RateLimit(n, retry)
		}
		after := "without Retry-After"
		if retry != "" {
			after = "with Retry-After: " + retry
		}
		say("%s: the next %d request(s) are answered with 429 %s.", names, n, after)
	}
}

// targets resolves a connector name or "all".
func (c *controller) targets(name string) ([]string, bool) {
	if name == "all" {
		return c.order, true
	}
	if name == "sf" {
		name = "salesforce"
	}
	if _, ok := c.ems[name]; ok {
		return []string{name}, true
	}
	return nil, false
}

// randomToken returns given[0], or a random token like Salesforce's.
func randomToken(given []string) string {
	if len(given) > 0 {
		return given[0]
	}
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b)[:4]) + hex.EncodeToString(b)[4:]
}
