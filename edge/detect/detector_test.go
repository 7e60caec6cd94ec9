package detect

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"
)

// bestMatch returns the detection of class with the highest IoU with want.
func bestMatch(dets []Detection, class string, want Box) (Detection, float32) {
	var best Detection
	var bestIoU float32 = -1
	for _, d := range dets {
		if d.Class == class {
			if iou := iouOf(d.Box, want); iou > bestIoU {
				best, bestIoU = d, iou
			}
		}
	}
	return best, bestIoU
}

func requireSane(t *testing.T, dets []Detection, w, h int) {
	t.Helper()
	for i, d := range dets {
		require.True(t, d.Box.X1 >= 0 && d.Box.X1 < d.Box.X2 && d.Box.X2 <= float32(w), "%+v", d)
		require.True(t, d.Box.Y1 >= 0 && d.Box.Y1 < d.Box.Y2 && d.Box.Y2 <= float32(h), "%+v", d)
		require.True(t, d.Score >= 0.3 && d.Score <= 1, "%+v", d)
		if i > 0 {
			require.LessOrEqual(t, d.Score, dets[i-1].Score, "highest score first")
		}
	}
}

// The COCO image 785 is a skier; its ground-truth person box is
// [280.79, 44.73, 218.7, 346.68] (x, y, w, h).
// Both runtimes must find it.
func TestDetectSkier(t *testing.T) {
	for _, be := range []string{BackendONNXRuntime, BackendOpenCV} {
		t.Run(be, func(t *testing.T) {
			d, err := Open(realManifest(t), Options{Backend: be})
			require.NoError(t, err)
			defer d.Close()
			img := readImage(t, "images", "000000000785.jpg")
			dets, err := d.Detect(img)
			require.NoError(t, err)
			requireSane(t, dets, img.Cols(), img.Rows())
			person, iou := bestMatch(dets, "person", Box{X1: 280.79, Y1: 44.73, X2: 280.79 + 218.7, Y2: 44.73 + 346.68})
			require.Greater(t, person.Score, float32(0.5), "detections: %+v", dets)
			require.Greater(t, iou, float32(0.8), "person box %+v", person.Box)
			require.Equal(t, 0, person.ClassID)
		})
	}
}

// The first frame of vtest.avi has three people walking on the plaza.
func TestDetectVideoFrame(t *testing.T) {
	d := openReal(t)
	img := firstFrame(t)
	dets, err := d.Detect(img)
	require.NoError(t, err)
	requireSane(t, dets, img.Cols(), img.Rows())
	for _, want := range []Box{
		{X1: 252, Y1: 220, X2: 283, Y2: 308}, // left of the lamp post
		{X1: 503, Y1: 158, X2: 531, Y2: 232}, // top, by the road
		{X1: 643, Y1: 239, X2: 684, Y2: 322}, // right
	} {
		p, iou := bestMatch(dets, "person", want)
		require.Greater(t, iou, float32(0.6), "no person near %+v in %+v", want, dets)
		require.Greater(t, p.Score, float32(0.5))
	}

	// Same frame again: same answer, and the counters move.
	again, err := d.Detect(img)
	require.NoError(t, err)
	require.Equal(t, dets, again)
	s := d.(StatsReporter).Stats()
	require.Equal(t, uint64(2), s.Frames)
	require.Zero(t, s.NonFinite)
	require.Positive(t, s.Infer)
}

// Frames of several sizes through one detector: the padding is redrawn per
// size, so a small frame after a large one must not see stale pixels.
func TestDetectSizes(t *testing.T) {
	d := openReal(t)
	skier := readImage(t, "images", "000000000785.jpg")
	first, err := d.Detect(skier)
	require.NoError(t, err)

	for _, sz := range [][2]int{{1, 1}, {2000, 30}, {30, 2000}, {416, 416}, {3000, 2000}} {
		m := gocv.NewMatWithSize(sz[1], sz[0], gocv.MatTypeCV8UC3)
		dets, err := d.Detect(m)
		m.Close()
		require.NoError(t, err, "%v", sz)
		requireSane(t, dets, sz[0], sz[1])
	}
	// A region of a larger image is not continuous in memory.
	region := skier.Region(imageRect(200, 0, 640, 425))
	defer region.Close()
	dets, err := d.Detect(region)
	require.NoError(t, err)
	requireSane(t, dets, 440, 425)
	_, iou := bestMatch(dets, "person", Box{X1: 80.79, Y1: 44.73, X2: 80.79 + 218.7, Y2: 44.73 + 346.68})
	require.Greater(t, iou, float32(0.7))

	again, err := d.Detect(skier)
	require.NoError(t, err)
	require.Equal(t, first, again)
}

