package ui

import (
	"testing"
	"time"
)

// TestAgoUntil: how long ago, or until, in the largest sensible unit,
// rounded down, at every unit's edge.
func TestAgoUntil(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		d           time.Duration
		ago, before string
	}{
		{0, "just now", "in 0m"},
		{59 * time.Second, "just now", "in 0m"},
		{time.Minute, "1m ago", "in 1m"},
		{59 * time.Minute, "59m ago", "in 59m"},
		{time.Hour, "1h ago", "in 1h"},
		{47*time.Hour + 59*time.Minute, "47h ago", "in 47h"},
		{48 * time.Hour, "2d ago", "in 2 days"},
		{90*24*time.Hour + time.Hour, "90d ago", "in 90 days"},
	} {
		if got := ago(now, now.Add(-c.d)); got != c.ago {
			t.Errorf("ago(%s) = %q, want %q", c.d, got, c.ago)
		}
		if got := until(now, now.Add(c.d)); got != c.before {
			t.Errorf("until(%s) = %q, want %q", c.d, got, c.before)
		}
	}
	if got := ago(now, now.Add(time.Hour)); got != "just now" {
		t.Errorf("ago of a time to come = %q, want just now", got)
	}
	if got := until(now, now.Add(-3*time.Hour)); got != "expired 3h ago" {
		t.Errorf("until of a time gone = %q, want expired 3h ago", got)
	}
}
