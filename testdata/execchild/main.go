//go:build unix

// Command execchild is the program the end-to-end tests run under
// credwiz exec: it uses the variables credwiz gives it the way a script
// would, and reports what it saw.
//
//	execchild call CONNECTOR PREFIX   one authorised read of the vendor's API; prints the status and the body
//	execchild split PREFIX            prints PREFIX_ACCESS_TOKEN split across writes, mid-line and in colour, on stdout and stderr
//	execchild wait                    prints "pid N", then waits for stdin to end
//	execchild trap CODE               prints "ready", then "got NAME" for each SIGTERM, SIGINT, SIGHUP or SIGWINCH;
//	                                  exits CODE after SIGTERM or SIGHUP, and two seconds after the last SIGINT
//	execchild spew MIB PREFIX         writes MIB MiB of log lines, one in a hundred holding PREFIX_ACCESS_TOKEN
//
// It is built by the tests (go build ./testdata/execchild); go build ./...
// leaves it out.
package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fail("usage: execchild call|split|wait|trap|spew ...")
	}
	switch os.Args[1] {
	case "call":
		call(os.Args[2], os.Args[3])
	case "split":
		split(os.Getenv(os.Args[2] + "_ACCESS_TOKEN"))
	case "wait":
		fmt.Printf("pid %d\n", os.Getpid())
		_, _ = io.Copy(io.Discard, os.Stdin)
	case "trap":
		code, _ := strconv.Atoi(os.Args[2])
		trap(code)
	case "spew":
		mib, _ := strconv.Atoi(os.Args[2])
		spew(mib, os.Getenv(os.Args[3]+"_ACCESS_TOKEN"))
	default:
		fail("unknown mode " + os.Args[1])
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "execchild:", msg)
	os.Exit(99)
}

// call makes the cheap authorised read of each vendor's API with the
// token and base URL from the environment only.
func call(connector, prefix string) {
	tok := os.Getenv(prefix + "_ACCESS_TOKEN")
	base := os.Getenv(prefix + "_BASE_URL")
	if tok == "" {
		fail(prefix + "_ACCESS_TOKEN is not set")
	}
	var req *http.Request
	var err error
	auth := "Bearer " + tok
	switch connector {
	case "demandbase":
		req, err = http.NewRequest(http.MethodGet, base+"/data/b2b/v1/reference/JobLevel", nil)
	case "clazar":
		req, err = http.NewRequest(http.MethodGet, base+"/listings?response_format=common&page=1&page_size=1", nil)
	case "uppromote":
		req, err = http.NewRequest(http.MethodGet, base+"/api/v1/affiliates?page=1", nil)
	case "drift":
		body := `{"access_token":"` + tok + `"}`
		req, err = http.NewRequest(http.MethodPost, base+"/app/token_info", strings.NewReader(body))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
		}
	case "salesforce":
		req, err = http.NewRequest(http.MethodGet, os.Getenv(prefix+"_INSTANCE_URL")+"/services/data/v64.0/sobjects/", nil)
	default:
		fail("unknown connector " + connector)
	}
	if err != nil {
		fail(err.Error())
	}
	req.Header.Set("Authorization", auth)
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fail(err.Error())
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	fmt.Printf("status %d\n%s\n", resp.StatusCode, b)
}

// split writes the token in pieces, each its own write with a pause
// between, so that credwiz reads them apart: split across writes,
// after text on the same line, and between colour sequences.
func split(tok string) {
	if len(tok) < 8 {
		fail("no token")
	}
	half := len(tok) / 2
	for _, w := range []*os.File{os.Stdout, os.Stderr} {
		pieces := []string{
			"a " + tok[:3], tok[3:half], tok[half:] + " b\n",
			"mid-line " + tok + " ", "no newline yet", "\n",
			"\x1b[1;31m" + tok[:half], tok[half:] + "\x1b[0m\n",
			"prefix only " + tok[:len(tok)-1] + "\n",
		}
		for _, p := range pieces {
			if _, err := w.WriteString(p); err != nil {
				os.Exit(98)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// trap reports the signals it gets. It exits two seconds after the last
// SIGINT, saying how many came (a Ctrl-C delivered twice counts two).
func trap(code int) {
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGWINCH)
	fmt.Println("ready")
	ints := 0
	var settle <-chan time.Time
	for {
		select {
		case <-settle:
			fmt.Printf("INT received %d time(s)\n", ints)
			os.Exit(code)
		case s := <-sigs:
			switch s {
			case syscall.SIGWINCH:
				fmt.Println("got WINCH")
			case syscall.SIGINT:
				ints++
				fmt.Printf("got INT %d\n", ints)
				settle = time.After(2 * time.Second)
			case syscall.SIGTERM:
				fmt.Println("got TERM")
				os.Exit(code)
			case syscall.SIGHUP:
				fmt.Println("got HUP")
				os.Exit(code)
			}
		}
	}
}

// spew writes mib MiB of coloured log lines, one in a hundred holding
// the token, in 32 KiB writes: a block of lines made once, written over
// and over, so that the writing costs next to nothing.
func spew(mib int, tok string) {
	var block bytes.Buffer
	for i := 0; block.Len() < 1<<20; i++ {
		fmt.Fprintf(&block, "\x1b[32m2026-11-29T10:%02d:%02dZ\x1b[0m INFO GET https://api.example.com/v1/accounts?page=%d {\"status\":\"ok\",\"items\":%d}", i/60%60, i%60, i, i%500)
		if i%100 == 0 {
			block.WriteString(" bearer=" + tok)
		}
		block.WriteByte('\n')
	}
	b := block.Bytes()
	for range mib {
		for p := b; len(p) > 0; {
			n := min(len(p), 32<<10)
			if _, err := os.Stdout.Write(p[:n]); err != nil {
				os.Exit(98)
			}
			p = p[n:]
		}
	}
}
