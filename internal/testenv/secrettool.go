package testenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// keyringFix says how to get a Secret Service for the tests.
const keyringFix = "install gnome-keyring, dbus-daemon, dbus-bin and libsecret-tools (bash scripts/test.sh does, as root)"

// LookupItem returns what `secret-tool lookup service SERVICE username
// ACCOUNT` prints for the Secret Service on the D-Bus address addr (the
// test process's own session bus when addr is ""), as a person checking
// credwiz's items would run it, and whether it found an item. The error
// is about secret-tool itself (missing, failing, hanging). A failing
// lookup is run once more, as that person would: gnome-keyring dies now
// and then in the middle of a call and the bus starts it again (see
// Keyring.with).
func LookupItem(addr, service, account string) (string, bool, error) {
	v, ok, err := lookupItem(addr, service, account)
	if err != nil {
		v, ok, err = lookupItem(addr, service, account)
	}
	return v, ok, err
}

func lookupItem(addr, service, account string) (string, bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "secret-tool", "lookup", "service", service, "username", account)
	if addr != "" {
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "DBUS_SESSION_BUS_ADDRESS=" + addr}
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 1 && strings.TrimSpace(errOut.String()) == "" {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("secret-tool lookup service %s username %s: %v: %s", service, account, err, errOut.String())
	}
	return out.String(), true, nil
}
