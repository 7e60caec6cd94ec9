package pipeline

import (
	"log/slog"
	"sync"
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
	"github.com/xiuhua/xiuhua/edge/vision"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// swappingDetector finds one person in every frame and says the model
// changed from version 1 to 2 at frame swapAt, as a hot swap would.
type swappingDetector struct {
	frames, swapAt int
}

func (d *swappingDetector) model() vision.ModelInfo {
	if d.frames >= d.swapAt {
		return vision.ModelInfo{Name: "m", Version: "2", SHA256: "bb"}
	}
	return vision.ModelInfo{Name: "m", Version: "1", SHA256: "aa"}
}

func (d *swappingDetector) Detect(img gocv.Mat) ([]vision.Detection, error) {
	dets, _, err := d.DetectModel(img)
	return dets, err
}

func (d *swappingDetector) DetectModel(gocv.Mat) ([]vision.Detection, vision.ModelInfo, error) {
	info := d.model()
	d.frames++
	return []vision.Detection{{Class: "person", Score: 0.9, Box: vision.Box{X1: 40, Y1: 40, X2: 80, Y2: 120}}}, info, nil
}

func (d *swappingDetector) Info() vision.ModelInfo { return d.model() }

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

// A violation records the model that ran on the frame that raised it, not
// the one the chain was built with.
func TestReportNamesModelOfItsFrame(t *testing.T) {
	det := &swappingDetector{swapAt: 3}
	sink := &reportSink{}
	zone := rules.Zone{ID: "all", Polygon: []rules.Point{{X: 0, Y: 0}, {X: 1, Y: 0}, {X: 1, Y: 1}, {X: 0, Y: 1}}}
	rule := rules.Rule{ID: "linger", Type: "demo_linger", Classes: []string{"person"}, MinScore: 0.4,
		Dwell: time.Second, GapTolerance: 3 * time.Second, Cooldown: time.Hour}
	cam := &Camera{
		Source:   evidence.Source{DeviceID: "edge-t", CameraID: "cam1", Model: det.Info()},
		Detector: det,
		Tracker:  track.New(5 * time.Second),
		Rules:    rules.NewEngine([]rules.ZoneRules{{Zone: zone, Rules: []rules.Rule{rule}}}),
		Sink:     sink,
		Log:      slog.New(slog.DiscardHandler),
		Metrics:  NewMetrics(prometheus.NewRegistry()),
	}
	defer cam.close()
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for i := range 12 {
		img := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(90, 90, 90, 0), 160, 160, gocv.MatTypeCV8UC3)
		cam.process(newView(ingest.Frame{CameraID: "cam1", Seq: uint64(i), Captured: t0.Add(time.Duration(i) * 300 * time.Millisecond), Image: img}, nil))
		img.Close()
	}
	require.Len(t, sink.reports, 1)
	require.Equal(t, "1", cam.Source.Model.Version, "the chain was built with version 1")
	require.Equal(t, "2", sink.reports[0].GetModel().GetVersion())
	require.Equal(t, "bb", sink.reports[0].GetModel().GetSha256())
}
