package recheck

import (
	"context"
	"image"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/edge/detect"
	"github.com/xiuhua/xiuhua/edge/pipeline"
	"github.com/xiuhua/xiuhua/edge/rules"
	"github.com/xiuhua/xiuhua/hack/stage/paste"
	"github.com/xiuhua/xiuhua/internal/testdata"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

// frames lends clones of a fixed sequence of pictures, the last one again
// and again; with none it blocks like a camera that is down.
type frames struct {
	mu   sync.Mutex
	seq  []gocv.Mat
	next int
}

func (f *frames) Peek(ctx context.Context) (pipeline.Peeked, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.seq) == 0 {
		<-ctx.Done()
		return pipeline.Peeked{}, ctx.Err()
	}
	m := f.seq[min(f.next, len(f.seq)-1)]
	f.next++
	return pipeline.Peeked{Image: m.Clone(), Captured: time.Now()}, nil
}

// chairRect is where the chair is pasted: the staged street-vending scene
// of edge/pipeline's tests, on the lawn at the bottom left of vtest.avi.
var chairRect = image.Rect(30, 384, 30+121, 384+176)

var kerb = rules.Zone{ID: "kerb", Polygon: []rules.Point{{X: 0, Y: 0.68}, {X: 0.25, Y: 0.68}, {X: 0.25, Y: 1}, {X: 0, Y: 1}}}

// scene returns a frame of vtest.avi 15 s in, and the same with a chair
// cut from a COCO picture pasted on the lawn.
func scene(t *testing.T) (plain, withChair gocv.Mat) {
	t.Helper()
	vc, err := gocv.VideoCaptureFile(testdata.Path(t, "media", "vtest.avi"))
	require.NoError(t, err)
	defer vc.Close()
	plain = gocv.NewMat()
	for range 150 {
		require.True(t, vc.Read(&plain), "vtest.avi is shorter than 15 s")
	}
	src := gocv.IMRead(testdata.Path(t, "images", "000000000139.jpg"), gocv.IMReadColor)
	require.False(t, src.Empty())
	defer src.Close()
	crop := src.Region(image.Rect(370, 210, 446, 320))
	defer crop.Close()
	patch := gocv.NewMat()
	defer patch.Close()
	gocv.Resize(crop, &patch, chairRect.Size(), 0, 0, gocv.InterpolationLinear)
	withChair = plain.Clone()
	dst := withChair.Region(chairRect)
	patch.CopyTo(&dst)
	dst.Close()
	t.Cleanup(func() { plain.Close(); withChair.Close() })
	return plain, withChair
}

var (
	detOnce sync.Once
	det     detect.Detector
	detErr  error
)

// model is the real YOLOX-Nano through onnxruntime, shared by the tests.
func model(t *testing.T) pipeline.Detector {
	t.Helper()
	dir := testdata.Path(t, "models")
	detOnce.Do(func() {
		root, err := testdata.RepoRoot()
		if err != nil {
			detErr = err
			return
		}
		yml, err := os.ReadFile(filepath.Join(root, "models", "yolox-nano.yaml"))
		if err != nil {
			detErr = err
			return
		}
		m, err := detect.ParseManifest(yml, dir)
		if err != nil {
			detErr = err
			return
		}
		det, detErr = detect.Open(m, detect.Options{})
	})
	require.NoError(t, detErr, "open the YOLOX-Nano model")
	return pipeline.NewSharedDetector(det)
}

func TestMain(m *testing.M) {
	code := m.Run()
	if det != nil {
		det.Close()
	}
	os.Exit(code)
}

func vendingRule() rules.Rule {
	return rules.Rule{ID: "vending", Type: "street_vending", MinScore: 0.3,
		Classes: rules.DefaultClasses("street_vending", []string{"umbrella", "dining table", "chair", "bench", "suitcase"})}
}

func checker(t *testing.T, cams ...Camera) *Checker {
	c := New(Options{Cameras: cams, Detector: model(t), Log: slog.Default(), Reply: func(*xiuhuav1.EdgeMessage) {}})
	t.Cleanup(c.Close)
	return c
}

func request(zone, typ string, timeout uint32) *xiuhuav1.RecheckRequest {
	return &xiuhuav1.RecheckRequest{RequestId: "rc-1", CaseId: "case-1", CameraId: "cam1", ZoneId: zone,
		ViolationType: typ, TimeoutSeconds: timeout}
}

