package connectors

// UpPromote is a placeholder until its connector lands.
func UpPromote() *Connector { return &Connector{ID: "uppromote", Name: "UpPromote"} }
