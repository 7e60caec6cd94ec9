package clip

import (
	"errors"
	"fmt"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/fmp4"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/fmp4/seekablebuffer"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/mp4"
)

// timeScale is the MP4 track's clock: 90 kHz, the RTP video clock, so
// camera timestamps carry over exactly.
const timeScale = 90000

// defaultFrame is the duration given to a packet whose neighbours say
// nothing useful (a single-frame clip, a timestamp jump): 1/25 s.
const defaultFrame = 40 * time.Millisecond

// EncodeMP4 remuxes packets, which must start with a keyframe, into a
// fragmented MP4 with one video track. The parameter sets come from the
// first packet when it carries them (what the camera really used), else
// from params (typically the SDP's).
func EncodeMP4(params Params, pkts []Packet) ([]byte, error) {
	if len(pkts) == 0 {
		return nil, errors.New("encode MP4: no packets")
	}
	if !pkts[0].Key {
		return nil, errors.New("encode MP4: first packet is not a keyframe")
	}
	params = inBandParams(params, pkts[0].AU)
	if !params.complete() {
		return nil, fmt.Errorf("encode MP4: no %v parameter sets in the stream or the SDP", params.Codec)
	}
	var codec mp4.Codec = &mp4.CodecH264{SPS: params.SPS, PPS: params.PPS}
	if params.Codec == H265 {
		codec = &mp4.CodecH265{VPS: params.VPS, SPS: params.SPS, PPS: params.PPS}
	}
	var buf seekablebuffer.Buffer
	init := fmp4.Init{Tracks: []*fmp4.InitTrack{{ID: 1, TimeScale: timeScale, Codec: codec}}}
	if err := init.Marshal(&buf); err != nil {
		return nil, fmt.Errorf("encode MP4 header: %w", err)
	}

	samples := make([]*fmp4.Sample, 0, len(pkts))
	for i, p := range pkts {
		var s *fmp4.Sample
		var err error
		if params.Codec == H265 {
			s, err = fmp4.NewSampleH265(0, p.AU)
		} else {
			s, err = fmp4.NewSampleH264(0, p.AU)
		}
		if err != nil {
			return nil, fmt.Errorf("encode MP4 sample %d: %w", i, err)
		}
		s.Duration = uint32(durationTicks(pkts, i))
		samples = append(samples, s)
	}
	part := fmp4.Part{SequenceNumber: 1, Tracks: []*fmp4.PartTrack{{ID: 1, BaseTime: 0, Samples: samples}}}
	if err := part.Marshal(&buf); err != nil {
		return nil, fmt.Errorf("encode MP4 fragment: %w", err)
	}
	return buf.Bytes(), nil
}

// durationTicks is how long packet i shows: until the next packet by the
// camera's clock within a session, by arrival time across a reconnect, and
// as long as the one before for the last.
func durationTicks(pkts []Packet, i int) int64 {
	d := time.Duration(0)
	switch {
	case i+1 < len(pkts) && pkts[i+1].Session == pkts[i].Session:
		d = pkts[i+1].PTS - pkts[i].PTS
	case i+1 < len(pkts):
		d = pkts[i+1].Time.Sub(pkts[i].Time)
	case i > 0:
		return durationTicks(pkts, i-1)
	}
	// A jump back or a gap longer than a few seconds is a broken timestamp,
	// not a picture that really showed that long.
	if d <= 0 || d > 5*time.Second {
		d = defaultFrame
	}
	return int64(d) * timeScale / int64(time.Second)
}

// inBandParams overrides params with parameter sets found in au.
func inBandParams(p Params, au [][]byte) Params {
	for _, nalu := range au {
		if len(nalu) == 0 {
			continue
		}
		if p.Codec == H265 {
			switch h265.NALUType((nalu[0] >> 1) & 0x3f) {
			case h265.NALUType_VPS_NUT:
				p.VPS = nalu
			case h265.NALUType_SPS_NUT:
				p.SPS = nalu
			case h265.NALUType_PPS_NUT:
				p.PPS = nalu
			}
			continue
		}
		switch h264.NALUType(nalu[0] & 0x1f) {
		case h264.NALUTypeSPS:
			p.SPS = nalu
		case h264.NALUTypePPS:
			p.PPS = nalu
		}
	}
	return p
}
