package pipeline

import (
	"fmt"
	"image"
	"math"

	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/edge/decode"
	"github.com/xiuhua/xiuhua/edge/ingest"
	"github.com/xiuhua/xiuhua/edge/vision"
)

// view is one frame as a look uses it. A frame that is a decoded picture
// (ingest Config.Pictures) is converted only as far as the look needs: its
// regions straight to the model's input size, the whole frame scaled to
// it, and the whole frame at full size only for what needs the picture
// itself (evidence, a re-check, a change check), at most once a look.
type view struct {
	f      ingest.Frame
	scaler *decode.Scaler
	full   gocv.Mat // the whole frame in BGR, once converted
	owned  bool     // full was converted here and is closed with the view
	err    error    // the conversion's error, not retried within the look
}

func newView(f ingest.Frame, s *decode.Scaler) *view {
	v := &view{f: f, scaler: s}
	if f.Picture == nil {
		v.full = f.Image
	}
	return v
}

func (v *view) size() image.Point {
	w, h := v.f.Size()
	return image.Pt(w, h)
}

// bgr is the whole frame in BGR at full size; the view owns it.
func (v *view) bgr() (gocv.Mat, error) {
	if v.f.Picture == nil || v.owned {
		return v.full, nil
	}
	if v.err != nil {
		return gocv.Mat{}, v.err
	}
	m, err := v.f.Picture.Convert(v.scaler, image.Rectangle{}, 0, 0)
	if err != nil {
		v.err = fmt.Errorf("convert the whole frame: %w", err)
		return gocv.Mat{}, v.err
	}
	v.full, v.owned = m, true
	return m, nil
}

// inputPool holds the model inputs converted from pictures for reuse, and
// pictureScaler the swscale contexts that convert them, both box-wide:
// looks run one at a time, and a box's cameras mostly share their
// resolution, so a few of each serve every camera (a context per camera
// and size cost about 0.45 MiB a camera at 1080p).
var (
	inputPool     = decode.NewMatPool(8)
	pictureScaler = decode.NewScaler()
)

// input is the part r of the frame (the zero rectangle: all of it) ready
// for a model of input size in, and where it lies in the frame. From a
// picture it is converted straight to the size the model's letterbox would
// scale it to, so the model scales nothing; from a BGR Image it is a view
// of the Image at full size, as before. Call release when done with it.
func (v *view) input(r image.Rectangle, in image.Point) (_ gocv.Mat, _ placement, release func(), _ error) {
	if r == (image.Rectangle{}) {
		r = image.Rectangle{Max: v.size()}
	}
	if v.f.Picture == nil || in.X <= 0 || in.Y <= 0 {
		m, err := v.bgr()
		if err != nil {
			return gocv.Mat{}, placement{}, nil, err
		}
		sub := m.Region(r)
		return sub, placement{rect: r, sx: 1, sy: 1}, func() { sub.Close() }, nil
	}
	r = v.f.Picture.AlignCrop(r)
	w, h := fitInput(r.Size(), in)
	m, err := v.f.Picture.ConvertPooled(v.scaler, inputPool, r, w, h)
	if err != nil {
		return gocv.Mat{}, placement{}, nil, err
	}
	at := placement{rect: r, sx: float32(r.Dx()) / float32(w), sy: float32(r.Dy()) / float32(h)}
	return m, at, func() { inputPool.Put(m) }, nil
}

// fitInput is the size src scales to inside in without distortion, rounded
// as the detector's letterbox rounds it.
func fitInput(src, in image.Point) (w, h int) {
	r := math.Min(float64(in.X)/float64(src.X), float64(in.Y)/float64(src.Y))
	w = min(max(int(math.Round(float64(src.X)*r)), 1), in.X)
	h = min(max(int(math.Round(float64(src.Y)*r)), 1), in.Y)
	return w, h
}

// placement says where a model input lies in the frame: boxes found in it
// are scaled by sx, sy and moved to rect.Min.
type placement struct {
	rect   image.Rectangle
	sx, sy float32
}

// toFrame moves boxes found in the input into the frame's pixels.
func (p placement) toFrame(dets []vision.Detection) {
	dx, dy := float32(p.rect.Min.X), float32(p.rect.Min.Y)
	for i := range dets {
		b := &dets[i].Box
		b.X1, b.X2 = b.X1*p.sx+dx, b.X2*p.sx+dx
		b.Y1, b.Y2 = b.Y1*p.sy+dy, b.Y2*p.sy+dy
	}
}

// close frees what the view converted and the frame itself.
func (v *view) close() {
	if v.owned {
		v.full.Close()
	}
	v.f.Close()
}
