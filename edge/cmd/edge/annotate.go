package main

import (
	"fmt"
	"image"
	"image/color"

	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/edge/vision"
)

// palette gives each class a colour that stays the same from run to run.
var palette = []color.RGBA{
	{230, 25, 75, 0}, {60, 180, 75, 0}, {255, 225, 25, 0}, {0, 130, 200, 0},
	{245, 130, 48, 0}, {145, 30, 180, 0}, {70, 240, 240, 0}, {240, 50, 230, 0},
}

// writeAnnotated writes a copy of img with each detection's box and label.
func writeAnnotated(path string, img gocv.Mat, dets []vision.Detection) error {
	out := img.Clone()
	defer out.Close()
	for _, d := range dets {
		c := palette[d.ClassID%len(palette)]
		r := image.Rect(int(d.Box.X1), int(d.Box.Y1), int(d.Box.X2), int(d.Box.Y2))
		gocv.Rectangle(&out, r, c, 2)
		label := fmt.Sprintf("%s %.2f", d.Class, d.Score)
		y := max(r.Min.Y-4, 12)
		gocv.PutText(&out, label, image.Pt(r.Min.X, y), gocv.FontHersheySimplex, 0.5, c, 1)
	}
	if !gocv.IMWrite(path, out) {
		return fmt.Errorf("write annotated image %q: OpenCV could not write it (folder missing, or an extension it does not know)", path)
	}
	return nil
}
