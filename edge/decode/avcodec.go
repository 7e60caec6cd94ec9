package decode

// #cgo pkg-config: libavcodec libavutil libswscale
// #include <libavcodec/avcodec.h>
// #include <libavutil/error.h>
// #include <libavutil/log.h>
// #include <libavutil/mem.h>
// #include <libswscale/swscale.h>
// #include <string.h>
//
// // AVERROR() and friends are function-like macros that cgo cannot evaluate.
// enum { xh_eagain = AVERROR(EAGAIN), xh_eof = AVERROR_EOF };
import "C"

import (
	"errors"
	"fmt"
	"sync/atomic"
	"unsafe"
)

// Limits on what a stream may ask of us. A hostile or corrupt SPS can claim
// any picture size; these keep one bad camera from exhausting memory. 8192 x
// 4320 is the largest picture H.264 level 6.2 allows.
const (
	MaxWidth  = 8192
	MaxHeight = 8192
	MaxPixels = 8192 * 4320
	// MaxAccessUnitBytes bounds one compressed access unit; a 4K intra
	// picture is a few MiB.
	MaxAccessUnitBytes = 16 << 20
)

// ErrNoPicture is returned when a conversion is asked for before any
// picture was decoded.
var ErrNoPicture = errors.New("no picture decoded yet")

// codec is the codec-independent part of a libavcodec video decoder. It owns
// all the C memory it allocates; free releases it.
type codec struct {
	name  string
	ctx   *C.AVCodecContext
	pkt   *C.AVPacket
	frame *C.AVFrame // last decoded picture, kept for conversion
	tmp   *C.AVFrame // receives pictures; moved into frame on success
	buf   *C.uint8_t // Annex-B input, followed by zeroed padding
	bufN  int        // usable size of buf, without padding
	sws   *C.struct_SwsContext
	// full: it decoded a picture with the loop filter, as a whole GOP is,
	// so its pool may hold reference pictures: it is freed, not parked,
	// when trimmed. live counts its pictures still referenced by a
	// Picture (see park).
	full bool
	live atomic.Int32
	// paramKey identifies the parameter sets it last decoded a keyframe
	// with (paramsKey; idle.go): a parked context is reused only for
	// those.
	paramKey string
}

func newCodec(id C.enum_AVCodecID, name string) (*codec, error) {
	// libavcodec logs every corrupt slice to stderr. Errors reach the caller
	// as return values and are counted there, so the library's own log is
	// noise on an edge box with many cameras. Set on every open, not once:
	// OpenCV's FFmpeg backend (FileSource) sets the shared level back to
	// "error" when it opens a file.
	C.av_log_set_level(C.AV_LOG_FATAL)

	dec := C.avcodec_find_decoder(id)
	if dec == nil {
		return nil, fmt.Errorf("%s decoder not found in libavcodec", name)
	}
	c := &codec{name: name}
	c.ctx = C.avcodec_alloc_context3(dec)
	if c.ctx == nil {
		return nil, fmt.Errorf("allocate %s decoder context", name)
	}
	// One thread: parallelism comes from decoding many cameras at once, and
	// frame threading would hold each picture back by one frame per thread.
	c.ctx.thread_count = 1
	// Output each picture as soon as it is complete; cameras rarely use
	// B-frames and latency matters more than reorder safety margins.
	c.ctx.flags |= C.AV_CODEC_FLAG_LOW_DELAY
	c.ctx.max_pixels = MaxPixels
	if res := C.avcodec_open2(c.ctx, dec, nil); res < 0 {
		c.free()
		return nil, fmt.Errorf("open %s decoder: %w", name, averror(res))
	}
	c.pkt = C.av_packet_alloc()
	c.frame = C.av_frame_alloc()
	c.tmp = C.av_frame_alloc()
	if c.pkt == nil || c.frame == nil || c.tmp == nil {
		c.free()
		return nil, fmt.Errorf("allocate %s decoder frames", name)
	}
	return c, nil
}

// free releases everything; safe to call twice.
func (c *codec) free() {
	if c.sws != nil {
		C.sws_freeContext(c.sws)
		c.sws = nil
	}
	if c.frame != nil {
		C.av_frame_free(&c.frame)
	}
	if c.tmp != nil {
		C.av_frame_free(&c.tmp)
	}
	if c.pkt != nil {
		C.av_packet_free(&c.pkt)
	}
	if c.buf != nil {
		C.av_free(unsafe.Pointer(c.buf))
		c.buf = nil
		c.bufN = 0
	}
	if c.ctx != nil {
		C.avcodec_free_context(&c.ctx)
	}
}

