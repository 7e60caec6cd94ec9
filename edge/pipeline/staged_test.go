package pipeline

import (
	"image"
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
	"github.com/xiuhua/xiuhua/edge/rules"
	"github.com/xiuhua/xiuhua/edge/track"
	"github.com/xiuhua/xiuhua/edge/vision"
	"github.com/xiuhua/xiuhua/hack/stage/paste"
	"github.com/xiuhua/xiuhua/internal/testdata"
)

// chair is a chair cut from a COCO living-room picture, put on the lawn at
// the bottom left of vtest.avi from 10 s to 70 s: a vendor's seat left on
// the pavement.
func chair(t *testing.T) paste.Object {
	return paste.Object{
		Image: testdata.Path(t, "images", "000000000139.jpg"),
		Crop:  image.Rect(370, 210, 446, 320),
		Scale: 1.6, // as large as a chair this near the camera would look
		At:    image.Pt(30, 384),
		From:  10 * time.Second,
		For:   60 * time.Second,
	}
}

var (
	stagedOnce sync.Once
	stagedDir  string
)

// staged writes the staged video once per test binary; the control is
// vtest.avi itself, the same video without the chair.
func staged(t *testing.T) (withChair, control string) {
	t.Helper()
	stagedOnce.Do(func() {
		dir, err := tempDirForPackage()
		require.NoError(t, err)
		vtest := testdata.Path(t, "media", "vtest.avi")
		require.NoError(t, paste.Video(vtest, filepath.Join(dir, "chair.avi"), chair(t)))
		stagedDir = dir
	})
	require.NotEmpty(t, stagedDir, "staging failed in an earlier test")
	return filepath.Join(stagedDir, "chair.avi"), testdata.Path(t, "media", "vtest.avi")
}

var vendingZone = rules.Zone{ID: "kerb", Polygon: []rules.Point{{X: 0, Y: 0.68}, {X: 0.25, Y: 0.68}, {X: 0.25, Y: 1}, {X: 0, Y: 1}}}

func vendingRule() rules.Rule {
	return rules.Rule{ID: "vending", Type: "street_vending", MinScore: 0.3,
		Classes: rules.DefaultClasses("street_vending", []string{"umbrella", "dining table", "chair", "bench", "suitcase"}),
		Dwell:   30 * time.Second, MaxMotion: 0.5, GapTolerance: 5 * time.Second, Cooldown: 10 * time.Minute}
}

// TestStagedStreetVending runs the camera chain — real model, tracker,
// rules, evidence and outbox — over the staged video: a chair pasted into
// the zone for 60 s gives exactly one street_vending violation with the
// configured dwell, JPEG evidence and a box on the chair; the same video
// without it gives none.
func TestStagedStreetVending(t *testing.T) {
	withChair, control := staged(t)
	cases := []struct {
		name  string
		video string
		want  int
	}{
		{"chair", withChair, 1},
		{"control", control, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ob := runChain(t, tc.video, []rules.ZoneRules{{Zone: vendingZone, Rules: []rules.Rule{vendingRule()}}})
			items := ob.Pending()
			require.Len(t, items, tc.want)
			if tc.want == 0 {
				return
			}
			rep, err := ob.Load(items[0].ID)
			require.NoError(t, err)
			require.Equal(t, "street_vending", rep.ViolationType)
			require.GreaterOrEqual(t, rep.DwellSeconds, 30.0)
			names := map[string]bool{}
			for _, e := range rep.Evidence {
				names[e.Name] = true
			}
			// The best sighting of the chair is an earlier frame than the
			// one that completed the dwell, so it comes as well.
			require.Equal(t, map[string]bool{"snapshot.jpg": true, "annotated.jpg": true, "best.jpg": true}, names)
			d := rep.Detections[0]
			r := chair(t).Rect()
			pasted := vision.Box{X1: float32(r.Min.X), Y1: float32(r.Min.Y), X2: float32(r.Max.X), Y2: float32(r.Max.Y)}
			got := vision.Box{X1: d.Box.X, Y1: d.Box.Y, X2: d.Box.X + d.Box.Width, Y2: d.Box.Y + d.Box.Height}
			iou := track.IoU(got, pasted)
			t.Logf("violation: %s dwell %.0fs best %.2f mean %.2f, IoU with the pasted chair %.2f", d.ClassName, rep.DwellSeconds, rep.BestScore, rep.MeanScore, iou)
			require.GreaterOrEqual(t, iou, float32(0.5))
		})
	}
}

// runChain feeds a video at two frames a second of video time through a
// camera chain with the real model and a real outbox, which it returns;
// opts change the chain before it starts.
func runChain(t *testing.T, video string, zones []rules.ZoneRules, opts ...func(*Camera)) *outbox.Outbox {
	t.Helper()
	ob, err := outbox.Open(filepath.Join(t.TempDir(), "outbox"), slog.Default(), prometheus.NewRegistry())
	require.NoError(t, err)
	t.Cleanup(func() { ob.Close() })
	det, err := openDetector(testdata.Path(t, "models"))
	require.NoError(t, err)
	defer det.Close()
	cam := &Camera{
		Source:   evidence.Source{DeviceID: "edge-t", CameraID: "cam1", Model: det.Info()},
		Detector: det,
		Tracker:  track.New(5 * time.Second),
		Rules:    rules.NewEngine(zones),
		Sink:     ob,
		Log:      slog.Default(),
		Metrics:  NewMetrics(prometheus.NewRegistry()),
	}
	for _, o := range opts {
		o(cam)
	}
	vc, err := gocv.VideoCaptureFile(video)
	require.NoError(t, err)
	defer vc.Close()
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for i := 0; ; i++ {
		frame := gocv.NewMat()
		if !vc.Read(&frame) {
			frame.Close()
			break
		}
		if i%5 == 0 {
			cam.process(newView(ingest.Frame{CameraID: "cam1", Seq: uint64(i), Captured: t0.Add(time.Duration(i) * 100 * time.Millisecond), Image: frame}, nil))
		}
		frame.Close()
	}
	return ob
}
