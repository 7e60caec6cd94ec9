package app

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/edge/ingest"
	"github.com/xiuhua/xiuhua/edge/pipeline"
	"github.com/xiuhua/xiuhua/edge/rules"
	"github.com/xiuhua/xiuhua/edge/track"
	"github.com/xiuhua/xiuhua/edge/vision"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// failingEvery fails every second frame and finds nothing in the others.
type failingEvery struct {
	mu sync.Mutex
	n  int
}

func (d *failingEvery) Detect(gocv.Mat) ([]vision.Detection, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.n++
	if d.n%2 == 0 {
		return nil, errors.New("runtime hiccup")
	}
	return nil, nil
}

func (d *failingEvery) Info() vision.ModelInfo { return vision.ModelInfo{Name: "m", Version: "1"} }

// TestHeartbeatCountsLooks: frames_detected in the heartbeat is the number
// of frames the camera's detector looked at, failed looks not counted.
func TestHeartbeatCountsLooks(t *testing.T) {
	frames := make(chan ingest.Frame)
	chain := &pipeline.Camera{
		Frames:   frames,
		Detector: &failingEvery{},
		Tracker:  track.New(time.Second),
		Rules:    rules.NewEngine(nil),
		Log:      slog.New(slog.DiscardHandler),
		Metrics:  pipeline.NewMetrics(prometheus.NewRegistry()),
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { chain.Run(ctx); close(done) }()
	t0 := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	for i := range 5 {
		frames <- ingest.Frame{CameraID: "a", Seq: uint64(i + 1), Captured: t0.Add(time.Duration(i) * time.Second),
			Image: gocv.NewMatWithSize(48, 64, gocv.MatTypeCV8UC3)}
	}
	close(frames)
	<-done
	cancel()

	hb := withLooks(&xiuhuav1.Heartbeat{Cameras: []*xiuhuav1.CameraStatus{{CameraId: "a"}, {CameraId: "b"}}},
		[]*pipeline.Camera{chain})
	require.Equal(t, uint64(3), hb.Cameras[0].GetFramesDetected(), "frames 1, 3 and 5; 2 and 4 failed")
	require.Zero(t, hb.Cameras[1].GetFramesDetected(), "a camera without a chain")
}