// writeAnnexB copies the NAL units into the C input buffer with start codes,
// so that no Go pointer is ever handed to libavcodec. It returns the number
// of bytes written.
func (c *codec) writeAnnexB(au [][]byte) (int, error) {
	if c.ctx == nil {
		return 0, errors.New("decoder is closed")
	}
	n := 0
	for _, nalu := range au {
		if len(nalu) > 0 {
			n += 4 + len(nalu)
		}
	}
	switch {
	case n == 0:
		return 0, errors.New("empty access unit")
	case n > MaxAccessUnitBytes:
		return 0, fmt.Errorf("access unit of %d bytes exceeds the %d byte limit", n, MaxAccessUnitBytes)
	}
	if err := c.grow(n); err != nil {
		return 0, err
	}
	dst := unsafe.Slice((*byte)(unsafe.Pointer(c.buf)), n)
	off := 0
	for _, nalu := range au {
		if len(nalu) == 0 {
			continue
		}
		off += copy(dst[off:], []byte{0, 0, 0, 1})
		off += copy(dst[off:], nalu)
	}
	return n, nil
}

// grow makes buf hold at least n bytes plus the zeroed padding that
// libavcodec's bitstream readers may over-read.
func (c *codec) grow(n int) error {
	if n <= c.bufN {
		return nil
	}
	size := max(n, 2*c.bufN, 64<<10)
	p := (*C.uint8_t)(C.av_malloc(C.size_t(size + C.AV_INPUT_BUFFER_PADDING_SIZE)))
	if p == nil {
		return fmt.Errorf("allocate %d byte input buffer", size)
	}
	C.memset(unsafe.Pointer(p), 0, C.size_t(size+C.AV_INPUT_BUFFER_PADDING_SIZE))
	if c.buf != nil {
		C.av_free(unsafe.Pointer(c.buf))
	}
	c.buf, c.bufN = p, size
	return nil
}

// decode feeds n bytes of buf to the decoder and keeps the newest picture it
// returns. ok reports whether a new picture is ready.
func (c *codec) decode(n int) (ok bool, err error) {
	if c.ctx == nil {
		return false, errors.New("decoder is closed")
	}
	c.pkt.data = c.buf
	c.pkt.size = C.int(n)
	// The padding after the data must be zero; a previous, longer access unit
	// may have left bytes there.
	C.memset(unsafe.Add(unsafe.Pointer(c.buf), n), 0, C.AV_INPUT_BUFFER_PADDING_SIZE)
	for range 2 {
		res := C.avcodec_send_packet(c.ctx, c.pkt)
		if res == C.xh_eagain {
			// Output queue full: drain it, then send again. Draining after
			// every packet makes this rare.
			got, err := c.receive()
			ok = ok || got
			if err != nil {
				return ok, err
			}
			continue
		}
		if res < 0 {
			return ok, fmt.Errorf("%s decode: %w", c.name, averror(res))
		}
		got, err := c.receive()
		return ok || got, err
	}
	return ok, fmt.Errorf("%s decode: decoder accepts no input", c.name)
}

// receive drains decoded pictures, keeping the last one in c.frame.
func (c *codec) receive() (ok bool, err error) {
	for {
		// receive_frame unrefs its target first, so receive into tmp to keep
		// the previous picture when there is nothing new.
		res := C.avcodec_receive_frame(c.ctx, c.tmp)
		if res == C.xh_eagain || res == C.xh_eof {
			return ok, nil
		}
		if res < 0 {
			return ok, fmt.Errorf("%s decode: %w", c.name, averror(res))
		}
		w, h := int(c.tmp.width), int(c.tmp.height)
		if err := checkSize(w, h); err != nil {
			C.av_frame_unref(c.tmp)
			return ok, fmt.Errorf("%s decode: picture %w", c.name, err)
		}
		C.av_frame_unref(c.frame)
		C.av_frame_move_ref(c.frame, c.tmp)
		ok = true
	}
}

// setSkipLoopFilter turns the deblocking filter off (on=true) or back on.
// libavcodec reads the field for every picture, so it may change between
// access units.
func (c *codec) setSkipLoopFilter(on bool) {
	if c.ctx == nil {
		return
	}
	if on {
		c.ctx.skip_loop_filter = C.AVDISCARD_ALL
	} else {
		c.ctx.skip_loop_filter = C.AVDISCARD_DEFAULT
	}
}

// size is the size of the last decoded picture, or 0, 0.
func (c *codec) size() (width, height int) {
	if c.frame == nil || c.frame.data[0] == nil {
		return 0, 0
	}
	return int(c.frame.width), int(c.frame.height)
}

func checkSize(w, h int) error {
	if w <= 0 || h <= 0 || w > MaxWidth || h > MaxHeight || w*h > MaxPixels {
		return fmt.Errorf("size %dx%d outside 1x1..%dx%d (%d pixels)", w, h, MaxWidth, MaxHeight, MaxPixels)
	}
	return nil
}

// averror turns a libav error code into a Go error with libav's message.
func averror(code C.int) error {
	var buf [C.AV_ERROR_MAX_STRING_SIZE]C.char
	if C.av_strerror(code, &buf[0], C.size_t(len(buf))) < 0 {
		return fmt.Errorf("libav error %d", int(code))
	}
	return fmt.Errorf("%s (libav %d)", C.GoString(&buf[0]), int(code))
}
