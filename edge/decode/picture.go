package decode

// #cgo pkg-config: libavcodec libavutil libswscale
// #include <libavutil/frame.h>
// #include <libavutil/pixdesc.h>
// #include <libswscale/swscale.h>
//
// // xh_crop points planes at the pixel (x, y) of f. It returns 0 when the
// // format is planar-ish 8-bit (every plane addressable by a byte step) and
// // x, y fall on the chroma grid, -1 otherwise (convert the whole picture).
// static int xh_crop(const AVFrame *f, int x, int y, const uint8_t *planes[4]) {
//	const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(f->format);
//	if (!d || (d->flags & (AV_PIX_FMT_FLAG_BITSTREAM | AV_PIX_FMT_FLAG_PAL | AV_PIX_FMT_FLAG_HWACCEL)))
//		return -1;
//	if ((x & ((1 << d->log2_chroma_w) - 1)) || (y & ((1 << d->log2_chroma_h) - 1)))
//		return -1;
//	for (int p = 0; p < 4; p++) planes[p] = f->data[p];
//	int done[4] = {0, 0, 0, 0};
//	for (int c = 0; c < d->nb_components; c++) {
//		int p = d->comp[c].plane;
//		if (done[p]) continue;
//		done[p] = 1;
//		int chroma = (c == 1 || c == 2) && !(d->flags & AV_PIX_FMT_FLAG_RGB);
//		int hs = chroma ? d->log2_chroma_w : 0, vs = chroma ? d->log2_chroma_h : 0;
//		planes[p] = f->data[p] + (y >> vs) * f->linesize[p] + (x >> hs) * d->comp[c].step;
//	}
//	return 0;
// }
//
// // xh_chroma_grid is the alignment a crop's corner needs in f's format.
// static void xh_chroma_grid(const AVFrame *f, int *gx, int *gy) {
//	const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(f->format);
//	*gx = d ? 1 << d->log2_chroma_w : 1;
//	*gy = d ? 1 << d->log2_chroma_h : 1;
// }
import "C"

import (
	"errors"
	"fmt"
	"image"
	"sync/atomic"
	"unsafe"

	"gocv.io/x/gocv"
)

// Picture is one decoded picture, kept in the decoder's own format (YUV
// 4:2:0 for cameras: half the bytes of BGR) so that a caller converts only
// what it uses: parts of it at the detector's input size, the whole of it
// scaled, or the whole at full size for evidence. It holds a reference to
// the decoder's buffer, not a copy; the decoder may go on decoding (or be
// trimmed or closed) meanwhile. Close it when done. Not safe for
// concurrent use.
type Picture struct {
	frame *C.AVFrame
	// key, when set, is the keyframe the picture was decoded from, alone
	// (parameter sets included): Keep holds that instead of the picture.
	key *Keyframe
	// live counts the references to the decoder context's pictures
	// (idle.go); nil for pictures of no decoder.
	live *atomic.Int32
}

// Picture returns a reference to the last decoded picture. The caller owns
// it and must Close it.
func (d *Decoder) Picture() (*Picture, error) {
	if d.trimmed || d.closed || d.c.frame == nil || d.c.frame.data[0] == nil {
		return nil, ErrNoPicture
	}
	return newRef(d.c.frame, &d.c.live)
}

// Size is the picture's size in pixels.
func (p *Picture) Size() image.Point {
	if p == nil || p.frame == nil {
		return image.Point{}
	}
	return image.Pt(int(p.frame.width), int(p.frame.height))
}

// Close frees the reference. Safe on nil and more than once.
func (p *Picture) Close() {
	if p == nil || p.frame == nil {
		return
	}
	C.av_frame_free(&p.frame)
	if p.live != nil {
		p.live.Add(-1)
		p.live = nil
	}
}

