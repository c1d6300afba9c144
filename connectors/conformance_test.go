package connectors_test

import (
	"testing"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/connectors/connectortest/conformance"
)

// TestConformance runs every registered connector through the same
// contract, against its emulator.
func TestConformance(t *testing.T) {
	t.Parallel()
	for _, c := range connectors.All() {
		t.Run(c.ID, func(t *testing.T) {
			t.Parallel()
			conformance.Run(t, c)
		})
	}
}
