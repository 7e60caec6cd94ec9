package detect

import (
	"errors"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"
)

// fakeBackend returns a fixed output, to test the steps around a backend
// without a model.
type fakeBackend struct {
	in, out []float32
	err     error
}

func (f *fakeBackend) maxBatch() int                { return 1 }
func (f *fakeBackend) input(int) ([]float32, error) { return f.in, nil }
func (f *fakeBackend) run(int) ([]float32, error)   { return f.out, f.err }
func (f *fakeBackend) runtime() string              { return "fake" }
func (f *fakeBackend) close() error                 { return nil }

func fakeDetector(t *testing.T, out []float32) (*detector, *fakeBackend) {
	dir := manifestDir(t)
	p := filepath.Join(dir, "m.yaml")
	require.NoError(t, os.WriteFile(p, []byte(goodManifest), 0o644))
	m, err := LoadManifest(p)
	require.NoError(t, err)
	dec, _, err := newDecoder(m, []int64{1, 42, 8})
	require.NoError(t, err)
	be := &fakeBackend{in: make([]float32, 3*64*32), out: out}
	return &detector{m: m, log: slog.Default(), be: be, dec: dec, pre: newPreprocessor(m.Input)}, be
}

// A model that emits NaN (a broken export, a bad execution provider) must
// cost detections, never the process; the rows are counted.
func TestDetectNonFiniteOutput(t *testing.T) {
	out := make([]float32, 42*8)
	for i := range out {
		out[i] = float32(math.NaN())
	}
	// Row 41 (stride 32, cell (1, 0)) is fine: a 32×32 box at (32, 16)
	// of the 64×32 input, which a 128×64 frame fills at scale 0.5.
	copy(out[41*8:], []float32{0, 0.5, 0, 0, 0.9, 0.1, 0.9, 0.1})
	d, _ := fakeDetector(t, out)
	defer d.Close()

	img := gocv.NewMatWithSize(64, 128, gocv.MatTypeCV8UC3)
	defer img.Close()
	dets, err := d.Detect(img)
	require.NoError(t, err)
	require.Len(t, dets, 1)
	require.Equal(t, Detection{ClassID: 1, Class: "car", Score: 0.9 * float32(0.9), Box: Box{X1: 32, Y1: 0, X2: 96, Y2: 64}}, dets[0])
	require.Equal(t, uint64(41), d.Stats().NonFinite)
	require.Equal(t, uint64(1), d.Stats().Frames)
}

func TestDetectBackendError(t *testing.T) {
	d, be := fakeDetector(t, make([]float32, 42*8))
	defer d.Close()
	be.err = errors.New("device lost")
	img := gocv.NewMatWithSize(64, 128, gocv.MatTypeCV8UC3)
	defer img.Close()
	_, err := d.Detect(img)
	require.ErrorContains(t, err, "model tiny: inference: device lost")

	be.err, be.out = nil, be.out[:5]
	_, err = d.Detect(img)
	require.ErrorContains(t, err, "yolox output has 5 values")
}