// AlignCrop widens r to the corners a crop can start on in this picture's
// format (even pixels for 4:2:0), within the picture. Convert crops r so
// aligned; callers that map boxes back use the aligned rectangle.
func (p *Picture) AlignCrop(r image.Rectangle) image.Rectangle {
	r = r.Intersect(image.Rectangle{Max: p.Size()})
	if p == nil || p.frame == nil || r.Empty() {
		return r
	}
	var gx, gy C.int
	C.xh_chroma_grid(p.frame, &gx, &gy)
	r.Min.X -= r.Min.X % int(gx)
	r.Min.Y -= r.Min.Y % int(gy)
	return r
}

// Convert converts the part r of the picture (r aligned by AlignCrop
// first) to a new BGR Mat of width x height in one swscale pass: no
// full-size intermediate. The zero rectangle means the whole picture, and
// 0, 0 keeps r's size. s caches the scaler contexts (nil: a context for
// this call only); the caller owns the Mat.
func (p *Picture) Convert(s *Scaler, r image.Rectangle, width, height int) (gocv.Mat, error) {
	return p.ConvertPooled(s, nil, r, width, height)
}

// ConvertPooled is Convert into a Mat from pool (nil: a new one); give it
// back with pool.Put when done.
func (p *Picture) ConvertPooled(s *Scaler, pool *MatPool, r image.Rectangle, width, height int) (gocv.Mat, error) {
	if p == nil || p.frame == nil {
		return gocv.Mat{}, ErrNoPicture
	}
	if r == (image.Rectangle{}) {
		r = image.Rectangle{Max: p.Size()}
	}
	r = p.AlignCrop(r)
	if r.Empty() {
		return gocv.Mat{}, fmt.Errorf("convert picture: crop outside the %v picture", p.Size())
	}
	if width == 0 && height == 0 {
		width, height = r.Dx(), r.Dy()
	}
	if err := checkSize(width, height); err != nil {
		return gocv.Mat{}, fmt.Errorf("convert picture: target %w", err)
	}
	if s == nil {
		s = NewScaler()
		defer s.Free()
	}
	var planes [4]*C.uint8_t
	if C.xh_crop(p.frame, C.int(r.Min.X), C.int(r.Min.Y), &planes[0]) != 0 {
		return gocv.Mat{}, fmt.Errorf("convert picture: pixel format %d cannot be cropped", int(p.frame.format))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ctx := s.context(r.Size(), int(p.frame.format), image.Pt(width, height))
	if ctx == nil {
		return gocv.Mat{}, fmt.Errorf("convert picture: no swscale context for pixel format %d %v to %dx%d",
			int(p.frame.format), r.Size(), width, height)
	}
	mat := pool.Get(image.Pt(width, height))
	pix, err := mat.DataPtrUint8()
	if err != nil || len(pix) < height*mat.Step() {
		pool.Put(mat)
		return gocv.Mat{}, fmt.Errorf("convert picture: Mat memory not usable: %v", err)
	}
	var dst [4]*C.uint8_t
	var dstStride [4]C.int
	dst[0] = (*C.uint8_t)(unsafe.Pointer(&pix[0]))
	dstStride[0] = C.int(mat.Step())
	res := C.sws_scale(ctx, (**C.uint8_t)(unsafe.Pointer(&planes[0])), &p.frame.linesize[0],
		0, C.int(r.Dy()), &dst[0], &dstStride[0])
	if res <= 0 {
		pool.Put(mat)
		return gocv.Mat{}, fmt.Errorf("convert picture: sws_scale wrote %d rows", int(res))
	}
	return mat, nil
}

// newRef is a Picture holding a new reference to f's buffers (no pixels
// are copied), counted in live when f is a decoder context's (idle.go).
func newRef(f *C.AVFrame, live *atomic.Int32) (*Picture, error) {
	cp := C.av_frame_clone(f)
	if cp == nil {
		return nil, errors.New("reference decoded picture: out of memory")
	}
	if live != nil {
		live.Add(1)
	}
	return &Picture{frame: cp, live: live}, nil
}

func (p *Picture) wholeRect() image.Rectangle { return image.Rectangle{Max: p.Size()} }
