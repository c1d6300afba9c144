package connectors

// Drift is a placeholder until its connector lands.
func Drift() *Connector { return &Connector{ID: "drift", Name: "Drift"} }
