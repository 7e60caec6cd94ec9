package modelswap

import (
	"context"
	"fmt"
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
	"github.com/xiuhua/xiuhua/edge/outbox"
	"github.com/xiuhua/xiuhua/edge/pipeline"
	"github.com/xiuhua/xiuhua/edge/rules"
	"github.com/xiuhua/xiuhua/edge/track"
	"github.com/xiuhua/xiuhua/edge/vision"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

type reportSink struct {
	mu      sync.Mutex
	reports []*xiuhuav1.ViolationReport
}

func (s *reportSink) Put(r *xiuhuav1.ViolationReport, _ []outbox.File) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reports = append(s.reports, r)
	return nil
}

func (s *reportSink) list() []*xiuhuav1.ViolationReport {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*xiuhuav1.ViolationReport(nil), s.reports...)
}

// follow hands the classes of the rules following the model to engine, as
// the edge's wiring does for each camera chain.
func follow(mgr *Manager, engine *rules.Engine) {
	mgr.OnSwap(func(_ vision.ModelInfo, follow []RuleClasses) {
		for _, r := range follow {
			engine.SetClasses(r.Zone, r.Rule, r.Classes)
		}
	})
}

// A street_vending rule configured without classes, on a running pipeline:
// under v1 (person, chair) it counts chair, and the person v1 sees in
// every frame raises nothing; v2 (umbrella, chair) sees an umbrella in the
// same place, and once it is swapped in the rule counts umbrella too and
// reports it, naming v2.
func TestDefaultRuleFollowsSwap(t *testing.T) {
	dir := t.TempDir()
	v1 := genModel(t, filepath.Join(dir, "v1"), "1", nmsFreeModel(goodOut, nil), "person, chair")
	v2 := genModel(t, filepath.Join(dir, "v2"), "2", nmsFreeModel(goodOut, nil), "umbrella, chair")
	cfg := testConfig()
	resolved := rules.DefaultClasses("street_vending", []string{"person", "chair"})
	require.Equal(t, []string{"chair"}, resolved)
	cfg.Rules = []RuleClasses{
		{Camera: "cam1", Zone: "all", Rule: "vending", Type: "street_vending", Classes: resolved, Defaults: true},
		{Camera: "cam1", Zone: "all", Rule: "chairs", Type: "street_vending", Classes: []string{"chair"}},
	}
	mgr, _ := newTestManager(t, cfg, v1)

	zone := rules.Zone{ID: "all", Polygon: []rules.Point{{X: 0, Y: 0}, {X: 1, Y: 0}, {X: 1, Y: 1}, {X: 0, Y: 1}}}
	engine := rules.NewEngine([]rules.ZoneRules{{Zone: zone, Rules: []rules.Rule{
		{ID: "vending", Type: "street_vending", Classes: resolved, MinScore: 0.5, Dwell: 600 * time.Millisecond, GapTolerance: time.Second},
		{ID: "chairs", Type: "street_vending", Classes: []string{"chair"}, MinScore: 0.5, Dwell: 600 * time.Millisecond, GapTolerance: time.Second},
	}}})
	follow(mgr, engine)
	frames := make(chan ingest.Frame) // unbuffered: a send returns once the frame before it is done
	sink := &reportSink{}
	chain := &pipeline.Camera{
		Source:   evidence.Source{DeviceID: "edge-1", CameraID: "cam1", Model: mgr.Info()},
		Frames:   frames,
		Detector: mgr,
		Tracker:  track.New(time.Second),
		Rules:    engine,
		Sink:     sink,
		Log:      slog.New(slog.DiscardHandler),
		Metrics:  pipeline.NewMetrics(prometheus.NewRegistry()),
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); chain.Run(ctx) }()
	defer func() { stop(); <-done }()

	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	seq := 0
	feed := func(n int) {
		t.Helper()
		for range n {
			img := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(0, 0, 0, 0), 64, 128, gocv.MatTypeCV8UC3)
			frames <- ingest.Frame{CameraID: "cam1", Seq: uint64(seq), Captured: t0.Add(time.Duration(seq) * 300 * time.Millisecond), Image: img}
			seq++
		}
	}
	feed(8) // 2.4 s of a person
	require.Empty(t, sink.list(), "v1's person counts for no rule")

	require.NoError(t, mgr.Install(context.Background(), Target{Manifest: v2}))
	feed(cfg.ErrorWindow + 8)
	require.False(t, mgr.Busy(), "v2 passed probation")
	stop()
	<-done

	reps := sink.list()
	require.Len(t, reps, 1, "one umbrella, one stay, one report")
	require.Equal(t, "vending", reps[0].GetRuleId())
	require.Equal(t, "2", reps[0].GetModel().GetVersion())
	rs := engine.Zones()[0].Rules
	require.Equal(t, []string{"umbrella", "chair"}, rs[0].Classes, "the rule without classes took v2's defaults")
	require.Equal(t, []string{"chair"}, rs[1].Classes, "a rule with its own classes keeps them")
}

// A rollback hands the rules following the model the old model's classes
// again, before any frame runs on it.
func TestOnSwapFollowsRollback(t *testing.T) {
	dir := t.TempDir()
	v1 := genModel(t, filepath.Join(dir, "v1"), "1", nmsFreeModel(goodOut, nil), "person, chair")
	flaky := genModel(t, filepath.Join(dir, "v2"), "2", nmsFreeModel(goodOut, brightCl), "umbrella, chair")
	cfg := testConfig()
	cfg.Rules = []RuleClasses{
		{Camera: "cam1", Zone: "z", Rule: "vending", Type: "street_vending", Classes: []string{"chair"}, Defaults: true},
		{Camera: "cam1", Zone: "z", Rule: "people", Type: "demo_linger", Classes: []string{"person"}},
	}
	mgr, _ := newTestManager(t, cfg, v1)
	var got []string
	mgr.OnSwap(func(model vision.ModelInfo, follow []RuleClasses) {
		require.Len(t, follow, 1, "only the rule without classes follows")
		got = append(got, model.Version+": "+follow[0].key()+" "+fmt.Sprint(follow[0].Classes))
	})
	black, white := frame(t, 0), frame(t, 255)
	_, err := mgr.Detect(black)
	require.NoError(t, err)
	require.NoError(t, mgr.Install(context.Background(), Target{Manifest: flaky}))
	for range 2 {
		_, _ = mgr.Detect(white)
	}
	require.Equal(t, "1", mgr.Info().Version, "rolled back")
	require.Equal(t, []string{"2: cam1/z/vending [umbrella chair]", "1: cam1/z/vending [chair]"}, got)
}
