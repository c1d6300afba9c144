package connectors

// Demandbase is a placeholder until its connector lands.
func Demandbase() *Connector { return &Connector{ID: "demandbase", Name: "Demandbase"} }
