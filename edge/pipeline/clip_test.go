package pipeline

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/edge/evidence"
	"github.com/xiuhua/xiuhua/edge/ingest"
	"github.com/xiuhua/xiuhua/edge/outbox"
	"github.com/xiuhua/xiuhua/edge/rules"
	"github.com/xiuhua/xiuhua/edge/track"
	"github.com/xiuhua/xiuhua/internal/testdata"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// waitingClipper stands in for the ring buffer at the moment the camera
// stops: its post-roll never comes, so it returns what it has when asked
// to stop waiting.
type waitingClipper struct{ asked chan time.Time }

func (w waitingClipper) Clip(ctx context.Context, t0 time.Time, pre, post time.Duration) ([]byte, error) {
	w.asked <- t0
	<-ctx.Done()
	return []byte("partial mp4"), nil
}

// lingerCamera is a camera whose rule fires on a person who stays a
// second anywhere in the frame, storing into a new outbox.
func lingerCamera(t *testing.T, frames <-chan ingest.Frame) (*Camera, *outbox.Outbox) {
	t.Helper()
	ob, err := outbox.Open(filepath.Join(t.TempDir(), "outbox"), slog.Default(), prometheus.NewRegistry())
	require.NoError(t, err)
	t.Cleanup(func() { ob.Close() })
	det, err := openDetector(testdata.Path(t, "models"))
	require.NoError(t, err)
	t.Cleanup(func() { det.Close() })
	return &Camera{
		Source:   evidence.Source{DeviceID: "edge-t", CameraID: "cam1", Model: det.Info()},
		Frames:   frames,
		Detector: det,
		Tracker:  track.New(5 * time.Second),
		Rules: rules.NewEngine([]rules.ZoneRules{{Zone: wholeFrame, Rules: []rules.Rule{
			{ID: "r", Type: "demo_linger", Classes: []string{"person"}, MinScore: 0.4, Dwell: time.Second, GapTolerance: 5 * time.Second}}}}),
		Sink:    ob,
		Log:     slog.Default(),
		Metrics: NewMetrics(prometheus.NewRegistry()),
	}, ob
}

// TestViolationWaitingForItsClipIsStoredOnShutdown: a violation whose clip
// is still waiting for the post-roll is on disk at once, held back from the
// sender (a crash now loses only the clip); when the camera stops it gets
// the clip as far as it goes, before Run returns.
func TestViolationWaitingForItsClipIsStoredOnShutdown(t *testing.T) {
	frames := make(chan ingest.Frame)
	cam, ob := lingerCamera(t, frames)
	clips := waitingClipper{asked: make(chan time.Time, 1)}
	cam.Clips, cam.ClipPre, cam.ClipPost = clips, 5*time.Second, time.Hour // the post-roll never arrives
	done := make(chan struct{})
	go func() { cam.Run(context.Background()); close(done) }()

	skier := gocv.IMRead(testdata.Path(t, "images", "000000000785.jpg"), gocv.IMReadColor)
	defer skier.Close()
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for i := range 3 {
		frames <- ingest.Frame{CameraID: "cam1", Captured: t0.Add(time.Duration(i) * time.Second), Image: skier.Clone()}
	}
	select {
	case at := <-clips.asked:
		require.Equal(t, t0.Add(time.Second), at, "the clip is cut around the frame that completed the dwell")
	case <-time.After(30 * time.Second):
		t.Fatal("no clip asked for")
	}
	held := ob.Pending()
	require.Len(t, held, 1, "not on disk while it waits for its clip")
	require.True(t, held[0].Held())
	_, ok := ob.Next()
	require.False(t, ok, "offered for sending before its clip")
	close(frames)
	<-done

	items := ob.Pending()
	require.Len(t, items, 1)
	require.False(t, items[0].Held())
	require.Equal(t, held[0].ID, items[0].ID)
	rep, err := ob.Load(items[0].ID)
	require.NoError(t, err)
	var clip *xiuhuav1.EvidenceFile
	for _, e := range rep.Evidence {
		if e.Kind == xiuhuav1.EvidenceKind_EVIDENCE_KIND_CLIP {
			clip = e
		}
	}
	require.NotNil(t, clip, "no clip in the evidence")
	require.Equal(t, "video/mp4", clip.ContentType)
}