// TestPresentAndAbsent: the real model on the plaza with and without the
// pasted chair answers present (with the chair's box, the model and both
// pictures) and absent.
func TestPresentAndAbsent(t *testing.T) {
	plain, withChair := scene(t)
	tests := []struct {
		name string
		seq  []gocv.Mat
		want xiuhuav1.RecheckOutcome
	}{
		{"chair still there", []gocv.Mat{withChair}, xiuhuav1.RecheckOutcome_RECHECK_OUTCOME_PRESENT},
		{"cleared", []gocv.Mat{plain}, xiuhuav1.RecheckOutcome_RECHECK_OUTCOME_ABSENT},
		// One look of three sees it: one missed detection must not close
		// the case.
		{"seen in one look", []gocv.Mat{plain, withChair, plain}, xiuhuav1.RecheckOutcome_RECHECK_OUTCOME_PRESENT},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := checker(t, Camera{ID: "cam1", Frames: &frames{seq: tc.seq},
				Zones: []rules.ZoneRules{{Zone: kerb, Rules: []rules.Rule{vendingRule()}}}})
			res := c.Check(context.Background(), request("kerb", "street_vending", 3))
			t.Logf("%s: %s", res.Outcome, res.Detail)
			require.Equal(t, tc.want, res.Outcome, res.Detail)
			require.Equal(t, "rc-1", res.RequestId)
			require.Equal(t, "case-1", res.CaseId)
			require.Equal(t, "yolox-nano", res.Model.GetName())
			for _, pic := range [][]byte{res.Snapshot, res.Annotated} {
				m, err := gocv.IMDecode(pic, gocv.IMReadColor)
				require.NoError(t, err)
				require.Equal(t, []int{576, 768}, []int{m.Rows(), m.Cols()})
				m.Close()
			}
			if tc.want == xiuhuav1.RecheckOutcome_RECHECK_OUTCOME_ABSENT {
				require.Empty(t, res.Detections)
				require.Contains(t, res.Detail, "in 3 looks")
				return
			}
			require.NotEmpty(t, res.Detections)
			require.GreaterOrEqual(t, res.Score, float32(0.3))
			b := res.Detections[0].Box
			got := image.Rect(int(b.X), int(b.Y), int(b.X+b.Width), int(b.Y+b.Height))
			require.True(t, got.Overlaps(chairRect), "box %v misses the chair %v", got, chairRect)
		})
	}
}

// TestRequestBox: a zone the object is not in still counts it when it
// covers the box the case was reported with.
func TestRequestBox(t *testing.T) {
	_, withChair := scene(t)
	elsewhere := rules.Zone{ID: "far", Polygon: []rules.Point{{X: 0.6, Y: 0}, {X: 1, Y: 0}, {X: 1, Y: 0.3}, {X: 0.6, Y: 0.3}}}
	c := checker(t, Camera{ID: "cam1", Frames: &frames{seq: []gocv.Mat{withChair}},
		Zones: []rules.ZoneRules{{Zone: elsewhere, Rules: []rules.Rule{vendingRule()}}}})
	req := request("far", "street_vending", 3)
	require.Equal(t, xiuhuav1.RecheckOutcome_RECHECK_OUTCOME_ABSENT, c.Check(context.Background(), req).Outcome)
	// The box in a frame of twice the size: scaled to this one.
	req.Box = &xiuhuav1.Box{X: float32(chairRect.Min.X * 2), Y: float32(chairRect.Min.Y * 2),
		Width: float32(chairRect.Dx() * 2), Height: float32(chairRect.Dy() * 2)}
	req.FrameWidth, req.FrameHeight = 768*2, 576*2
	res := c.Check(context.Background(), req)
	require.Equal(t, xiuhuav1.RecheckOutcome_RECHECK_OUTCOME_PRESENT, res.Outcome, res.Detail)
}

// TestChangeRule: a structure type the model has no class for is judged
// against the zone's reference picture.
func TestChangeRule(t *testing.T) {
	plain, _ := scene(t)
	ref := filepath.Join(t.TempDir(), "lawn.jpg")
	require.True(t, gocv.IMWrite(ref, plain))
	lawn := image.Rect(40, 380, 300, 560)
	zone := rules.Zone{ID: "lawn", Pixels: true, Polygon: []rules.Point{
		{X: float64(lawn.Min.X), Y: float64(lawn.Min.Y)}, {X: float64(lawn.Max.X), Y: float64(lawn.Min.Y)},
		{X: float64(lawn.Max.X), Y: float64(lawn.Max.Y)}, {X: float64(lawn.Min.X), Y: float64(lawn.Max.Y)}}}
	shed := paste.Shed(plain, image.Rect(80, 400, 260, 550))
	defer shed.Close()
	dusk := paste.Relit(plain, 0.6, -5)
	defer dusk.Close()
	for _, tc := range []struct {
		name  string
		frame gocv.Mat
		want  xiuhuav1.RecheckOutcome
	}{
		{"shed still there", shed, xiuhuav1.RecheckOutcome_RECHECK_OUTCOME_PRESENT},
		{"removed, at dusk", dusk, xiuhuav1.RecheckOutcome_RECHECK_OUTCOME_ABSENT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := checker(t, Camera{ID: "cam1", Frames: &frames{seq: []gocv.Mat{tc.frame}},
				Changes: []Change{{Zone: zone, Rule: rules.Rule{ID: "no-building", Type: "illegal_structure"},
					Reference: ref, CellThreshold: 0.5, MinFraction: 0.15}}})
			res := c.Check(context.Background(), request("lawn", "illegal_structure", 3))
			t.Logf("%s: %s", res.Outcome, res.Detail)
			require.Equal(t, tc.want, res.Outcome, res.Detail)
			require.NotEmpty(t, res.Annotated)
		})
	}
}

