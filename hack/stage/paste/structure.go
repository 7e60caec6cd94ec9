package paste

import (
	"image"
	"image/color"

	"gocv.io/x/gocv"
)

// Shed returns a copy of frame with a box-shaped structure drawn over r: a
// panel with an outline, roof planks and a door, like the sheet-metal
// sheds that go up overnight on a pavement.
func Shed(frame gocv.Mat, r image.Rectangle) gocv.Mat {
	out := frame.Clone()
	gocv.Rectangle(&out, r, color.RGBA{R: 150, G: 160, B: 170, A: 255}, -1)
	gocv.Rectangle(&out, r, color.RGBA{R: 40, G: 40, B: 50, A: 255}, 4)
	for y := r.Min.Y + 15; y < r.Min.Y+60 && y < r.Max.Y; y += 12 {
		gocv.Line(&out, image.Pt(r.Min.X, y), image.Pt(r.Max.X, y), color.RGBA{R: 60, G: 60, B: 70, A: 255}, 2)
	}
	door := image.Rect(r.Min.X+r.Dx()*2/5, r.Min.Y+r.Dy()/3, r.Min.X+r.Dx()*3/5, r.Max.Y)
	gocv.Rectangle(&out, door, color.RGBA{R: 50, G: 40, B: 30, A: 255}, -1)
	return out
}

// Relit returns frame under other light: out = gain·in + offset, as dusk,
// a cloud or the camera's exposure control would make it.
func Relit(frame gocv.Mat, gain, offset float64) gocv.Mat {
	out := gocv.NewMat()
	frame.ConvertToWithParams(&out, gocv.MatTypeCV8UC3, float32(gain), float32(offset))
	return out
}
