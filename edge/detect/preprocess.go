package detect

import (
	"fmt"
	"image"

	"gocv.io/x/gocv"
)

// preprocessor letterboxes frames into the backend's input tensor. It keeps
// the resized image and the tensor between frames: the padding is written
// only when the frame size changes, so a steady stream costs one resize and
// one pass over the scaled pixels, with no allocation.
type preprocessor struct {
	in Input
	// lut[c][v] is the tensor value of byte v in tensor channel c, which
	// folds scale, mean and std into one load per value.
	lut [3][256]float32
	// src[c] is the BGR byte that tensor channel c reads.
	src     [3]int
	resized gocv.Mat
	// last is, per tensor slot (keyed by the address of its first value),
	// the geometry whose padding that slot holds. Backends keep one tensor
	// per batch size for their lifetime, so the keys are stable and few.
	last map[*float32]letterbox
}

func newPreprocessor(in Input) *preprocessor {
	p := &preprocessor{in: in, src: [3]int{0, 1, 2}, resized: gocv.NewMat(), last: map[*float32]letterbox{}}
	if in.ChannelOrder == "RGB" {
		p.src = [3]int{2, 1, 0}
	}
	for c := range 3 {
		for v := range 256 {
			p.lut[c][v] = (float32(v)*in.Scale - in.Mean[c]) / in.Std[c]
		}
	}
	return p
}

// run fills dst, the input tensor in the manifest's layout, from img and
// returns the geometry for mapping boxes back.
func (p *preprocessor) run(img gocv.Mat, dst []float32) (letterbox, error) {
	if img.Empty() {
		return letterbox{}, fmt.Errorf("empty frame")
	}
	if t := img.Type(); t != gocv.MatTypeCV8UC3 {
		return letterbox{}, fmt.Errorf("frame type %v: want BGR 8UC3", t)
	}
	w, h := p.in.Width, p.in.Height
	if len(dst) != 3*w*h {
		return letterbox{}, fmt.Errorf("input tensor has %d values, want 3×%d×%d", len(dst), w, h)
	}
	lb := newLetterbox(img.Cols(), img.Rows(), w, h, p.in.Align)
	if last, ok := p.last[&dst[0]]; !ok || lb != last {
		p.fillPad(dst)
		p.last[&dst[0]] = lb
	}
	// Linear, as the YOLO families' own pre-processing uses.
	gocv.Resize(img, &p.resized, image.Pt(lb.newW, lb.newH), 0, 0, gocv.InterpolationLinear)
	pix, err := p.resized.DataPtrUint8()
	if err != nil {
		return letterbox{}, err // a fresh Resize output is continuous; unreachable
	}
	if len(pix) != 3*lb.newW*lb.newH {
		return letterbox{}, fmt.Errorf("resized frame has %d bytes, want %d", len(pix), 3*lb.newW*lb.newH)
	}
	if p.in.Layout == "NHWC" {
		p.fillNHWC(pix, lb, dst)
	} else {
		p.fillNCHW(pix, lb, dst)
	}
	return lb, nil
}

func (p *preprocessor) fillPad(dst []float32) {
	plane := p.in.Width * p.in.Height
	pad := uint8(p.in.PadValue)
	if p.in.Layout == "NHWC" {
		for i := 0; i < len(dst); i += 3 {
			dst[i], dst[i+1], dst[i+2] = p.lut[0][pad], p.lut[1][pad], p.lut[2][pad]
		}
		return
	}
	for c := range 3 {
		v := p.lut[c][pad]
		d := dst[c*plane : (c+1)*plane]
		for i := range d {
			d[i] = v
		}
	}
}

func (p *preprocessor) fillNCHW(pix []uint8, lb letterbox, dst []float32) {
	W, plane := p.in.Width, p.in.Width*p.in.Height
	l0, l1, l2 := &p.lut[0], &p.lut[1], &p.lut[2]
	s0, s1, s2 := p.src[0], p.src[1], p.src[2]
	for y := range lb.newH {
		row := pix[y*lb.newW*3 : (y+1)*lb.newW*3]
		o := (y+lb.padY)*W + lb.padX
		d0 := dst[o : o+lb.newW]
		d1 := dst[plane+o : plane+o+lb.newW]
		d2 := dst[2*plane+o : 2*plane+o+lb.newW]
		for x := range d0 {
			px := row[3*x : 3*x+3 : 3*x+3]
			d0[x], d1[x], d2[x] = l0[px[s0]], l1[px[s1]], l2[px[s2]]
		}
	}
}

func (p *preprocessor) fillNHWC(pix []uint8, lb letterbox, dst []float32) {
	W := p.in.Width
	for y := range lb.newH {
		row := pix[y*lb.newW*3 : (y+1)*lb.newW*3]
		o := ((y+lb.padY)*W + lb.padX) * 3
		d := dst[o : o+3*lb.newW]
		for i := 0; i < len(row); i += 3 {
			px := row[i : i+3 : i+3]
			d[i], d[i+1], d[i+2] = p.lut[0][px[p.src[0]]], p.lut[1][px[p.src[1]]], p.lut[2][px[p.src[2]]]
		}
	}
}

func (p *preprocessor) close() error { return p.resized.Close() }
