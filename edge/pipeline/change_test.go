package pipeline

import (
	"image"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/edge/change"
	"github.com/xiuhua/xiuhua/edge/evidence"
	"github.com/xiuhua/xiuhua/edge/ingest"
	"github.com/xiuhua/xiuhua/edge/outbox"
	"github.com/xiuhua/xiuhua/edge/rules"
	"github.com/xiuhua/xiuhua/edge/track"
	"github.com/xiuhua/xiuhua/hack/stage/paste"
	"github.com/xiuhua/xiuhua/internal/testdata"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// TestIllegalStructureByPersistentChange runs the camera chain, with the
// real model and a real outbox, over a staged pair: the plaza, then the
// plaza with a shed on the lawn, darker. The shed gives exactly one
// illegal_structure violation with before/after evidence once it has been
// there for the configured checks and span; the darker plaza alone gives
// none.
func TestIllegalStructureByPersistentChange(t *testing.T) {
	vc, err := gocv.VideoCaptureFile(testdata.Path(t, "media", "vtest.avi"))
	require.NoError(t, err)
	plaza := gocv.NewMat()
	defer plaza.Close()
	require.True(t, vc.Read(&plaza))
	vc.Close()
	lawn := image.Rect(40, 380, 300, 560)
	shed := paste.Shed(plaza, image.Rect(80, 400, 260, 550))
	defer shed.Close()

	cases := []struct {
		name  string
		after gocv.Mat
		want  int
	}{
		{"shed at dusk", paste.Relit(shed, 0.6, -5), 1},
		{"dusk alone", paste.Relit(plaza, 0.6, -5), 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer tc.after.Close()
			dir := t.TempDir()
			ob, err := outbox.Open(filepath.Join(dir, "outbox"), slog.Default(), prometheus.NewRegistry())
			require.NoError(t, err)
			defer ob.Close()
			det, err := openDetector(testdata.Path(t, "models"))
			require.NoError(t, err)
			defer det.Close()

			zone := rules.Zone{ID: "lawn", Pixels: true, Polygon: []rules.Point{
				{X: float64(lawn.Min.X), Y: float64(lawn.Min.Y)}, {X: float64(lawn.Max.X), Y: float64(lawn.Min.Y)},
				{X: float64(lawn.Max.X), Y: float64(lawn.Max.Y)}, {X: float64(lawn.Min.X), Y: float64(lawn.Max.Y)}}}
			rule := rules.Rule{ID: "no-building", Type: "illegal_structure"}
			cam := &Camera{
				Source:   evidence.Source{DeviceID: "edge-t", CameraID: "cam1", Model: det.Info()},
				Detector: det,
				Tracker:  track.New(time.Second),
				Rules:    rules.NewEngine(nil),
				Changes: []*ChangeWatch{{Zone: zone, Rule: rule, Interval: time.Minute,
					Config:    change.Config{CellThreshold: 0.5, MinFraction: 0.15, Checks: 3, Span: 2 * time.Minute},
					Reference: filepath.Join(dir, "references", "cam1", "lawn.jpg")}},
				Sink:    ob,
				Log:     slog.Default(),
				Metrics: NewMetrics(prometheus.NewRegistry()),
			}
			defer cam.Changes[0].Close()
			t0 := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
			feed := func(min int, m gocv.Mat) {
				cam.process(newView(ingest.Frame{CameraID: "cam1", Captured: t0.Add(time.Duration(min) * time.Minute), Image: m}, nil))
			}
			feed(0, plaza) // the reference, taken at set-up
			for m := 1; m <= 6; m++ {
				feed(m, tc.after)
			}
			items := ob.Pending()
			require.Len(t, items, tc.want)
			if tc.want == 0 {
				return
			}
			rep, err := ob.Load(items[0].ID)
			require.NoError(t, err)
			require.Equal(t, "illegal_structure", rep.ViolationType)
			require.Equal(t, evidence.MethodChange, rep.Method)
			require.GreaterOrEqual(t, rep.DwellSeconds, 120.0)
			kinds := map[xiuhuav1.EvidenceKind]bool{}
			for _, e := range rep.Evidence {
				kinds[e.Kind] = true
			}
			require.True(t, kinds[xiuhuav1.EvidenceKind_EVIDENCE_KIND_BEFORE_AFTER], "no before/after picture")
			b := rep.Detections[0].Box
			box := image.Rect(int(b.X), int(b.Y), int(b.X+b.Width), int(b.Y+b.Height))
			require.True(t, box.Overlaps(image.Rect(80, 400, 260, 550)), "changed area %v misses the shed", box)
		})
	}
}
