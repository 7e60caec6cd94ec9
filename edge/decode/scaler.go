package decode

// #cgo pkg-config: libswscale libavutil
// #include <libswscale/swscale.h>
import "C"

import "image"

// maxScalers bounds a Scaler's cache: a camera's looks use a few sizes (its
// tiles, the whole frame scaled, the whole frame for evidence).
const maxScalers = 12

type scaleKey struct {
	src, dst image.Point
	format   int
}

// Scaler caches swscale contexts by size and pixel format, so converting
// the same tiles look after look sets up no filters. Making one per
// conversion costs about as much as a small conversion. One per camera
// loop; not safe for concurrent use. Free it when done.
type Scaler struct {
	ctx map[scaleKey]*C.struct_SwsContext
}

// NewScaler returns an empty cache.
func NewScaler() *Scaler { return &Scaler{ctx: map[scaleKey]*C.struct_SwsContext{}} }

// context returns the context converting src pixels of format to BGR at
// dst, or nil when swscale has none.
func (s *Scaler) context(src image.Point, format int, dst image.Point) *C.struct_SwsContext {
	k := scaleKey{src: src, dst: dst, format: format}
	if c, ok := s.ctx[k]; ok {
		return c
	}
	if len(s.ctx) >= maxScalers {
		// Sizes changed (another stream, another plan): start over.
		s.Free()
		s.ctx = map[scaleKey]*C.struct_SwsContext{}
	}
	// Bilinear is the usual speed/quality balance; area averaging avoids
	// aliasing when shrinking a lot (a 1080p frame into a 416 px input).
	flags := C.int(C.SWS_BILINEAR)
	if dst.X*2 <= src.X && dst.Y*2 <= src.Y {
		flags = C.SWS_AREA
	}
	c := C.sws_getContext(C.int(src.X), C.int(src.Y), int32(format),
		C.int(dst.X), C.int(dst.Y), C.AV_PIX_FMT_BGR24, flags, nil, nil, nil)
	if c != nil {
		s.ctx[k] = c
	}
	return c
}

// Len is the number of cached contexts.
func (s *Scaler) Len() int { return len(s.ctx) }

// Free releases every context; the Scaler stays usable. Safe on nil.
func (s *Scaler) Free() {
	if s == nil {
		return
	}
	for k, c := range s.ctx {
		C.sws_freeContext(c)
		delete(s.ctx, k)
	}
}
