package decode

import (
	"fmt"
	"image"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"
)

// meanAbsDiff is the mean absolute difference of two Mats' bytes.
func meanAbsDiff(t *testing.T, a, b gocv.Mat) float64 {
	t.Helper()
	require.Equal(t, [2]int{a.Rows(), a.Cols()}, [2]int{b.Rows(), b.Cols()})
	a, b = a.Clone(), b.Clone() // continuous
	defer a.Close()
	defer b.Close()
	pa, err := a.DataPtrUint8()
	require.NoError(t, err)
	pb, err := b.DataPtrUint8()
	require.NoError(t, err)
	var sum float64
	for i := range pa {
		sum += math.Abs(float64(pa[i]) - float64(pb[i]))
	}
	return sum / float64(len(pa))
}

// TestPictureConverts: a decoded picture converts whole to exactly what
// the decoder's BGR gives, a crop at its size to that part of it, and a
// crop scaled to the model's input to that part resized; and it outlives
// the decoder (trimmed and closed).
func TestPictureConverts(t *testing.T) {
	aus := vtestAccessUnits(t, 1)
	d, err := NewH264Decoder()
	require.NoError(t, err)
	ok, err := d.Decode(aus[0])
	require.NoError(t, err)
	require.True(t, ok)
	want, err := d.BGR()
	require.NoError(t, err)
	defer want.Close()
	pic, err := d.Picture()
	require.NoError(t, err)
	defer pic.Close()
	d.Trim()
	d.Close()
	require.Equal(t, image.Pt(768, 576), pic.Size())

	s := NewScaler()
	defer s.Free()
	whole, err := pic.Convert(s, image.Rectangle{}, 0, 0)
	require.NoError(t, err)
	defer whole.Close()
	require.Zero(t, meanAbsDiff(t, want, whole), "the same conversion as the decoder's")

	crop := image.Rect(101, 51, 401, 351) // odd corner: widened to the chroma grid
	at := pic.AlignCrop(crop)
	require.Equal(t, image.Rect(100, 50, 401, 351), at)
	part, err := pic.Convert(s, crop, 0, 0)
	require.NoError(t, err)
	defer part.Close()
	region := want.Region(at)
	defer region.Close()
	// An odd width or height takes swscale's generic path, which rounds
	// chroma a little differently; an even crop is exact.
	require.Less(t, meanAbsDiff(t, region, part), 2.0, "a crop is that part of the picture")
	even, err := pic.Convert(s, image.Rect(96, 48, 416, 368), 0, 0)
	require.NoError(t, err)
	defer even.Close()
	evenRegion := want.Region(image.Rect(96, 48, 416, 368))
	defer evenRegion.Close()
	require.Zero(t, meanAbsDiff(t, evenRegion, even), "an even crop is exactly that part")

	small, err := pic.Convert(s, at, 208, 208)
	require.NoError(t, err)
	defer small.Close()
	resized := gocv.NewMat()
	defer resized.Close()
	gocv.Resize(region, &resized, image.Pt(208, 208), 0, 0, gocv.InterpolationArea)
	require.Less(t, meanAbsDiff(t, resized, small), 4.0, "scaled in the same pass")

	_, err = pic.Convert(s, image.Rect(900, 0, 1000, 10), 0, 0)
	require.Error(t, err, "a crop outside the picture")
	for range 3 { // the same sizes again: cached contexts, no new ones
		m, err := pic.Convert(s, at, 208, 208)
		require.NoError(t, err)
		m.Close()
	}
	require.Equal(t, 4, s.Len())
}

// TestStillKeepsTheKeyframe: a keyframes-only picture kept for later holds
// its keyframe, and decodes it again to the same picture.
func TestStillKeepsTheKeyframe(t *testing.T) {
	aus := vtestAccessUnits(t, 1)
	d, err := NewH264Decoder()
	require.NoError(t, err)
	d.SetIntraOnly(true)
	ok, err := d.Decode(aus[0])
	require.NoError(t, err)
	require.True(t, ok)
	pic, err := d.Picture()
	require.NoError(t, err)
	defer pic.Close()
	pic.SetKeyframe(&Keyframe{Codec: H264, AU: append(d.ParamSets(), aus[0]...)})
	d.Close()

	still, err := pic.Keep()
	require.NoError(t, err)
	defer still.Close()
	require.True(t, still.Compressed())
	again, err := still.BGR()
	require.NoError(t, err)
	defer again.Close()
	first, err := pic.Convert(nil, image.Rectangle{}, 0, 0)
	require.NoError(t, err)
	defer first.Close()
	require.Zero(t, meanAbsDiff(t, first, again), "decoded again, the same picture")

	plain, err := PictureFromBGR(first)
	require.NoError(t, err)
	defer plain.Close()
	ref, err := plain.Keep()
	require.NoError(t, err)
	defer ref.Close()
	require.False(t, ref.Compressed(), "no keyframe: the picture itself is kept")
	back, err := ref.BGR()
	require.NoError(t, err)
	defer back.Close()
	require.Less(t, meanAbsDiff(t, first, back), 3.0, "BGR to YUV and back")
}

// TestScalerShared: cameras share one Scaler (and MatPool); conversions
// from several goroutines at once give each the right picture.
func TestScalerShared(t *testing.T) {
	aus := vtestAccessUnits(t, 1)
	d, err := NewH264Decoder()
	require.NoError(t, err)
	defer d.Close()
	_, err = d.Decode(aus[0])
	require.NoError(t, err)
	want, err := d.BGRResized(208, 156)
	require.NoError(t, err)
	defer want.Close()
	s, pool := NewScaler(), NewMatPool(2)
	defer s.Free()
	defer pool.Close()
	errs := make(chan error, 4)
	for range 4 {
		pic, err := d.Picture()
		require.NoError(t, err)
		go func() {
			defer pic.Close()
			for range 20 {
				m, err := pic.ConvertPooled(s, pool, image.Rectangle{}, 208, 156)
				if err != nil {
					errs <- err
					return
				}
				if diff := meanAbsDiff(t, want, m); diff > 0 {
					errs <- fmt.Errorf("converted picture differs by %.2f", diff)
					pool.Put(m)
					return
				}
				pool.Put(m)
			}
			errs <- nil
		}()
	}
	for range 4 {
		require.NoError(t, <-errs)
	}
	require.Equal(t, 1, s.Len(), "one context for one size, shared")
}
