package connectors

// Salesforce is a placeholder until its connector lands.
func Salesforce() *Connector { return &Connector{ID: "salesforce", Name: "Salesforce"} }
