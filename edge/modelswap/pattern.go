package modelswap

import (
	"image"
	"image/color"

	"gocv.io/x/gocv"
)

// testPattern is the smoke-run frame before any camera frame was seen: a
// 640×480 grey scene with a few solid shapes, enough for a model to run
// its whole graph and decoder on something image-like.
func testPattern() gocv.Mat {
	img := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(114, 114, 114, 0), 480, 640, gocv.MatTypeCV8UC3)
	gocv.Rectangle(&img, image.Rect(60, 200, 180, 460), color.RGBA{R: 200, G: 40, B: 40}, -1)
	gocv.Rectangle(&img, image.Rect(300, 120, 560, 300), color.RGBA{R: 30, G: 160, B: 220}, -1)
	gocv.Circle(&img, image.Pt(420, 400), 50, color.RGBA{R: 250, G: 250, B: 250}, -1)
	return img
}
