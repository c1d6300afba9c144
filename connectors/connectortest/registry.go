package connectortest

// New starts the emulator of the connector with the given ID, or returns
// nil for an unknown ID.
func New(id string) Emulator {
	switch id {
	case "demandbase":
		return NewDemandbase()
	case "salesforce":
		return NewSalesforce()
	case "uppromote":
		return NewUpPromote()
	case "clazar":
		return NewClazar()
	case "drift":
		return NewDrift()
	}
	return nil
}
