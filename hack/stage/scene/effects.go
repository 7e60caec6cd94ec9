package scene

import (
	"fmt"
	"image"
	"image/color"
	"math/rand/v2"
	"slices"

	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/hack/stage/paste"
)

// objectPatch cuts the object from its picture at its pasted size.
func objectPatch(o paste.Object) (gocv.Mat, error) {
	src := gocv.IMRead(o.Image, gocv.IMReadColor)
	if src.Empty() {
		return src, fmt.Errorf("read %s", o.Image)
	}
	defer src.Close()
	if !o.Crop.In(image.Rect(0, 0, src.Cols(), src.Rows())) {
		return gocv.NewMat(), fmt.Errorf("crop %v does not fit in %s", o.Crop, o.Image)
	}
	region := src.Region(o.Crop)
	defer region.Close()
	patch := gocv.NewMat()
	gocv.Resize(region, &patch, o.Rect().Size(), 0, 0, gocv.InterpolationLinear)
	return patch, nil
}

// Background is the empty scene: per pixel, the median of frames sampled
// across the video, where each passer-by is only now and then.
func Background(in string) (gocv.Mat, error) {
	vc, err := gocv.VideoCaptureFile(in)
	if err != nil {
		return gocv.NewMat(), fmt.Errorf("open %s: %w", in, err)
	}
	defer vc.Close()
	n := int(vc.Get(gocv.VideoCaptureFrameCount))
	const samples = 15
	var frames [][]byte
	var w, h int
	m := gocv.NewMat()
	defer m.Close()
	for i := 0; vc.Read(&m); i++ {
		if n > samples && i%(n/samples) != 0 {
			continue
		}
		w, h = m.Cols(), m.Rows()
		frames = append(frames, m.ToBytes())
	}
	if len(frames) == 0 {
		return gocv.NewMat(), fmt.Errorf("%s: no frames", in)
	}
	out := make([]byte, len(frames[0]))
	col := make([]byte, len(frames))
	for p := range out {
		for f := range frames {
			col[f] = frames[f][p]
		}
		slices.Sort(col)
		out[p] = col[len(col)/2]
	}
	return gocv.NewMatFromBytes(h, w, gocv.MatTypeCV8UC3, out)
}

// pasteObject puts the object in frame; with a background, only where the
// frame shows the empty scene, so that passers-by walk in front of it.
func (st *stager) pasteObject(frame *gocv.Mat) {
	r := st.s.Truth()
	dst := frame.Region(r)
	defer dst.Close()
	if st.bg.Empty() {
		st.patch.CopyTo(&dst)
		return
	}
	bg := st.bg.Region(r)
	defer bg.Close()
	diff := gocv.NewMat()
	defer diff.Close()
	gocv.AbsDiff(dst, bg, &diff)
	gocv.CvtColor(diff, &diff, gocv.ColorBGRToGray)
	// Empty where the frame is within 25 levels of the empty scene; a
	// few pixels of margin around each passer-by.
	mask := gocv.NewMat()
	defer mask.Close()
	gocv.Threshold(diff, &mask, 25, 255, gocv.ThresholdBinaryInv)
	kernel := gocv.GetStructuringElement(gocv.MorphEllipse, image.Pt(7, 7))
	defer kernel.Close()
	gocv.Erode(mask, &mask, kernel)
	st.patch.CopyToWithMask(&dst, mask)
}

// grain makes n frames of noise centred on 128 (σ of 5 levels).
func grain(rng *rand.Rand, size image.Point, n int) []gocv.Mat {
	out := make([]gocv.Mat, n)
	for i := range out {
		// A buffer each: the Mat keeps using it rather than a copy.
		buf := make([]byte, size.X*size.Y*3)
		for p := range buf {
			buf[p] = byte(max(0, min(255, 128+int(rng.NormFloat64()*5))))
		}
		out[i], _ = gocv.NewMatFromBytes(size.Y, size.X, gocv.MatTypeCV8UC3, buf)
	}
	return out
}

// rain draws falling streaks and grain over frame.
func rain(frame *gocv.Mat, rng *rand.Rand, noise gocv.Mat) {
	layer := gocv.NewMatWithSizeFromScalar(gocv.Scalar{}, frame.Rows(), frame.Cols(), gocv.MatTypeCV8UC3)
	defer layer.Close()
	w, h := frame.Cols(), frame.Rows()
	streak := color.RGBA{R: 200, G: 205, B: 215, A: 255}
	for range w * h / 2500 {
		x, y, l := rng.IntN(w), rng.IntN(h), 10+rng.IntN(16)
		gocv.Line(&layer, image.Pt(x, y), image.Pt(x+l/4, y+l), streak, 1)
	}
	gocv.AddWeighted(*frame, 1, layer, 0.45, 0, frame)
	gocv.AddWeighted(*frame, 1, noise, 1, -128, frame)
}

// shake moves frame by dx, dy pixels, repeating the edge: a pole-mounted
// camera in the wind.
func shake(frame *gocv.Mat, dx, dy int) {
	m := gocv.NewMatWithSize(2, 3, gocv.MatTypeCV64F)
	defer m.Close()
	m.SetDoubleAt(0, 0, 1)
	m.SetDoubleAt(0, 2, float64(dx))
	m.SetDoubleAt(1, 1, 1)
	m.SetDoubleAt(1, 2, float64(dy))
	moved := gocv.NewMat()
	defer moved.Close()
	gocv.WarpAffineWithParams(*frame, &moved, m, image.Pt(frame.Cols(), frame.Rows()), gocv.InterpolationLinear, gocv.BorderReplicate, color.RGBA{})
	moved.CopyTo(frame)
}
