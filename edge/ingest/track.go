package ingest

import (
	"errors"
	"fmt"

	"github.com/bluenviron/gortsplib/v4/pkg/description"
	"github.com/bluenviron/gortsplib/v4/pkg/format"
	"github.com/bluenviron/gortsplib/v4/pkg/format/rtph264"
	"github.com/bluenviron/gortsplib/v4/pkg/format/rtph265"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"
	"github.com/pion/rtp"

	"github.com/xiuhua/xiuhua/edge/clip"
	"github.com/xiuhua/xiuhua/edge/decode"
)

// videoTrack is what differs between H.264 and H.265 on the way from RTP
// packets to the decoder.
type videoTrack struct {
	media  *description.Media
	format format.Format
	codec  decode.Codec
	// depacketize turns RTP packets into access units; partial says the
	// error only means "not a whole access unit yet".
	depacketize func(*rtp.Packet) ([][]byte, error)
	// params are the parameter sets from the SDP, in decoding order.
	params [][]byte
}

// findVideoTrack picks the first H.264 or H.265 track of a session.
func findVideoTrack(desc *description.Session) (*videoTrack, error) {
	var f264 *format.H264
	if m := desc.FindFormat(&f264); m != nil {
		d, err := f264.CreateDecoder()
		if err != nil {
			return nil, fmt.Errorf("H.264 depacketizer: %w", err)
		}
		t := &videoTrack{media: m, format: f264, codec: decode.H264, depacketize: d.Decode}
		if sps, pps := f264.SafeParams(); sps != nil && pps != nil {
			t.params = [][]byte{sps, pps}
		}
		return t, nil
	}
	var f265 *format.H265
	if m := desc.FindFormat(&f265); m != nil {
		d, err := f265.CreateDecoder()
		if err != nil {
			return nil, fmt.Errorf("H.265 depacketizer: %w", err)
		}
		t := &videoTrack{media: m, format: f265, codec: decode.H265, depacketize: d.Decode}
		if vps, sps, pps := f265.SafeParams(); vps != nil && sps != nil && pps != nil {
			t.params = [][]byte{vps, sps, pps}
		}
		return t, nil
	}
	return nil, fmt.Errorf("no H.264 or H.265 video track (tracks: %s)", listFormats(desc))
}

// partialAU reports a depacketizer error that only means more packets are
// needed, or that the stream was joined mid-unit.
func partialAU(err error) bool {
	return errors.Is(err, rtph264.ErrMorePacketsNeeded) || errors.Is(err, rtph264.ErrNonStartingPacketAndNoPrevious) ||
		errors.Is(err, rtph265.ErrMorePacketsNeeded) || errors.Is(err, rtph265.ErrNonStartingPacketAndNoPrevious)
}

// isKeyframe reports a random access point: an IDR (H.264) or IRAP (H.265)
// picture from which decoding can start.
func isKeyframe(c decode.Codec, au [][]byte) bool {
	if c == decode.H265 {
		return h265.IsRandomAccess(au)
	}
	return h264.IsRandomAccess(au)
}

// hasParams reports whether an access unit carries its own SPS.
func hasParams(c decode.Codec, au [][]byte) bool {
	for _, nalu := range au {
		if len(nalu) == 0 {
			continue
		}
		if c == decode.H265 {
			if h265.NALUType((nalu[0]>>1)&0x3f) == h265.NALUType_SPS_NUT {
				return true
			}
		} else if h264.NALUType(nalu[0]&0x1f) == h264.NALUTypeSPS {
			return true
		}
	}
	return false
}

// clipParams turns SDP parameter sets into the clip package's form.
func clipParams(c decode.Codec, params [][]byte) clip.Params {
	p := clip.Params{Codec: clipCodec(c)}
	switch {
	case c == decode.H265 && len(params) == 3:
		p.VPS, p.SPS, p.PPS = params[0], params[1], params[2]
	case c == decode.H264 && len(params) == 2:
		p.SPS, p.PPS = params[0], params[1]
	}
	return p
}

func clipCodec(c decode.Codec) clip.Codec {
	if c == decode.H265 {
		return clip.H265
	}
	return clip.H264
}
