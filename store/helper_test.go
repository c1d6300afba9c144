package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"
)

// helperResult is one line a helper prints as JSON.
type helperResult struct {
	Op          string `json:"op"`
	Elapsed     int64  `json:"elapsed_ms"`
	Unavailable bool   `json:"unavailable,omitempty"`
	Kind        Kind   `json:"kind,omitempty"`
	Err         string `json:"err,omitempty"`
}

// runHelper runs a helper action in a child process and returns its exit
// code. Inputs come from HELPER_* environment variables.
func runHelper(action string) int {
	enc := json.NewEncoder(os.Stdout)
	report := func(op string, start time.Time, kind Kind, err error) {
		r := helperResult{Op: op, Elapsed: time.Since(start).Milliseconds(), Kind: kind}
		if err != nil {
			r.Err = err.Error()
			r.Unavailable = errors.Is(err, ErrUnavailable)
		}
		_ = enc.Encode(r)
	}
	timeout, _ := time.ParseDuration(os.Getenv("HELPER_TIMEOUT"))
	switch action {
	case "put":
		// One process adding one credential, for the concurrent writers test.
		st := &Store{Index: NewIndex(os.Getenv("HELPER_DIR")), Secrets: NewMemory(), Tokens: NewMemory(), Kind: KindMemory}
		name := os.Getenv("HELPER_NAME")
		c, err := st.Add(context.Background(), sampleCredential(name), map[string]string{"client_secret": name}, AddOptions{})
		if err == nil {
			var errs []error
			errs, err = st.Record(context.Background(), []Record{{Name: name, Revision: c.Revision,
				Result: &TestResult{At: time.Now().UTC(), OK: true, Account: name}}})
			err = errors.Join(err, errs[0])
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return 0
	case "keychain":
		// Keychain calls against whatever DBUS_SESSION_BUS_ADDRESS says.
		k := NewKeychain("credwiz-test-hang", timeout)
		start := time.Now()
		_, err := k.Get("x")
		report("get", start, "", err)
		start = time.Now()
		err = k.Set("x", Item{Values: map[string]string{"k": "v"}})
		report("set", start, "", err)
		start = time.Now()
		err = k.Delete("x")
		report("delete", start, "", err)
		return 0
	case "file-get":
		// Another process reading a file store's item with no passphrase
		// (an unlocked session must serve it).
		f := NewFileStore(os.Getenv("HELPER_DIR"), FileOptions{})
		it, err := f.Section(SecretService).Get(os.Getenv("HELPER_NAME"))
		if err != nil {
			fmt.Fprintln(os.Stdout, err)
			return 1
		}
		fmt.Fprintln(os.Stdout, it.Values["k"])
		return 0
	case "open":
		start := time.Now()
		s, err := Open(Options{Dir: os.Getenv("HELPER_DIR"), Kind: Kind(os.Getenv("HELPER_KIND")), ProbeTimeout: timeout})
		var kind Kind
		if s != nil {
			kind = s.Kind
		}
		report("open", start, kind, err)
		return 0
	}
	if code, ok := runVaultHelper(action); ok {
		return code
	}
	fmt.Fprintf(os.Stderr, "unknown helper action %q\n", action)
	return 2
}

// sampleCredential returns a realistic credential called name.
func sampleCredential(name string) Credential {
	t := time.Date(2026, 11, 22, 19, 0, 0, 0, time.UTC)
	return Credential{
		Name:        name,
		Connector:   "demandbase",
		Description: "Production Demandbase for the marketing team <ops@example.com>",
		Fields: map[string]string{
			"base_url":  "https://uapi.demandbase.com",
			"client_id": "client-" + name,
		},
		SecretKeys:       []string{"client_secret"},
		CreatedAt:        t,
		UpdatedAt:        t,
		SecretsUpdatedAt: t,
		LastTest: &TestResult{
			At: t, OK: true, Account: "Example Corp (" + name + ")",
			TokenExpires: t.Add(8 * time.Hour),
		},
	}
}

// mustSymlink makes p a symbolic link to target.
func mustSymlink(t *testing.T, target, p string) {
	t.Helper()
	if err := os.Symlink(target, p); err != nil {
		t.Fatal(err)
	}
}
