package decode

// #cgo pkg-config: libavcodec
// #include <libavcodec/avcodec.h>
import "C"

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Idle decoders. A keyframes-only camera trims its decoder after every
// picture so that it holds no decoder memory between looks. Freeing the
// libavcodec context and opening a new one for the next keyframe cost a
// third of decoding it at 1080p (BenchmarkKeyframeTrim): the context's
// tables and its picture pool are allocated and zeroed again, and the
// kernel maps and faults in fresh pages for them. So a trimmed context is
// flushed (it keeps no picture of its camera) and parked in a small
// box-wide list, and the next keyframe of any camera with the same codec
// reopens with it. Every keyframe starts from nothing, so a context
// serves any camera that sends its own parameter sets first.
//
// What a parked context keeps is its picture pool: libavcodec keeps every
// buffer it ever handed out, and a picture the pipeline still holds comes
// back to the pool of the context that decoded it. A context parks only
// when few of its pictures are still out (parkMaxLive), and only if it
// never decoded a whole GOP (whose reference pictures grew its pool), so
// the list holds a few pictures' worth per context, idleMax contexts for
// the whole box, whatever the number of cameras.
var idle struct {
	mu   sync.Mutex
	list []parked
}

type parked struct {
	kind Codec
	w, h int // the size of the last picture it decoded
	c    *codec
}

// parkMaxLive is how many of its pictures may still be out for a context
// to park: the one just handed to the detector, and one more waiting.
const parkMaxLive = 2

// idleMax bounds the parked contexts: about as many as decode at once.
func idleMax() int { return runtime.GOMAXPROCS(0) + 1 }

// Counts of trimmed decoders reopened from the idle list and from nothing.
var reused, opened atomic.Uint64

// IdleStats reports how many reopenings of trimmed decoders took a parked
// context (reused) and how many opened a new one (opened).
func IdleStats() (reusedN, openedN uint64) { return reused.Load(), opened.Load() }

// park flushes c and parks it, or frees it when it may not park or the
// list is full.
func park(kind Codec, c *codec, w, h int) {
	if c.ctx == nil || c.full || c.live.Load() > parkMaxLive {
		c.free()
		return
	}
	C.avcodec_flush_buffers(c.ctx)
	C.av_frame_unref(c.frame)
	C.av_frame_unref(c.tmp)
	idle.mu.Lock()
	if len(idle.list) < idleMax() {
		idle.list = append(idle.list, parked{kind: kind, w: w, h: h, c: c})
		c = nil
	}
	idle.mu.Unlock()
	if c != nil {
		c.free()
	}
}

// unpark takes a parked context of kind, preferring one whose last
// picture had the size w x h (it needs no new pool); nil when none.
func unpark(kind Codec, w, h int) *codec {
	idle.mu.Lock()
	defer idle.mu.Unlock()
	best := -1
	for i := len(idle.list) - 1; i >= 0; i-- {
		p := idle.list[i]
		if p.kind != kind {
			continue
		}
		if best < 0 || p.w == w && p.h == h {
			best = i
		}
		if p.w == w && p.h == h {
			break
		}
	}
	if best < 0 {
		return nil
	}
	c := idle.list[best].c
	idle.list = append(idle.list[:best], idle.list[best+1:]...)
	return c
}

// FreeIdle frees every parked context (tests; a process that stops
// decoding).
func FreeIdle() {
	idle.mu.Lock()
	list := idle.list
	idle.list = nil
	idle.mu.Unlock()
	for _, p := range list {
		p.c.free()
	}
}
