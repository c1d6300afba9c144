//go:build linux

package testenv

import (
	"syscall"
	"testing"
	"time"

	dbus "github.com/godbus/dbus/v5"
)

// TakeSecretServiceName SIGKILLs the Secret Service on the D-Bus address
// addr (starting it first if the bus has not yet) and returns a new
// connection that owns its name, closed when t ends: a test's stand-in
// for a daemon that crashed, which then answers (or does not) as the test
// stages. Once the stand-in leaves the bus, the next call starts the real
// daemon again (D-Bus activation, as scripts/secret-service.sh sets up).
func TakeSecretServiceName(t testing.TB, addr string) *dbus.Conn {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	bus := conn.BusObject()
	var pid uint32
	if err := bus.Call("org.freedesktop.DBus.GetConnectionUnixProcessID", 0, ssDest).Store(&pid); err != nil {
		// Not running: the bus would start it at the next call.
		if err := bus.Call("org.freedesktop.DBus.StartServiceByName", 0, ssDest, uint32(0)).Err; err != nil {
			t.Fatalf("start the Secret Service: %v", err)
		}
		if err := bus.Call("org.freedesktop.DBus.GetConnectionUnixProcessID", 0, ssDest).Store(&pid); err != nil {
			t.Fatalf("the Secret Service's process: %v", err)
		}
	}
	if err := syscall.Kill(int(pid), syscall.SIGKILL); err != nil {
		t.Fatalf("kill the Secret Service (pid %d): %v", pid, err)
	}
	for i := 0; ; i++ {
		var owned bool
		if err := bus.Call("org.freedesktop.DBus.NameHasOwner", 0, ssDest).Store(&owned); err != nil {
			t.Fatal(err)
		}
		if !owned {
			break
		}
		if i == 500 {
			t.Fatal("the killed Secret Service still owns its name after 5 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	standIn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = standIn.Close() })
	reply, err := standIn.RequestName(ssDest, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("the stand-in could not take the name: %v (reply %d)", err, reply)
	}
	return standIn
}
