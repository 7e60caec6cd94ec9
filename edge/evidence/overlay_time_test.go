package evidence

import (
	"bytes"
	"image"
	"image/jpeg"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/internal/testdata"
)

// TestOverlayTime: the picture's time is the device zone's wall time with
// its offset, never UTC with a "Z" that officers read as local time.
func TestOverlayTime(t *testing.T) {
	at := time.Date(2026, 12, 6, 12, 52, 3, 0, time.UTC)
	zone := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		require.NoError(t, err)
		return loc
	}
	for _, tc := range []struct {
		loc  *time.Location
		want string
	}{
		{zone("Asia/Shanghai"), "2026-12-06 20:52:03 +08:00"},
		{zone("America/New_York"), "2026-12-06 07:52:03 -05:00"},
		{zone("Asia/Kolkata"), "2026-12-06 18:22:03 +05:30"},
		{time.UTC, "2026-12-06 12:52:03 +00:00"},
		{nil, "2026-12-06 12:52:03 +00:00"},
	} {
		require.Equal(t, tc.want, OverlayTime(at, tc.loc))
	}
}

// TestSnapshotHeaderInDeviceZone: the annotated snapshot's header changes
// with the device's zone (the time in it does) and nothing else does.
func TestSnapshotHeaderInDeviceZone(t *testing.T) {
	frame := gocv.IMRead(testdata.Path(t, "images", "000000000785.jpg"), gocv.IMReadColor)
	require.False(t, frame.Empty())
	defer frame.Close()
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	v := violation()
	_, utc, err := Annotator{}.Snapshots(frame, "cam1", v)
	require.NoError(t, err)
	_, local, err := Annotator{Location: shanghai}.Snapshots(frame, "cam1", v)
	require.NoError(t, err)
	a, err := jpeg.Decode(bytes.NewReader(utc))
	require.NoError(t, err)
	b, err := jpeg.Decode(bytes.NewReader(local))
	require.NoError(t, err)
	header, below := image.Rect(0, 0, frame.Cols(), 24), image.Rect(0, 40, frame.Cols(), frame.Rows())
	require.Greater(t, diff(a, b, header), 1.0, "the header's time differs")
	require.Less(t, diff(a, b, below), 0.5, "the picture below the header is the same")
}

// diff is the mean absolute difference of the grey levels of a and b in r.
func diff(a, b image.Image, r image.Rectangle) float64 {
	var sum float64
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			ra, ga, ba, _ := a.At(x, y).RGBA()
			rb, gb, bb, _ := b.At(x, y).RGBA()
			la, lb := float64(ra+ga+ba)/3/257, float64(rb+gb+bb)/3/257
			if la > lb {
				sum += la - lb
			} else {
				sum += lb - la
			}
		}
	}
	return sum / float64(r.Dx()*r.Dy())
}
