package connectors

import (
	"cmp"
	"slices"
	"sync"
)

// registry holds the registered connectors in display order.
var registry struct {
	sync.Mutex
	all []*Connector
}

// Register makes c known to credwiz. Each connector's file registers it
// from an init function, so that a new connector is one file (plus its
// emulator and tests) and no list elsewhere. Register panics on a
// connector without an ID, Name, Probe or Mint, or with an ID already
// registered: those are programming errors.
func Register(c *Connector) {
	if c.ID == "" || c.Name == "" || c.Probe == nil || c.Mint == nil {
		panic("connectors: Register needs an ID, a Name, a Probe and a Mint")
	}
	registry.Lock()
	defer registry.Unlock()
	if slices.ContainsFunc(registry.all, func(x *Connector) bool { return x.ID == c.ID }) {
		panic("connectors: connector " + c.ID + " registered twice")
	}
	registry.all = append(registry.all, c)
	slices.SortStableFunc(registry.all, func(a, b *Connector) int {
		return cmp.Or(cmp.Compare(a.Order, b.Order), cmp.Compare(a.ID, b.ID))
	})
}

// All returns every registered connector in display order (Order, then
// ID). The connectors are shared, not copies: treat them as read-only.
func All() []*Connector {
	registry.Lock()
	defer registry.Unlock()
	return slices.Clone(registry.all)
}

// Lookup returns the registered connector with the given ID.
func Lookup(id string) (*Connector, bool) {
	registry.Lock()
	defer registry.Unlock()
	i := slices.IndexFunc(registry.all, func(c *Connector) bool { return c.ID == id })
	if i < 0 {
		return nil, false
	}
	return registry.all[i], true
}
