package sim

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/mpegts"
)

// AccessUnitFunc receives one access unit: its NAL units without start
// codes, and its timestamps in 90 kHz ticks from the file's first DTS.
// Returning an error stops the reading with that error.
type AccessUnitFunc func(pts, dts int64, au [][]byte) error

// ReadAccessUnits calls fn for every access unit of the first H.264 or
// H.265 track of an MPEG-TS file, in file order.
func ReadAccessUnits(path string, fn AccessUnitFunc) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := readAccessUnits(bufio.NewReaderSize(f, 256<<10), nil, fn); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}

// readAccessUnits reads r; codec, when not nil, receives the codec name of
// the track before the first access unit.
func readAccessUnits(r io.Reader, codec *string, fn AccessUnitFunc) error {
	mr := &mpegts.Reader{R: r}
	if err := mr.Initialize(); err != nil {
		return err
	}
	// MPEG-TS timestamps are 33-bit and wrap after 26.5 hours; the decoder
	// unwraps them into a continuous count from the first one.
	var td mpegts.TimeDecoder
	td.Initialize()
	cb := func(pts, dts int64, au [][]byte) error {
		d := td.Decode(dts)
		return fn(d+(pts-dts), d, au)
	}
	found := ""
	for _, t := range mr.Tracks() {
		switch t.Codec.(type) {
		case *mpegts.CodecH264:
			mr.OnDataH264(t, cb)
			found = CodecH264
		case *mpegts.CodecH265:
			mr.OnDataH265(t, cb)
			found = CodecH265
		}
		if found != "" {
			break
		}
	}
	if found == "" {
		return errors.New("no H.264 or H.265 track")
	}
	if codec != nil {
		*codec = found
	}
	for {
		if err := mr.Read(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// errStop ends a read early once a callback has what it needs.
var errStop = errors.New("stop")

// TrackInfo is what an SDP needs to know about a file's video track.
type TrackInfo struct {
	Codec string // CodecH264 or CodecH265
	// VPS (H.265 only), SPS and PPS are the first parameter sets of the
	// track, for the SDP: clients that only read parameter sets from the
	// SDP (many do) could not decode the stream otherwise.
	VPS, SPS, PPS []byte
}

// Probe returns the codec and first parameter sets of an MPEG-TS file.
func Probe(path string) (TrackInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return TrackInfo{}, err
	}
	defer f.Close()
	var ti TrackInfo
	keep := func(dst *[]byte, nalu []byte) {
		if *dst == nil {
			*dst = append([]byte(nil), nalu...)
		}
	}
	err = readAccessUnits(bufio.NewReaderSize(f, 256<<10), &ti.Codec, func(_, _ int64, au [][]byte) error {
		for _, nalu := range au {
			if len(nalu) == 0 {
				continue
			}
			if ti.Codec == CodecH265 {
				switch h265.NALUType((nalu[0] >> 1) & 0x3f) {
				case h265.NALUType_VPS_NUT:
					keep(&ti.VPS, nalu)
				case h265.NALUType_SPS_NUT:
					keep(&ti.SPS, nalu)
				case h265.NALUType_PPS_NUT:
					keep(&ti.PPS, nalu)
				}
				continue
			}
			switch h264.NALUType(nalu[0] & 0x1f) {
			case h264.NALUTypeSPS:
				keep(&ti.SPS, nalu)
			case h264.NALUTypePPS:
				keep(&ti.PPS, nalu)
			}
		}
		if ti.SPS != nil && ti.PPS != nil && (ti.Codec != CodecH265 || ti.VPS != nil) {
			return errStop
		}
		return nil
	})
	if errors.Is(err, errStop) {
		return ti, nil
	}
	if err != nil {
		return TrackInfo{}, fmt.Errorf("read %s: %w", path, err)
	}
	return TrackInfo{}, fmt.Errorf("%s: no parameter sets in the %s track", path, ti.Codec)
}

// ParameterSets returns the first SPS and PPS of a file's video track.
func ParameterSets(path string) (sps, pps []byte, err error) {
	ti, err := Probe(path)
	return ti.SPS, ti.PPS, err
}
