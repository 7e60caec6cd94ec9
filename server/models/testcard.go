package models

import (
	"image"
	"image/color"
)

// testCard is the smoke run's picture when no reference image is
// configured: a 640×480 street-like scene (sky, façade, pavement, a few
// coloured blocks), so the model sees edges and colours, not a flat frame
// that some exports turn into NaN-free zeros by accident.
func testCard() image.Image {
	const w, h = 640, 480
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	fill := func(r image.Rectangle, c color.RGBA) {
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				img.SetRGBA(x, y, c)
			}
		}
	}
	fill(image.Rect(0, 0, w, 120), color.RGBA{135, 180, 220, 255})     // sky
	fill(image.Rect(0, 120, w, 320), color.RGBA{170, 150, 130, 255})   // façade
	fill(image.Rect(0, 320, w, h), color.RGBA{90, 90, 95, 255})        // pavement
	fill(image.Rect(60, 180, 200, 320), color.RGBA{60, 40, 30, 255})   // shop door
	fill(image.Rect(260, 260, 380, 360), color.RGBA{200, 30, 30, 255}) // stall
	fill(image.Rect(250, 230, 390, 260), color.RGBA{240, 220, 40, 255})
	fill(image.Rect(450, 300, 480, 420), color.RGBA{30, 60, 160, 255}) // person-sized block
	for x := 0; x < w; x += 40 {
		fill(image.Rect(x, 400, x+20, 404), color.RGBA{250, 250, 250, 255})
	}
	return img
}
