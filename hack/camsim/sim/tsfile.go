package sim

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/mpegts"
)

// AccessUnitFunc receives one H.264 access unit: its NAL units without start
// codes, and its timestamps in 90 kHz ticks from the file's first DTS.
// Returning an error stops the reading with that error.
type AccessUnitFunc func(pts, dts int64, au [][]byte) error

// ReadAccessUnits calls fn for every access unit of the first H.264 track of
// an MPEG-TS file, in file order.
func ReadAccessUnits(path string, fn AccessUnitFunc) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := readAccessUnits(bufio.NewReaderSize(f, 256<<10), fn); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}

func readAccessUnits(r io.Reader, fn AccessUnitFunc) error {
	mr := &mpegts.Reader{R: r}
	if err := mr.Initialize(); err != nil {
		return err
	}
	var track *mpegts.Track
	for _, t := range mr.Tracks() {
		if _, ok := t.Codec.(*mpegts.CodecH264); ok {
			track = t
			break
		}
	}
	if track == nil {
		return errors.New("no H.264 track")
	}
	// MPEG-TS timestamps are 33-bit and wrap after 26.5 hours; the decoder
	// unwraps them into a continuous count from the first one.
	var td mpegts.TimeDecoder
	td.Initialize()
	mr.OnDataH264(track, func(pts, dts int64, au [][]byte) error {
		d := td.Decode(dts)
		return fn(d+(pts-dts), d, au)
	})
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

// ParameterSets returns the first SPS and PPS found in an H.264 MPEG-TS
// file, for the SDP: clients that only read parameter sets from the SDP
// (many do) could not decode the stream otherwise.
func ParameterSets(path string) (sps, pps []byte, err error) {
	err = ReadAccessUnits(path, func(_, _ int64, au [][]byte) error {
		for _, nalu := range au {
			if len(nalu) == 0 {
				continue
			}
			switch h264.NALUType(nalu[0] & 0x1f) {
			case h264.NALUTypeSPS:
				if sps == nil {
					sps = append([]byte(nil), nalu...)
				}
			case h264.NALUTypePPS:
				if pps == nil {
					pps = append([]byte(nil), nalu...)
				}
			}
		}
		if sps != nil && pps != nil {
			return errStop
		}
		return nil
	})
	if errors.Is(err, errStop) {
		return sps, pps, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return nil, nil, fmt.Errorf("%s: no SPS/PPS in the H.264 track", path)
}
