package change

import (
	"testing"

	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/internal/testdata"
)

// TestPassersByStayBelowTheStructureLevel compares the first frame of
// vtest.avi with later ones, in which people have walked into and out of
// the zone: the real noise and compression of a second picture, and
// pedestrians, change far fewer cells than a structure does.
func TestPassersByStayBelowTheStructureLevel(t *testing.T) {
	vc, err := gocv.VideoCaptureFile(testdata.Path(t, "media", "vtest.avi"))
	require.NoError(t, err)
	defer vc.Close()
	first := gocv.NewMat()
	defer first.Close()
	require.True(t, vc.Read(&first))
	ref, err := NewSignature(first, zone)
	require.NoError(t, err)
	frame := gocv.NewMat()
	defer frame.Close()
	for i := 1; i <= 300; i++ {
		require.True(t, vc.Read(&frame), "frame %d", i)
		if i%50 != 0 {
			continue
		}
		sig, err := NewSignature(frame, zone)
		require.NoError(t, err)
		_, f := Compare(ref, sig, 0.5)
		t.Logf("frame %d: changed fraction %.3f", i, f)
		require.Less(t, f, 0.2, "frame %d", i)
	}
}
