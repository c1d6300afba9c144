package ui

import (
	"errors"
	"fmt"
)

// step is one screen of an interactive flow.
type step struct {
	// id names the step, for jumps ("name", "settings/2", "test").
	id string
	// skip reports whether the step does not apply now; dir is +1 when
	// moving forward, -1 when going back (the live test is skipped going
	// back: Esc from the decision returns to the last question).
	skip func(dir int) bool
	// run shows the step. It returns nil to go forward, ErrBack to go back
	// one step, a jump to go to another step, errDone when the flow is
	// complete, or any other error to end the flow with it.
	run func() error
}

// jump is a step's answer that moves to the step with id to.
type jump struct{ to string }

func (j jump) Error() string { return "go to step " + j.to }

// errDone ends a flow successfully.
var errDone = errors.New("done")

// stepMachine walks steps: forward when a step is answered, back on Esc
// (keeping every value typed, which the steps bind by pointer). Esc on
// the first step ends the flow with ErrCancelled, after asking
// discardTitle when dirty reports that anything was typed.
type stepMachine struct {
	f            *Factory
	steps        func() []step // recomputed at each move: choices change which steps exist
	dirty        func() bool
	discardTitle string
}

// run walks the steps until one completes the flow (nil) or fails.
func (sm stepMachine) run() error {
	i, dir := 0, 1
	for {
		steps := sm.steps()
		switch {
		case i < 0:
			if sm.dirty == nil || !sm.dirty() {
				return ErrCancelled
			}
			discard, err := confirmID(sm.f, "discard", sm.discardTitle, false)
			if err != nil {
				return err
			}
			if discard {
				return ErrCancelled
			}
			i, dir = 0, 1
			continue
		case i >= len(steps):
			return nil
		}
		st := steps[i]
		if st.skip != nil && st.skip(dir) {
			i += dir
			continue
		}
		err := st.run()
		var j jump
		switch {
		case err == nil:
			i, dir = i+1, 1
		case errors.Is(err, ErrBack):
			i, dir = i-1, -1
		case errors.As(err, &j):
			next := -1
			for k, s := range steps {
				if s.id == j.to {
					next = k
					break
				}
			}
			if next < 0 {
				return fmt.Errorf("internal error: no step %q", j.to)
			}
			i, dir = next, 1
		case errors.Is(err, errDone):
			return nil
		default:
			return err
		}
	}
}
