package connectors

import "testing"

func TestDriftResetText(t *testing.T) {
	for in, want := range map[string]string{"60": "in 60 s", "1893456000": "at 00:00:00 UTC", "soon": "soon", "-1": "-1"} {
		if got := driftResetText(in); got != want {
			t.Errorf("driftResetText(%q) = %q, want %q", in, got, want)
		}
	}
}
