package clip

import "time"

// Codec of the packets in a ring.
type Codec int

// The codecs a clip can hold.
const (
	H264 Codec = iota
	H265
)

func (c Codec) String() string {
	if c == H265 {
		return "H.265"
	}
	return "H.264"
}

// Packet is one compressed access unit.
type Packet struct {
	// Time is the wall clock when it arrived; clips are cut by it.
	Time time.Time
	// PTS is the presentation time on the camera's clock. Only differences
	// between packets of the same Session mean anything.
	PTS time.Duration
	// Session changes when the stream restarts (a reconnect), where PTS
	// jumps; durations across it come from Time instead.
	Session uint64
	// Key marks a random access point (IDR, or IRAP for H.265).
	Key bool
	// AU is the NAL units without start codes.
	AU [][]byte
}

// size is the memory a packet holds, roughly.
func (p Packet) size() int {
	n := 64 + 24*len(p.AU)
	for _, nalu := range p.AU {
		n += len(nalu)
	}
	return n
}

// Params are the parameter sets a decoder needs before the first picture:
// VPS (H.265 only), SPS and PPS, without start codes.
type Params struct {
	Codec         Codec
	VPS, SPS, PPS []byte
}

// complete reports whether every set the codec needs is there.
func (p Params) complete() bool {
	return p.SPS != nil && p.PPS != nil && (p.Codec != H265 || p.VPS != nil)
}
