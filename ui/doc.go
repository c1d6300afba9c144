// Package ui is credwiz's command line: the cobra commands, the huh forms of
// the Add New Credential wizard and the home menu, and the table and JSON
// output. It is the only package that talks to a terminal; it turns the
// typed errors of connectors and store into one sentence that says what
// happened and what to do next.
//
// Every command gets its dependencies from a Factory (I/O streams, clock,
// store opener, HTTP client, Prompter), so tests run commands against
// buffers, the in-memory secret store, the connector emulators and a
// scripted Prompter. Commands ask through the Prompter: at a terminal one
// bubbletea program per command (session) shows each Page as a huh form
// and keeps every key in order (keyorder.go); add, edit and reauth walk
// one step machine (credflow.go). exec runs a program with the
// credentials' variables (connection.go, program*.go): in credwiz's place
// when unmasked, else as a child whose output goes through the masker,
// with the signals credwiz receives passed on (signals.go).
package ui
