package decode

// #cgo pkg-config: libavcodec
// #include <libavcodec/avcodec.h>
import "C"

import "gocv.io/x/gocv"

// H264Decoder decodes an H.264 stream one access unit at a time and keeps
// the newest picture for conversion. Not safe for concurrent use.
type H264Decoder struct {
	c *codec
}

// NewH264Decoder opens a libavcodec H.264 decoder. Close it when done.
func NewH264Decoder() (*H264Decoder, error) {
	c, err := newCodec(C.AV_CODEC_ID_H264, "H.264")
	if err != nil {
		return nil, err
	}
	return &H264Decoder{c: c}, nil
}

// Decode feeds one access unit (its NAL units, without start codes, as
// gortsplib and mediacommon hand them out) to the decoder. ok reports that a
// new picture is ready for BGR. Parameter sets alone (SPS, PPS) are fine and
// give no picture. Garbage gives an error or no picture, never a panic; the
// decoder stays usable after an error.
func (d *H264Decoder) Decode(au [][]byte) (ok bool, err error) {
	n, err := d.c.writeAnnexB(au)
	if err != nil {
		return false, err
	}
	return d.c.decode(n)
}

// Size is the size of the last decoded picture, or 0, 0 before the first.
func (d *H264Decoder) Size() (width, height int) { return d.c.size() }

// BGR converts the last decoded picture to a new BGR 8UC3 Mat at the source
// size. The caller owns the Mat and must Close it. Call it only for the
// pictures you use: each call converts and allocates a new Mat.
func (d *H264Decoder) BGR() (gocv.Mat, error) { return d.c.toBGR(0, 0) }

// BGRResized is BGR scaled to width x height in the same swscale pass, so
// no full-size intermediate is allocated.
func (d *H264Decoder) BGRResized(width, height int) (gocv.Mat, error) {
	return d.c.toBGR(width, height)
}

// Close frees the decoder. Safe to call more than once; Decode after Close
// returns an error.
func (d *H264Decoder) Close() { d.c.free() }
