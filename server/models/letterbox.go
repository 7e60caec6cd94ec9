package models

import (
	"image"
	"image/color"
	"math"

	"golang.org/x/image/draw"

	"github.com/xiuhua/xiuhua/internal/modelspec"
)

// inputTensor letterboxes img into the manifest's input and returns one
// image's tensor in its layout, channel order and normalisation, the way
// the edge's pre-processing does (bilinear resize keeping the aspect ratio,
// pad_value border, centred or top-left), in pure Go: the server links no
// OpenCV. The smoke run needs the same kind of input as a camera frame, not
// bit-identical pixels.
func inputTensor(img image.Image, in modelspec.Input) []float32 {
	w, h := in.Width, in.Height
	sb := img.Bounds()
	scale := math.Min(float64(w)/float64(sb.Dx()), float64(h)/float64(sb.Dy()))
	nw := max(1, int(math.Round(float64(sb.Dx())*scale)))
	nh := max(1, int(math.Round(float64(sb.Dy())*scale)))
	ox, oy := 0, 0
	if in.Align != modelspec.AlignTopLeft {
		ox, oy = (w-nw)/2, (h-nh)/2
	}
	canvas := image.NewRGBA(image.Rect(0, 0, w, h))
	pad := uint8(in.PadValue)
	draw.Draw(canvas, canvas.Bounds(), &image.Uniform{C: color.RGBA{R: pad, G: pad, B: pad, A: 255}}, image.Point{}, draw.Src)
	draw.BiLinear.Scale(canvas, image.Rect(ox, oy, ox+nw, oy+nh), img, sb, draw.Src, nil)

	// Channel c of the tensor takes RGB component src[c].
	src := [3]int{2, 1, 0} // BGR
	if in.ChannelOrder == "RGB" {
		src = [3]int{0, 1, 2}
	}
	out := make([]float32, 3*w*h)
	for y := range h {
		for x := range w {
			p := canvas.Pix[y*canvas.Stride+4*x:]
			for c := range 3 {
				v := (float32(p[src[c]])*in.Scale - in.Mean[c]) / in.Std[c]
				if in.Layout == "NHWC" {
					out[(y*w+x)*3+c] = v
				} else {
					out[c*w*h+y*w+x] = v
				}
			}
		}
	}
	return out
}
