package decode

// #cgo pkg-config: libavcodec
// #include <libavcodec/avcodec.h>
import "C"

import (
	"fmt"

	"gocv.io/x/gocv"
)

// Codec names a compressed video format the decoder understands.
type Codec int

// The codecs IP cameras send over RTSP.
const (
	H264 Codec = iota
	H265
)

func (c Codec) String() string {
	switch c {
	case H264:
		return "H.264"
	case H265:
		return "H.265"
	}
	return fmt.Sprintf("Codec(%d)", int(c))
}

// Decoder decodes one stream one access unit at a time and keeps the newest
// picture for conversion. Not safe for concurrent use.
type Decoder struct {
	codec Codec
	c     *codec
	// trimmed: c was let go (parked or freed) by Trim and is opened again
	// by the next Decode;
	// closed: by Close, for good. intraOnly is reapplied on reopening.
	trimmed, closed, intraOnly bool
	// params are the last parameter sets seen, put before the first access
	// unit after a Trim when it carries none (cameras often send them
	// only now and then, or only in the SDP).
	params [3][]byte
}

// H264Decoder is the decoder of an H.264 stream (the name older callers use).
type H264Decoder = Decoder

// New opens a libavcodec decoder for codec. Close it when done.
func New(codec Codec) (*Decoder, error) {
	var id C.enum_AVCodecID
	switch codec {
	case H264:
		id = C.AV_CODEC_ID_H264
	case H265:
		id = C.AV_CODEC_ID_HEVC
	default:
		return nil, fmt.Errorf("decoder for %v: unknown codec", codec)
	}
	c, err := newCodec(id, codec.String())
	if err != nil {
		return nil, err
	}
	return &Decoder{codec: codec, c: c}, nil
}

// NewH264Decoder opens a libavcodec H.264 decoder. Close it when done.
func NewH264Decoder() (*Decoder, error) { return New(H264) }

// NewH265Decoder opens a libavcodec H.265 (HEVC) decoder. Close it when done.
func NewH265Decoder() (*Decoder, error) { return New(H265) }

// Codec is the format this decoder reads.
func (d *Decoder) Codec() Codec { return d.codec }

// Decode feeds one access unit (its NAL units, without start codes, as
// gortsplib and mediacommon hand them out) to the decoder. ok reports that a
// new picture is ready for BGR. Parameter sets alone are fine and give no
// picture. Garbage gives an error or no picture, never a panic; the decoder
// stays usable after an error.
func (d *Decoder) Decode(au [][]byte) (ok bool, err error) {
	d.noteParams(au)
	reopen := d.trimmed && !d.closed
	if reopen {
		au = d.withParams(au)
	}
	key := paramsKey(d.codec, au)
	if reopen {
		if err := d.reopen(key); err != nil {
			return false, err
		}
	}
	if !d.intraOnly {
		d.c.full = true
	}
	if key != "" {
		d.c.paramKey = key
	}
	n, err := d.c.writeAnnexB(au)
	if err != nil {
		return false, err
	}
	return d.c.decode(n)
}

// Size is the size of the last decoded picture, or 0, 0 before the first.
func (d *Decoder) Size() (width, height int) { return d.c.size() }

// BGR converts the last decoded picture to a new BGR 8UC3 Mat at the source
// size. The caller owns the Mat and must Close it. Call it only for the
// pictures you use: each call converts and allocates a new Mat.
func (d *Decoder) BGR() (gocv.Mat, error) { return d.c.toBGR(0, 0) }

// BGRResized is BGR scaled to width x height in the same swscale pass, so
// no full-size intermediate is allocated. 0, 0 keeps the source size.
func (d *Decoder) BGRResized(width, height int) (gocv.Mat, error) {
	return d.c.toBGR(width, height)
}

// SetIntraOnly tells the decoder whether the caller feeds it keyframes
// only. It then skips the deblocking (loop) filter: with no picture ever
// predicted from the keyframe, the filter only smooths block edges of a
// picture that is about to be scaled down for a detector, and it is a
// large part of decoding an intra picture. Turn it off again before feeding
// a keyframe whose successors will be decoded too, or they would drift.
func (d *Decoder) SetIntraOnly(on bool) {
	d.intraOnly = on
	d.c.setSkipLoopFilter(on)
}

// Close frees the decoder. Safe to call more than once; Decode after Close
// returns an error.
func (d *Decoder) Close() {
	d.closed = true
	d.c.free()
}
