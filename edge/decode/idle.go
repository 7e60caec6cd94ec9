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
// box-wide list, and the next keyframe that comes with the same parameter
// sets (byte for byte: the same camera, or cameras of one model and
// setting, as a site's usually are) reopens with it. Every keyframe starts
// from nothing, so such a context decodes it exactly as a new one would.
// The parameter sets must match because libavcodec keeps those it parsed
// and has no call to forget them: a keyframe whose own SPS is corrupt
// would silently decode with another camera's instead of failing.
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
	key  string // the parameter sets it last decoded with (paramsKey)
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
// list is full (the oldest parked one makes room).
func park(kind Codec, c *codec) {
	if c.ctx == nil || c.full || c.paramKey == "" || c.live.Load() > parkMaxLive {
		c.free()
		return
	}
	C.avcodec_flush_buffers(c.ctx)
	C.av_frame_unref(c.frame)
	C.av_frame_unref(c.tmp)
	idle.mu.Lock()
	var evicted *codec
	if len(idle.list) >= idleMax() {
		evicted = idle.list[0].c
		idle.list = idle.list[1:]
	}
	idle.list = append(idle.list, parked{kind: kind, key: c.paramKey, c: c})
	idle.mu.Unlock()
	if evicted != nil {
		evicted.free()
	}
}

// unpark takes the most recently parked context of kind that last
// decoded with the parameter sets key; nil when none.
func unpark(kind Codec, key string) *codec {
	idle.mu.Lock()
	defer idle.mu.Unlock()
	for i := len(idle.list) - 1; i >= 0; i-- {
		if p := idle.list[i]; p.kind == kind && p.key == key {
			idle.list = append(idle.list[:i], idle.list[i+1:]...)
			return p.c
		}
	}
	return nil
}

// paramsKey identifies the parameter sets in au (the last of each kind):
// "" unless it carries every kind a keyframe needs (hasAllParams).
func paramsKey(codec Codec, au [][]byte) string {
	if !hasAllParams(codec, au) {
		return ""
	}
	var last [3][]byte
	for _, n := range au {
		if t := paramType(codec, n); t >= 0 {
			last[t] = n
		}
	}
	var b []byte
	for _, p := range last {
		b = append(b, byte(len(p)>>24), byte(len(p)>>16), byte(len(p)>>8), byte(len(p)))
		b = append(b, p...)
	}
	return string(b)
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
