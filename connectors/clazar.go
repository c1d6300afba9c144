package connectors

// Clazar is a placeholder until its connector lands.
func Clazar() *Connector { return &Connector{ID: "clazar", Name: "Clazar"} }
