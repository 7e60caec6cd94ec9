// Package change finds persistent change in a zone against a reference
// picture: the way to see an illegal structure (a shed, a canopy) or
// laundry when the model has no class for it.
//
// Pictures are compared by their gradient structure, cell by cell, with a
// normalised correlation. Gradients ignore a change of brightness offset
// and normalisation ignores a change of gain, so dusk, a cloud or the
// camera's exposure control do not look like a new structure; new edges
// where there were none, or edges that vanish, do.
package change

import (
	"errors"
	"fmt"
	"image"
	"math"

	"gocv.io/x/gocv"
)

// side is the size the zone is resampled to before comparison, and cells
// the number of cells along each side: 8×8 cells of 16×16 pixels each.
const (
	side   = 128
	cells  = 8
	cellPx = side / cells
)

// Signature is the gradient structure of one picture of a zone.
type Signature struct {
	mag [side * side]float32
}

// NewSignature computes the signature of rect in frame (BGR or grey).
func NewSignature(frame gocv.Mat, rect image.Rectangle) (*Signature, error) {
	if frame.Empty() {
		return nil, errors.New("change signature: empty frame")
	}
	rect = rect.Intersect(image.Rect(0, 0, frame.Cols(), frame.Rows()))
	if rect.Dx() < cells || rect.Dy() < cells {
		return nil, fmt.Errorf("change signature: zone %v too small or outside the %dx%d frame", rect, frame.Cols(), frame.Rows())
	}
	roi := frame.Region(rect)
	defer roi.Close()
	grey := gocv.NewMat()
	defer grey.Close()
	if roi.Channels() == 3 {
		gocv.CvtColor(roi, &grey, gocv.ColorBGRToGray)
	} else {
		roi.CopyTo(&grey)
	}
	small := gocv.NewMat()
	defer small.Close()
	gocv.Resize(grey, &small, image.Pt(side, side), 0, 0, gocv.InterpolationArea)
	// Blur first: sensor noise and compression artefacts have gradients too.
	gocv.GaussianBlur(small, &small, image.Pt(5, 5), 0, 0, gocv.BorderReflect101)
	gx, gy := gocv.NewMat(), gocv.NewMat()
	defer gx.Close()
	defer gy.Close()
	gocv.Sobel(small, &gx, gocv.MatTypeCV32F, 1, 0, 3, 1, 0, gocv.BorderReflect101)
	gocv.Sobel(small, &gy, gocv.MatTypeCV32F, 0, 1, 3, 1, 0, gocv.BorderReflect101)
	mag := gocv.NewMat()
	defer mag.Close()
	gocv.Magnitude(gx, gy, &mag)
	vals, err := mag.DataPtrFloat32()
	if err != nil {
		return nil, fmt.Errorf("change signature: %w", err)
	}
	s := &Signature{}
	copy(s.mag[:], vals)
	return s, nil
}

// minEnergy is the mean gradient magnitude below which a cell is flat:
// plain wall, sky, empty road. Two flat cells are alike whatever their
// correlation says, which is only noise.
const minEnergy = 2.0

// Compare returns, for each of the cells×cells cells, whether b differs
// from a, and the fraction of cells that do. threshold is the correlation
// below which a cell counts as changed (0.5 is a good start).
func Compare(a, b *Signature, threshold float64) (changed [cells * cells]bool, fraction float64) {
	n := 0
	for cy := range cells {
		for cx := range cells {
			ea, eb, r := cellCorrelation(a, b, cx, cy)
			var diff bool
			switch {
			case ea < minEnergy && eb < minEnergy:
				diff = false
			case ea < minEnergy || eb < minEnergy:
				// Edges appeared on a flat surface, or all of them went.
				diff = math.Max(ea, eb) > 4*minEnergy
			default:
				diff = r < threshold
			}
			changed[cy*cells+cx] = diff
			if diff {
				n++
			}
		}
	}
	return changed, float64(n) / float64(cells*cells)
}

// cellCorrelation returns the mean magnitude of the cell in a and in b
// and their normalised correlation.
func cellCorrelation(a, b *Signature, cx, cy int) (ea, eb, r float64) {
	var sa, sb float64
	for y := cy * cellPx; y < (cy+1)*cellPx; y++ {
		for x := cx * cellPx; x < (cx+1)*cellPx; x++ {
			sa += float64(a.mag[y*side+x])
			sb += float64(b.mag[y*side+x])
		}
	}
	const n = cellPx * cellPx
	ma, mb := sa/n, sb/n
	var cov, va, vb float64
	for y := cy * cellPx; y < (cy+1)*cellPx; y++ {
		for x := cx * cellPx; x < (cx+1)*cellPx; x++ {
			da, db := float64(a.mag[y*side+x])-ma, float64(b.mag[y*side+x])-mb
			cov += da * db
			va += da * da
			vb += db * db
		}
	}
	if va == 0 || vb == 0 {
		return ma, mb, 0
	}
	return ma, mb, cov / math.Sqrt(va*vb)
}
