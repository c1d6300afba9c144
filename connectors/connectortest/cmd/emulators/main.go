// Command emulators runs credwiz's vendor API emulators on loopback until
// interrupted (or quit), and prints for each connector its base URL and
// values the emulator accepts, as ready-to-paste credwiz commands (or
// --json). Use it to try credwiz, or to demo it, without a vendor account:
//
//	go run ./connectors/connectortest/cmd/emulators
//
// It then reads commands on stdin that change the emulated vendors as an
// operator or an outage would: change or expire the Salesforce password,
// reset its security token, add latency, an outage or rate limiting (help
// lists them). Each command prints what it did.
//
// The values are the emulators' own fake secrets; nothing leaves the machine.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest"
)

type entry struct {
	Connector string            `json:"connector"`
	URL       string            `json:"url"`
	Fields    map[string]string `json:"fields"`
	Secrets   map[string]string `json:"secrets"`
}

func main() {
	asJSON := flag.Bool("json", false, "print the emulators as a JSON array")
	myDomain := flag.Bool("salesforce-my-domain", false, "the Salesforce emulator acts as a My Domain host and accepts the client_credentials flow (its values are printed for that flow)")
	flag.Usage = func() { usage(flag.CommandLine) }
	flag.Parse()
	var entries []entry
	ctl := &controller{ems: map[string]connectortest.Emulator{}, out: os.Stdout}
	for _, c := range connectors.All() {
		em := connectortest.New(c.ID)
		defer em.Close()
		ctl.ems[c.ID] = em
		ctl.order = append(ctl.order, c.ID)
		e := entry{Connector: c.ID, URL: em.URL(), Fields: map[string]string{}, Secrets: map[string]string{}}
		values := em.Values()
		if sf, ok := em.(*connectortest.Salesforce); ok && *myDomain {
			sf.SetMyDomain(true)
			values = sf.ClientCredentialsValues()
		}
		for k, v := range values {
			if fd, ok := c.Field(k); ok && fd.Secret {
				e.Secrets[k] = v
			} else {
				e.Fields[k] = v
			}
		}
		entries = append(entries, e)
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		_ = enc.Encode(entries)
	} else {
		for _, e := range entries {
			fmt.Printf("%-11s %s\n", e.Connector, e.URL)
			fmt.Printf("  %s\n\n", addCommand(e))
		}
		fmt.Println("Emulators running; Ctrl-C (or quit) stops them. Type help for the commands that change them.")
	}
	quit := make(chan struct{})
	go func() {
		if ctl.serve(os.Stdin) {
			close(quit)
		}
		// At the end of stdin (run in the background), keep running.
	}()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	select {
	case <-sig:
	case <-quit:
	}
}

// addCommand is a scripted credwiz add for the emulator's values.
func addCommand(e entry) string {
	var secrets, fields []string
	for _, k := range sortedKeys(e.Secrets) {
		secrets = append(secrets, k+"="+e.Secrets[k])
	}
	for _, k := range sortedKeys(e.Fields) {
		fields = append(fields, "--field "+k+"="+e.Fields[k])
	}
	return fmt.Sprintf("printf '%s\\n' | credwiz add %s --name demo-%s %s --secrets-stdin",
		strings.Join(secrets, `\n`), e.Connector, e.Connector, strings.Join(fields, " "))
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// usage prints -h: what the emulators do, the flags of fs, and the
// commands read on stdin.
func usage(fs *flag.FlagSet) {
	fmt.Fprintf(fs.Output(), `Usage: emulators [-json] [-salesforce-my-domain]

Starts an emulator of each vendor's API on 127.0.0.1 (loopback only; a
random port each), prints how to add a credential against each, and reads
commands on stdin until quit or Ctrl-C.

Flags:
`)
	fs.PrintDefaults()
	fmt.Fprintf(fs.Output(), "\n%s\n", controlHelp)
}
