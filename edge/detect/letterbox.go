package detect

import "math"

// letterbox is the geometry that fits a source image into the network input
// without distorting it: scaled to fit, the rest padded.
type letterbox struct {
	srcW, srcH int // source image
	dstW, dstH int // network input
	newW, newH int // scaled image inside the input
	padX, padY int // where the scaled image starts
	// Per-axis scale actually applied, newW/srcW and newH/srcH: after
	// rounding to whole pixels the two differ slightly, and mapping back
	// with the exact one keeps boxes on the edge of the image there.
	sx, sy float32
}

func newLetterbox(srcW, srcH, dstW, dstH int, align string) letterbox {
	r := math.Min(float64(dstW)/float64(srcW), float64(dstH)/float64(srcH))
	// Rounding, not truncating: 640·(416/640) may come out as 415.99999.
	newW := min(max(int(math.Round(float64(srcW)*r)), 1), dstW)
	newH := min(max(int(math.Round(float64(srcH)*r)), 1), dstH)
	l := letterbox{
		srcW: srcW, srcH: srcH, dstW: dstW, dstH: dstH, newW: newW, newH: newH,
		sx: float32(newW) / float32(srcW), sy: float32(newH) / float32(srcH),
	}
	if align == AlignCenter {
		l.padX, l.padY = (dstW-newW)/2, (dstH-newH)/2
	}
	return l
}

// toSource maps a box in network-input pixels to source pixels, clipped to
// the image. A box wholly in the padding comes back with zero width or
// height.
func (l letterbox) toSource(b Box) Box {
	w, h := float32(l.srcW), float32(l.srcH)
	px, py := float32(l.padX), float32(l.padY)
	return Box{
		X1: clamp((b.X1-px)/l.sx, 0, w),
		Y1: clamp((b.Y1-py)/l.sy, 0, h),
		X2: clamp((b.X2-px)/l.sx, 0, w),
		Y2: clamp((b.Y2-py)/l.sy, 0, h),
	}
}

// clamp limits v to [lo, hi]; NaN comes back as lo.
func clamp(v, lo, hi float32) float32 {
	if !(v >= lo) {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}
