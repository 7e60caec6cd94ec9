package pipeline

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/edge/ingest"
	"github.com/xiuhua/xiuhua/edge/looks"
	"github.com/xiuhua/xiuhua/internal/testdata"
)

// heldBackground grants every look at once and holds background turns
// until released.
type heldBackground struct {
	asked   chan struct{}
	release chan struct{}
}

func (g heldBackground) Wait(context.Context) (looks.Turn, error) { return looks.Turn{}, nil }

func (g heldBackground) Background(ctx context.Context) (looks.Turn, error) {
	g.asked <- struct{}{}
	select {
	case <-g.release:
	case <-ctx.Done():
	}
	return looks.Turn{}, nil
}

// TestEvidenceDoesNotStopLooking: a look that raises a violation hands its
// evidence to the camera's worker, which waits for a background turn;
// meanwhile the camera goes on looking, and the violation is stored, with
// its snapshot and best sighting, once the turn comes.
func TestEvidenceDoesNotStopLooking(t *testing.T) {
	gate := heldBackground{asked: make(chan struct{}, 4), release: make(chan struct{})}
	frames := make(chan ingest.Frame)
	cam, ob := lingerCamera(t, frames)
	cam.Turns = gate
	done := make(chan struct{})
	go func() { cam.Run(context.Background()); close(done) }()

	skier := gocv.IMRead(testdata.Path(t, "images", "000000000785.jpg"), gocv.IMReadColor)
	defer skier.Close()
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	send := func(i int) {
		f := ingest.Frame{CameraID: "cam1", Captured: t0.Add(time.Duration(i) * time.Second), Image: skier.Clone()}
		select {
		case frames <- f:
		case <-time.After(30 * time.Second):
			f.Close()
			t.Fatalf("the camera stopped taking frames at frame %d", i)
		}
	}
	for i := range 3 {
		send(i)
	}
	select {
	case <-gate.asked:
	case <-time.After(30 * time.Second):
		t.Fatal("no evidence built for the violation")
	}
	// A frame sent while the loop waits for its turn replaces the one it
	// holds, so not every frame is looked at; the last one is.
	atAsk := cam.Looks()
	for i := 3; i < 8; i++ {
		send(i) // taken while the evidence waits
	}
	require.Eventually(t, func() bool { return cam.Looks() > atAsk }, 30*time.Second, 10*time.Millisecond,
		"looks go on while the evidence waits")
	require.Empty(t, ob.Pending(), "not stored before its turn")

	close(gate.release)
	require.Eventually(t, func() bool { return len(ob.Pending()) == 1 }, 30*time.Second, 10*time.Millisecond)
	close(frames)
	<-done
	rep, err := ob.Load(ob.Pending()[0].ID)
	require.NoError(t, err)
	var names []string
	for _, e := range rep.Evidence {
		names = append(names, e.Name)
	}
	require.Contains(t, names, "snapshot.jpg")
	require.Contains(t, names, "annotated.jpg")
	// The frame that completed the dwell: the second or, when the loop
	// replaced it with a newer one while waiting for its turn, the third.
	at := rep.ObservedAt.AsTime()
	require.False(t, at.Before(t0.Add(time.Second)) || at.After(t0.Add(2*time.Second)), "observed at %v", at)
}
