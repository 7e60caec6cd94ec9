package change

import (
	"image"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/hack/stage/paste"
	"github.com/xiuhua/xiuhua/internal/testdata"
)

// zone is a patch of the plaza in vtest.avi's first frame.
var zone = image.Rect(60, 330, 420, 560)

func scene(t *testing.T) gocv.Mat {
	t.Helper()
	vc, err := gocv.VideoCaptureFile(testdata.Path(t, "media", "vtest.avi"))
	require.NoError(t, err)
	defer vc.Close()
	m := gocv.NewMat()
	require.True(t, vc.Read(&m), "read the first frame of vtest.avi")
	return m
}

func lit(m gocv.Mat, gain, offset float64) gocv.Mat { return paste.Relit(m, gain, offset) }

func withShed(m gocv.Mat) gocv.Mat {
	return paste.Shed(m, image.Rect(zone.Min.X+40, zone.Min.Y+30, zone.Min.X+250, zone.Max.Y-20))
}

func fraction(t *testing.T, ref, cur gocv.Mat) float64 {
	t.Helper()
	a, err := NewSignature(ref, zone)
	require.NoError(t, err)
	b, err := NewSignature(cur, zone)
	require.NoError(t, err)
	_, f := Compare(a, b, 0.5)
	return f
}

// TestBrightnessAloneIsNoChangeButAStructureIs is why the comparison is on
// gradient structure: a plain pixel difference calls a darker frame a
// change everywhere.
func TestBrightnessAloneIsNoChangeButAStructureIs(t *testing.T) {
	ref := scene(t)
	defer ref.Close()
	dark, bright := lit(ref, 0.55, -10), lit(ref, 1.3, 20)
	defer dark.Close()
	defer bright.Close()
	shed := withShed(ref)
	defer shed.Close()
	darkShed, brightShed := lit(shed, 0.55, -10), lit(shed, 1.3, 20)
	defer darkShed.Close()
	defer brightShed.Close()

	cases := []struct {
		name     string
		frame    gocv.Mat
		min, max float64
	}{
		{"same frame", ref, 0, 0},
		{"darkened", dark, 0, 0.08},
		{"brightened", bright, 0, 0.08},
		{"shed", shed, 0.25, 1},
		{"shed at dusk", darkShed, 0.25, 1},
		{"shed in bright sun", brightShed, 0.25, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := fraction(t, ref, tc.frame)
			t.Logf("changed fraction %.3f", f)
			require.GreaterOrEqual(t, f, tc.min)
			require.LessOrEqual(t, f, tc.max)
		})
	}

	// A naive grey-level difference would flag the darkened frame.
	g1, g2, diff := gocv.NewMat(), gocv.NewMat(), gocv.NewMat()
	defer g1.Close()
	defer g2.Close()
	defer diff.Close()
	gocv.CvtColor(ref.Region(zone), &g1, gocv.ColorBGRToGray)
	gocv.CvtColor(dark.Region(zone), &g2, gocv.ColorBGRToGray)
	gocv.AbsDiff(g1, g2, &diff)
	gocv.Threshold(diff, &diff, 25, 255, gocv.ThresholdBinary)
	require.Greater(t, float64(gocv.CountNonZero(diff))/float64(zone.Dx()*zone.Dy()), 0.5,
		"the darkened frame should defeat a plain pixel difference; the test scene is too dark to prove anything")
}

func TestWatcherReportsOnlyPersistentChangeOnce(t *testing.T) {
	ref := scene(t)
	defer ref.Close()
	shed := withShed(ref)
	defer shed.Close()
	dark := lit(shed, 0.6, 0)
	defer dark.Close()

	w, err := NewWatcher(Config{Rect: zone, CellThreshold: 0.5, MinFraction: 0.15, Checks: 3, Span: 2 * time.Minute}, ref)
	require.NoError(t, err)
	defer w.Close()
	t0 := time.Unix(0, 0)
	steps := []struct {
		min        int
		frame      gocv.Mat
		changed    bool
		persistent bool
	}{
		{0, ref, false, false},
		{1, shed, true, false}, // first sighting
		{2, dark, true, false}, // two checks, one minute
		{3, shed, true, true},  // three checks over two minutes: report
		{4, shed, true, false}, // already reported
		{5, ref, false, false}, // gone: the watcher re-arms
		{6, shed, true, false}, // back: a new run starts
		{7, shed, true, false},
		{8, shed, true, true},
	}
	for _, s := range steps {
		res, err := w.Check(t0.Add(time.Duration(s.min)*time.Minute), s.frame)
		require.NoError(t, err)
		require.Equal(t, s.changed, res.Changed, "minute %d (fraction %.2f)", s.min, res.Fraction)
		require.Equal(t, s.persistent, res.Persistent, "minute %d", s.min)
		if s.changed {
			require.NotEmpty(t, res.Cells)
			for _, c := range res.Cells {
				require.True(t, c.In(zone), "cell %v outside the zone", c)
			}
		}
	}

	// An operator accepts the shed: it becomes the reference.
	require.NoError(t, w.SetReference(shed))
	res, err := w.Check(t0.Add(10*time.Minute), dark)
	require.NoError(t, err)
	require.False(t, res.Changed)
	reference := w.Reference()
	require.Equal(t, shed.Cols(), reference.Cols())
}

func TestSignatureRefusesBadInput(t *testing.T) {
	empty := gocv.NewMat()
	defer empty.Close()
	_, err := NewSignature(empty, zone)
	require.ErrorContains(t, err, "empty frame")
	m := gocv.NewMatWithSize(100, 100, gocv.MatTypeCV8UC3)
	defer m.Close()
	_, err = NewSignature(m, image.Rect(500, 500, 600, 600))
	require.ErrorContains(t, err, "too small or outside")
}
