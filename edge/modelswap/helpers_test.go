package modelswap

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/edge/detect"
	"github.com/xiuhua/xiuhua/internal/testdata"
	xiuhuav1 "github.com/xiuhua/xiuhua/proto/xiuhua/v1"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The generated models' box: (4, 4)–(20, 20), score 0.9, class 0.
var (
	goodOut  = []float32{4, 4, 20, 20, 0.9, 0}
	nanOut   = []float32{nan, nan, nan, nan, nan, nan}
	brightCl = []float32{0, 0, 0, 0, 0, 100} // class id moves off 0 on any bright frame
	nan      = float32(math.NaN())
)

// genManifest is the manifest of a generated 64×32 nms_free model.
const genManifest = `name: %s
version: "%s"
onnx: %s
sha256: %s
family: nms_free
input:
  width: 64
  height: 32
  layout: NCHW
  channel_order: BGR
  scale: 0.00392156862745098
  mean: [0, 0, 0]
  std: [1, 1, 1]
  pad_value: 0
classes: [%s]
score_threshold: 0.3
nms_iou: 0.45
max_detections: 10
`

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// genModel writes model (ONNX bytes) and a manifest for it into dir and
// returns the manifest's path. classes are comma-separated.
func genModel(t testing.TB, dir, version string, model []byte, classes string) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o755))
	onnx := "gen-" + version + ".onnx"
	require.NoError(t, os.WriteFile(filepath.Join(dir, onnx), model, 0o644))
	return writeManifest(t, dir, fmt.Sprintf(genManifest, "gen", version, onnx, sha256Hex(model), classes))
}

func writeManifest(t testing.TB, dir, text string) string {
	t.Helper()
	p := filepath.Join(dir, "manifest.yaml")
	require.NoError(t, os.WriteFile(p+".tmp", []byte(text), 0o644))
	require.NoError(t, os.Rename(p+".tmp", p))
	return p
}

// yoloxModel copies the real test model into dir under a manifest of the
// given version and returns the manifest's path.
func yoloxModel(t testing.TB, dir, version string) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o755))
	for _, f := range []string{"yolox_nano.onnx", "coco_classes.txt"} {
		copyFile(t, testdata.Path(t, "models", f), filepath.Join(dir, f))
	}
	m, err := os.ReadFile(filepath.Join(mustRoot(t), "models", "yolox-nano.yaml"))
	require.NoError(t, err)
	text := strings.Replace(string(m), `version: "0.1.1"`, `version: "`+version+`"`, 1)
	require.Contains(t, text, `version: "`+version+`"`)
	p := filepath.Join(dir, "yolox-nano-"+version+".yaml")
	require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	return p
}

func mustRoot(t testing.TB) string {
	root, err := testdata.RepoRoot()
	require.NoError(t, err)
	return root
}

func copyFile(t testing.TB, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	require.NoError(t, err)
	defer in.Close()
	out, err := os.Create(to)
	require.NoError(t, err)
	_, err = io.Copy(out, in)
	require.NoError(t, err)
	require.NoError(t, out.Close())
}

func openManifest(t testing.TB, path string) (detect.Detector, *detect.Manifest) {
	t.Helper()
	m, err := detect.LoadManifest(path)
	require.NoError(t, err)
	d, err := detect.Open(m, detect.Options{IntraOpThreads: 1})
	require.NoError(t, err)
	return d, m
}

func testConfig() Config {
	return Config{
		Open: func(m *detect.Manifest) (detect.Detector, error) {
			return detect.Open(m, detect.Options{IntraOpThreads: 1})
		},
		Probation:    1, // a nanosecond: probation ends with the window
		MaxErrorRate: 0.25,
		ErrorWindow:  4,
		Warmup:       2,
	}
}

// newTestManager runs the model of manifest path under cfg; statuses
// collects every status reported.
func newTestManager(t testing.TB, cfg Config, path string) (*Manager, *statuses) {
	t.Helper()
	d, m := openManifest(t, path)
	mgr := New(cfg, d, m.Classes)
	t.Cleanup(func() { require.NoError(t, mgr.Close()) })
	st := &statuses{}
	mgr.OnStatus(st.add)
	return mgr, st
}

type statuses struct {
	mu   sync.Mutex
	list []*xiuhuav1.ModelStatus
}

func (s *statuses) add(st *xiuhuav1.ModelStatus) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.list = append(s.list, st)
}

func (s *statuses) states() []xiuhuav1.ModelState {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []xiuhuav1.ModelState
	for _, st := range s.list {
		out = append(out, st.State)
	}
	return out
}

func (s *statuses) last() *xiuhuav1.ModelStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.list) == 0 {
		return nil
	}
	return s.list[len(s.list)-1]
}

// frame is a 128×64 BGR frame of one grey level (it fills the 64×32 input).
func frame(t testing.TB, v uint8) gocv.Mat {
	t.Helper()
	img := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(float64(v), float64(v), float64(v), 0), 64, 128, gocv.MatTypeCV8UC3)
	t.Cleanup(func() { img.Close() })
	return img
}

// value reads a counter or gauge.
func value(t testing.TB, c prometheus.Metric) float64 {
	t.Helper()
	var m dto.Metric
	require.NoError(t, c.Write(&m))
	if m.Counter != nil {
		return m.Counter.GetValue()
	}
	return m.Gauge.GetValue()
}

// infoSeries lists the model info gauge's series as name/version.
func infoSeries(t testing.TB, met *Metrics) []string {
	t.Helper()
	ch := make(chan prometheus.Metric, 10)
	met.info.Collect(ch)
	close(ch)
	var out []string
	for m := range ch {
		var d dto.Metric
		require.NoError(t, m.Write(&d))
		l := map[string]string{}
		for _, p := range d.Label {
			l[p.GetName()] = p.GetValue()
		}
		out = append(out, l["name"]+"/"+l["version"])
	}
	return out
}
