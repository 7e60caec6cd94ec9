package pipeline

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/edge/decode"
	"github.com/xiuhua/xiuhua/edge/ingest"
	"github.com/xiuhua/xiuhua/edge/track"
	"github.com/xiuhua/xiuhua/edge/vision"
)

// TestBestFramesFromPictures: from decoded pictures a track's best
// sighting is kept without a BGR copy and comes back at full size for its
// evidence; a better sighting replaces it; a picture that cannot be kept
// leaves no entry for a new object.
func TestBestFramesFromPictures(t *testing.T) {
	at := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	bgr := func(level float64) gocv.Mat {
		return gocv.NewMatWithSizeFromScalar(gocv.NewScalar(level, level, level, 0), 48, 64, gocv.MatTypeCV8UC3)
	}
	frame := func(level float64) *view {
		m := bgr(level)
		defer m.Close()
		pic, err := decode.PictureFromBGR(m)
		require.NoError(t, err)
		return newView(ingest.Frame{Picture: pic}, nil)
	}
	seen := func(id uint64, score float32) []track.Track {
		return []track.Track{{ID: id, Class: "chair", Score: score, Box: vision.Box{X1: 10, Y1: 10, X2: 30, Y2: 30}}}
	}
	all := func(string) bool { return true }
	bf := newBestFrames(time.Minute)
	defer bf.close()

	dark := frame(40)
	bf.offer(at, dark, seen(1, 0.5), all)
	dark.close() // the look ends; the sighting outlives its frame
	bright := frame(200)
	bf.offer(at.Add(time.Second), bright, seen(1, 0.9), all)
	bright.close()
	worse := frame(120)
	bf.offer(at.Add(2*time.Second), worse, seen(1, 0.6), all)
	worse.close()

	b, ok := bf.get(1)
	require.True(t, ok)
	require.True(t, b.img.Empty(), "no BGR copy kept")
	require.NotNil(t, b.still)
	img, done, err := b.bgr()
	require.NoError(t, err)
	defer done()
	require.Equal(t, [2]int{48, 64}, [2]int{img.Rows(), img.Cols()})
	require.InDelta(t, 200, float64(img.GetUCharAt(24, 32)), 3, "the best sighting, not the last")
	require.Equal(t, float32(0.9), b.score)

	gone := frame(90)
	gone.f.Picture.Close() // nothing left to keep
	bf.offer(at.Add(3*time.Second), gone, seen(2, 0.9), all)
	_, ok = bf.get(2)
	require.False(t, ok, "no entry without a picture")
}
