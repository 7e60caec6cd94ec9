package decode

// #cgo pkg-config: libswscale libavutil
// #include <libswscale/swscale.h>
import "C"

import (
	"image"
	"sync"
)

// maxScalers bounds a Scaler's cache: a camera's looks use a few sizes (its
// tiles, the whole frame scaled, the whole frame for evidence), and the
// cameras of a box mostly share their resolution.
const maxScalers = 32

type scaleKey struct {
	src, dst image.Point
	format   int
}

// Scaler caches swscale contexts by size and pixel format, so converting
// the same tiles look after look sets up no filters. Making one per
// conversion costs about as much as a small conversion, and each context
// holds about 150 KB of filters and line buffers at 1080p: one Scaler per
// box, shared by its cameras, rather than one per camera. Safe for
// concurrent use; conversions through one Scaler run one at a time (the
// box's looks do anyway). Free it when done.
type Scaler struct {
	mu  sync.Mutex // held by a conversion for its context's use
	ctx map[scaleKey]*C.struct_SwsContext
}

// NewScaler returns an empty cache.
func NewScaler() *Scaler { return &Scaler{ctx: map[scaleKey]*C.struct_SwsContext{}} }

// context returns the context converting src pixels of format to BGR at
// dst, or nil when swscale has none. The caller holds s.mu.
func (s *Scaler) context(src image.Point, format int, dst image.Point) *C.struct_SwsContext {
	k := scaleKey{src: src, dst: dst, format: format}
	if c, ok := s.ctx[k]; ok {
		return c
	}
	if len(s.ctx) >= maxScalers {
		// Sizes changed (another stream, another plan): start over.
		s.free()
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
func (s *Scaler) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.ctx)
}

// Free releases every context; the Scaler stays usable. Safe on nil.
func (s *Scaler) Free() {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.free()
}

func (s *Scaler) free() {
	for k, c := range s.ctx {
		C.sws_freeContext(c)
		delete(s.ctx, k)
	}
}
