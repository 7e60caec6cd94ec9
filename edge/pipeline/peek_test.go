package pipeline

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/edge/ingest"
)

// TestPeek: a waiting caller gets its own copy of the next frame; frames
// nobody waits for are not copied; a caller that gives up gets its
// context's error.
func TestPeek(t *testing.T) {
	p := NewPeeker()
	var none *Peeker
	at := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	frame := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(10, 20, 30, 0), 4, 6, gocv.MatTypeCV8UC3)
	defer frame.Close()
	f := newView(ingest.Frame{CameraID: "cam1", Captured: at, Image: frame}, nil)
	p.serve(f, slog.Default())    // nobody waits: nothing happens
	none.serve(f, slog.Default()) // no peeker: nothing happens

	got := make(chan Peeked, 1)
	go func() {
		pk, err := p.Peek(context.Background())
		if err == nil {
			got <- pk
		}
	}()
	require.Eventually(t, func() bool { return len(p.reqs) == 1 }, 10*time.Second, time.Millisecond)
	p.serve(f, slog.Default())
	pk := <-got
	defer pk.Image.Close()
	require.True(t, pk.Captured.Equal(at))
	frame.SetUCharAt(0, 0, 99) // the camera loop reuses or closes its frame
	require.Equal(t, uint8(10), pk.Image.GetUCharAt(0, 0), "a copy, not the camera's frame")
	require.Equal(t, []int{4, 6}, []int{pk.Image.Rows(), pk.Image.Cols()})

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := p.Peek(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	p.serve(f, slog.Default()) // the request that gave up is skipped
	require.Empty(t, p.reqs)
}
