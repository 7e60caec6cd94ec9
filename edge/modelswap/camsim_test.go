package modelswap

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/edge/evidence"
	"github.com/xiuhua/xiuhua/edge/ingest"
	"github.com/xiuhua/xiuhua/edge/pipeline"
	"github.com/xiuhua/xiuhua/edge/rules"
	"github.com/xiuhua/xiuhua/edge/track"
	"github.com/xiuhua/xiuhua/edge/vision"
	"github.com/xiuhua/xiuhua/hack/camsim/sim"
	"github.com/xiuhua/xiuhua/internal/testdata"
)

// recorder is one camera's view of the shared manager: it notes the model
// version of every frame the pipeline ran.
type recorder struct {
	*Manager
	mu       sync.Mutex
	versions []string
}

func (r *recorder) DetectModel(img gocv.Mat) ([]vision.Detection, vision.ModelInfo, error) {
	dets, info, err := r.Manager.DetectModel(img)
	if err == nil {
		r.mu.Lock()
		r.versions = append(r.versions, info.Version)
		r.mu.Unlock()
	}
	return dets, info, err
}

func (r *recorder) seen() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.versions...)
}

var _ pipeline.ModelDetector = (*recorder)(nil)

// A swap on a running edge: two cameras streamed by camsim over RTSP
// through the real pipeline keep detecting through the swap, and each
// camera's frames change model version at exactly one point.
func TestSwapOnRunningPipeline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	ts, err := sim.Transcode(ctx, testdata.Path(t, "media", "vtest.avi"), testdata.CacheDir())
	require.NoError(t, err)
	srv := &sim.Server{Listen: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)}
	require.NoError(t, srv.Start([]sim.Stream{{Name: "a", File: ts}, {Name: "b", File: ts}}))
	defer srv.Close()

	dir := t.TempDir()
	v1 := yoloxModel(t, filepath.Join(dir, "v1"), "0.1.1")
	v2 := yoloxModel(t, filepath.Join(dir, "v2"), "0.1.2")
	cfg := testConfig()
	cfg.ErrorWindow = 4
	mgr, _ := newTestManager(t, cfg, v1)

	reg := prometheus.NewRegistry()
	im, pm := ingest.NewMetrics(reg), pipeline.NewMetrics(reg)
	log := slog.New(slog.DiscardHandler)
	runCtx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var recs []*recorder
	for _, name := range []string{"a", "b"} {
		cam := ingest.NewCamera(ingest.Config{ID: name, URL: srv.URL(name), Transport: "tcp", DetectFPS: 5,
			StallTimeout: 10 * time.Second, DecodeMode: ingest.DecodeAuto, Width: 416, Height: 312}, log, im)
		rec := &recorder{Manager: mgr}
		recs = append(recs, rec)
		chain := &pipeline.Camera{
			Source:   evidence.Source{DeviceID: "edge-1", CameraID: name, Model: mgr.Info()},
			Frames:   cam.Frames(),
			Detector: rec,
			Tracker:  track.New(time.Second),
			Rules:    rules.NewEngine(nil),
			Log:      log,
			Metrics:  pm,
		}
		wg.Go(func() { cam.Run(runCtx) })
		wg.Go(func() { chain.Run(runCtx) })
	}
	defer wg.Wait()
	defer stop()

	frames := func(n int) func() bool {
		return func() bool {
			for _, r := range recs {
				if len(r.seen()) < n {
					return false
				}
			}
			return true
		}
	}
	require.Eventually(t, frames(3), 2*time.Minute, 50*time.Millisecond, "both cameras detect before the swap")
	require.NoError(t, mgr.Install(context.Background(), Target{Manifest: v2}))
	require.Eventually(t, func() bool {
		for _, r := range recs {
			vs := r.seen()
			if n := len(vs); n < 4 || vs[n-1] != "0.1.2" || vs[n-4] != "0.1.2" {
				return false
			}
		}
		return !mgr.Busy()
	}, 2*time.Minute, 50*time.Millisecond, "both cameras detect on the new model, which passes probation")

	for i, r := range recs {
		vs := r.seen()
		changes := 0
		for j := 1; j < len(vs); j++ {
			if vs[j] != vs[j-1] {
				changes++
			}
		}
		require.Equal(t, 1, changes, "camera %d versions %v", i, vs)
		require.Equal(t, "0.1.1", vs[0])
	}
}