// TestUnavailable: what the edge cannot look at is answered UNAVAILABLE
// with the reason, without pictures.
func TestUnavailable(t *testing.T) {
	plain, _ := scene(t)
	c := checker(t,
		Camera{ID: "cam1", Frames: &frames{seq: []gocv.Mat{plain}}, Zones: []rules.ZoneRules{{Zone: kerb, Rules: []rules.Rule{vendingRule()}}}},
		Camera{ID: "down", Frames: &frames{}, Zones: []rules.ZoneRules{{Zone: kerb, Rules: []rules.Rule{vendingRule()}}}})
	down := request("kerb", "street_vending", 1)
	down.CameraId = "down"
	for _, tc := range []struct {
		name string
		req  *xiuhuav1.RecheckRequest
		want string
	}{
		{"unknown zone", request("nope", "street_vending", 3), `unknown zone "nope" of camera "cam1"`},
		{"unknown camera", &xiuhuav1.RecheckRequest{RequestId: "rc-1", CameraId: "cam9", ZoneId: "kerb"}, `unknown camera "cam9" on this edge`},
		{"no such rule", request("kerb", "street_laundry", 3), `zone "kerb" of camera "cam1" has no rule of type street_laundry`},
		{"camera down", down, "camera down gave no frame within 1s: is it down?"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := c.Check(context.Background(), tc.req)
			require.Equal(t, xiuhuav1.RecheckOutcome_RECHECK_OUTCOME_UNAVAILABLE, res.Outcome)
			require.Equal(t, tc.want, res.Detail)
			require.Empty(t, res.Snapshot)
			require.Equal(t, tc.req.RequestId, res.RequestId)
		})
	}
}

// TestTurnedOff: a box whose operator turned re-checks off answers at once,
// without looking, so the case goes to a human without the server's wait.
func TestTurnedOff(t *testing.T) {
	plain, _ := scene(t)
	c := New(Options{Detector: model(t), Off: true, Reply: func(*xiuhuav1.EdgeMessage) {},
		Cameras: []Camera{{ID: "cam1", Frames: &frames{seq: []gocv.Mat{plain}},
			Zones: []rules.ZoneRules{{Zone: kerb, Rules: []rules.Rule{vendingRule()}}}}}})
	defer c.Close()
	res := c.Check(context.Background(), request("kerb", "street_vending", 3))
	require.Equal(t, xiuhuav1.RecheckOutcome_RECHECK_OUTCOME_UNAVAILABLE, res.Outcome)
	require.Equal(t, "re-checks are turned off on this edge (recheck.enabled: false)", res.Detail)
	require.Empty(t, res.Snapshot)
}

// TestHandleReplies: a command becomes one answer through Reply, also
// when the server repeats it while the edge is still looking.
func TestHandleReplies(t *testing.T) {
	plain, _ := scene(t)
	replies := make(chan *xiuhuav1.EdgeMessage, 4)
	c := New(Options{Detector: model(t), Reply: func(m *xiuhuav1.EdgeMessage) { replies <- m },
		Cameras: []Camera{{ID: "cam1", Frames: &frames{seq: []gocv.Mat{plain}},
			Zones: []rules.ZoneRules{{Zone: kerb, Rules: []rules.Rule{vendingRule()}}}}}})
	defer c.Close()
	cmd := &xiuhuav1.ServerMessage{Msg: &xiuhuav1.ServerMessage_Recheck{Recheck: request("kerb", "street_vending", 3)}}
	c.Handle(context.Background(), cmd)
	c.Handle(context.Background(), cmd)
	c.Handle(context.Background(), &xiuhuav1.ServerMessage{Msg: &xiuhuav1.ServerMessage_HeartbeatAck{}})
	select {
	case m := <-replies:
		require.Equal(t, xiuhuav1.RecheckOutcome_RECHECK_OUTCOME_ABSENT, m.GetRecheckResult().GetOutcome())
	case <-time.After(30 * time.Second):
		t.Fatal("no answer")
	}
	c.Close() // waits for any second check
	require.Empty(t, replies, "the repeated request was answered twice")
}
