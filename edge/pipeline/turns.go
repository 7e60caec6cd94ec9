package pipeline

import (
	"context"

	"github.com/xiuhua/xiuhua/edge/ingest"
	"github.com/xiuhua/xiuhua/edge/looks"
)

// Gate says when a camera may look: the box's look scheduler
// (edge/looks), which shares the detector fairly between cameras. It owns
// "when", the camera loop owns how a look is done, whatever it costs.
type Gate interface {
	Wait(ctx context.Context) (looks.Turn, error)
}

// awaitTurn waits for the camera's turn to look at f. A newer frame that
// arrived meanwhile replaces f (closed), so the look sees now rather than
// the moment it asked. ok is false when ctx ended (f is closed then).
func (c *Camera) awaitTurn(ctx context.Context, f ingest.Frame) (_ ingest.Frame, _ looks.Turn, ok bool) {
	if c.Turns == nil {
		return f, looks.Turn{}, true
	}
	turn, err := c.Turns.Wait(ctx)
	if err != nil {
		f.Close()
		return f, turn, false
	}
	select {
	case newer, open := <-c.Frames:
		if open {
			f.Close()
			f = newer
		}
	default:
	}
	return f, turn, true
}
