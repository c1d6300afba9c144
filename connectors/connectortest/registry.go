package connectortest

import "sync"

// emulators are the registered emulator constructors by connector ID.
var emulators struct {
	sync.Mutex
	start map[string]func() Emulator
}

// Register makes start the emulator of the connector with the given ID.
// Each emulator's file registers it from an init function, next to the
// connector's own registration (connectors.Register), so that a new
// connector's emulator is one file too. Register panics on an ID already
// registered.
func Register(id string, start func() Emulator) {
	emulators.Lock()
	defer emulators.Unlock()
	if emulators.start == nil {
		emulators.start = map[string]func() Emulator{}
	}
	if _, dup := emulators.start[id]; dup {
		panic("connectortest: emulator " + id + " registered twice")
	}
	emulators.start[id] = start
}

// New starts the emulator of the connector with the given ID, or returns
// nil for an ID no emulator is registered for.
func New(id string) Emulator {
	emulators.Lock()
	start := emulators.start[id]
	emulators.Unlock()
	if start == nil {
		return nil
	}
	return start()
}