func TestDetectErrors(t *testing.T) {
	d := openReal(t)
	empty := gocv.NewMat()
	defer empty.Close()
	_, err := d.Detect(empty)
	require.ErrorContains(t, err, "model yolox-nano: empty frame")

	gray := gocv.NewMatWithSize(10, 10, gocv.MatTypeCV8UC1)
	defer gray.Close()
	_, err = d.Detect(gray)
	require.ErrorContains(t, err, "want BGR 8UC3")

	require.Equal(t, ModelInfo{Name: "yolox-nano", Version: "0.1.1",
		SHA256: "695e750a5d5754bb5a8d5325643b59282191a7e7a564e435a415fd3c578eab14", Runtime: "onnxruntime/cpu"}, d.Info())
	require.NoError(t, d.Close())
	require.NoError(t, d.Close(), "idempotent")
	img := gocv.NewMatWithSize(10, 10, gocv.MatTypeCV8UC3)
	defer img.Close()
	_, err = d.Detect(img)
	require.ErrorContains(t, err, "detector closed")
}

// Misuse from several goroutines is serialised, not a crash.
func TestDetectConcurrentMisuse(t *testing.T) {
	d := openReal(t)
	img := firstFrame(t)
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			for range 3 {
				_, err := d.Detect(img)
				require.NoError(t, err)
			}
		})
	}
	wg.Wait()
}

func TestOpenErrors(t *testing.T) {
	sha := "695e750a5d5754bb5a8d5325643b59282191a7e7a564e435a415fd3c578eab14"
	tests := []struct {
		name  string
		edits []string
		want  []string
	}{
		{"wrong sha256", []string{sha, strings.Repeat("ab", 32)},
			[]string{"model yolox-nano 0.1.1", "yolox_nano.onnx", "file has sha256 " + sha + ", manifest says abab", "wrong or damaged file"}},
		{"class count", []string{"classes_file: coco_classes.txt", "classes: [person, bicycle, car]"},
			[]string{"model yolox-nano 0.1.1", `output "output": 85 values per box, so 80 classes, but the manifest lists 3 classes`}},
		{"input size", []string{"width: 416", "width: 640"},
			[]string{"model yolox-nano 0.1.1", `input "images" has shape [1 3 416 416]; the manifest (input NCHW, width 640, height 416) wants [1 3 416 640]`}},
		{"layout", []string{"layout: NCHW", "layout: NHWC"},
			[]string{`wants [1 416 416 3]`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := loadWith(t, tt.edits)
			d, err := Open(m, Options{})
			require.Error(t, err)
			require.Nil(t, d)
			for _, w := range tt.want {
				require.ErrorContains(t, err, w)
			}
		})
	}

	t.Run("missing file after load", func(t *testing.T) {
		m := realManifest(t)
		require.NoError(t, os.Remove(m.ONNXPath()))
		_, err := Open(m, Options{})
		require.ErrorContains(t, err, "model yolox-nano 0.1.1")
		require.ErrorContains(t, err, "no such file")
	})
	t.Run("not a model", func(t *testing.T) {
		dir := t.TempDir()
		junk := []byte("definitely not protobuf")
		require.NoError(t, os.WriteFile(filepath.Join(dir, "junk.onnx"), junk, 0o644))
		m := realManifest(t)
		m.Dir, m.ONNX, m.SHA256 = dir, "junk.onnx", sha256Hex(junk)
		_, err := Open(m, Options{})
		require.ErrorContains(t, err, "model yolox-nano 0.1.1")
		require.ErrorContains(t, err, "read inputs and outputs")
	})
	t.Run("nil manifest", func(t *testing.T) {
		_, err := Open(nil, Options{})
		require.ErrorContains(t, err, "nil manifest")
	})
	t.Run("threads option", func(t *testing.T) {
		d, err := Open(realManifest(t), Options{IntraOpThreads: 1, LibraryPath: libraryPath(t)})
		require.NoError(t, err)
		require.NoError(t, d.Close())
	})
}
