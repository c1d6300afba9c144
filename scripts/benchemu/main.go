// Command benchemu runs the Drift, Demandbase and Clazar emulators of
// connectors/connectortest on loopback for scripts/bench.sh, until
// SIGTERM or SIGINT:
//
//	go run ./scripts/benchemu -delay 200ms -env emu.env -state emu.state
//
// -env receives, once the emulators listen, their URLs and accepted values
// as shell assignments (DRIFT_URL, DRIFT_API_KEY, DEMANDBASE_URL, …) for
// the script to source. -state is rewritten every 100 ms, and at exit,
// with counters the script reads: the token exchanges each OAuth emulator
// issued and the requests Drift received. -delay delays every Drift
// answer (the "API that answers in 200 ms" of the test --all figure); the
// OAuth emulators answer at once.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/credwiz/credwiz/connectors/connectortest"
)

func main() {
	delay := flag.Duration("delay", 0, "delay of every Drift answer")
	envPath := flag.String("env", "", "file to write the emulators' URLs and values to, as shell assignments")
	statePath := flag.String("state", "", "file to keep the emulators' counters in")
	flag.Parse()
	if *envPath == "" || *statePath == "" {
		fmt.Fprintln(os.Stderr, "benchemu: -env and -state are required")
		os.Exit(2)
	}
	drift := connectortest.NewDrift()
	defer drift.Close()
	db := connectortest.NewDemandbase()
	defer db.Close()
	clazar := connectortest.NewClazar()
	defer clazar.Close()
	// Drift allows 600 requests a minute, Demandbase's Admin API 90, and
	// the emulators enforce that; a clock that runs a second per reading
	// keeps repeated test runs (50 requests each for test --all) within
	// the limits. Tokens (8 hours, 1 hour) stay valid for thousands of
	// readings.
	start := time.Now()
	for _, e := range []interface{ SetClock(func() time.Time) }{drift, db, clazar} {
		var ticks atomic.Int64
		e.SetClock(func() time.Time { return start.Add(time.Duration(ticks.Add(1)) * time.Second) })
	}
	drift.Faults().Delay(*delay)

	var env strings.Builder
	assign := func(k, v string) { fmt.Fprintf(&env, "%s='%s'\n", k, strings.ReplaceAll(v, "'", `'\''`)) }
	assign("DRIFT_URL", drift.URL())
	assign("DRIFT_API_KEY", drift.Values()["api_key"])
	dv := db.Values()
	assign("DEMANDBASE_URL", db.URL())
	assign("DEMANDBASE_CLIENT_ID", dv["client_id"])
	assign("DEMANDBASE_CLIENT_SECRET", dv["client_secret"])
	cv := clazar.Values()
	assign("CLAZAR_URL", clazar.URL())
	assign("CLAZAR_CLIENT_ID", cv["client_id"])
	assign("CLAZAR_CLIENT_SECRET", cv["client_secret"])
	if err := writeAtomic(*envPath, env.String()); err != nil {
		fmt.Fprintln(os.Stderr, "benchemu:", err)
		os.Exit(1)
	}

	state := func() {
		s := fmt.Sprintf("DEMANDBASE_TOKENS=%d\nCLAZAR_TOKENS=%d\nDRIFT_REQUESTS=%d\n",
			db.TokensIssued(), clazar.TokensIssued(), len(drift.Requests()))
		if err := writeAtomic(*statePath, s); err != nil {
			fmt.Fprintln(os.Stderr, "benchemu:", err)
		}
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		state()
		select {
		case <-sig:
			state()
			return
		case <-tick.C:
		}
	}
}

// writeAtomic replaces path with text, so that a reader never sees half.
func writeAtomic(path, text string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".benchemu-*")
	if err != nil {
		return err
	}
	if _, err := tmp.WriteString(text); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
