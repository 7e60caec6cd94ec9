package pipeline

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/edge/ingest"
	"github.com/xiuhua/xiuhua/edge/looks"
)

// TestAwaitTurnLooksAtTheNewestFrame: a camera that waited for its turn
// looks at the frame that arrived while it waited, not the one it asked
// with; and it gives up when its context ends.
func TestAwaitTurnLooksAtTheNewestFrame(t *testing.T) {
	s := looks.New(looks.Config{})
	held, err := s.Register("other", 1, nil).Wait(t.Context())
	require.NoError(t, err)
	frames := make(chan ingest.Frame, 1)
	c := &Camera{Frames: frames, Turns: s.Register("cam", 1, nil)}
	frame := func(seq uint64) ingest.Frame {
		return ingest.Frame{Seq: seq, Image: gocv.NewMatWithSize(2, 2, gocv.MatTypeCV8UC3)}
	}
	got := make(chan ingest.Frame, 1)
	go func() {
		f, turn, ok := c.awaitTurn(t.Context(), frame(1))
		if ok {
			turn.Done()
		}
		got <- f
	}()
	frames <- frame(2) // arrives while the other camera looks
	held.Done()
	f := <-got
	require.Equal(t, uint64(2), f.Seq)
	f.Image.Close()

	held, err = s.Register("third", 1, nil).Wait(t.Context())
	require.NoError(t, err)
	defer held.Done()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, _, ok := c.awaitTurn(ctx, frame(3))
	require.False(t, ok, "no turn once the context ended")
}
