package warn

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"time"

	"github.com/pion/rtp"
)

// packetSamples is 20 ms of G.711 at 8 kHz: the packet size RFC 3551
// recommends and every camera speaker accepts.
const packetSamples = 160

// packetDuration is how long one packet plays.
const packetDuration = packetSamples * time.Second / 8000

// pacer sends G.711 payload as RTP at real-time pace: packet i leaves at
// start + i·20 ms, on an absolute schedule so that a late wake-up does not
// accumulate into drift. A speaker has a small jitter buffer; a burst
// would overflow it and the warning would be cut.
type pacer struct {
	payloadType uint8
	write       func(*rtp.Packet) error
	// sent is called after the first packet is written, for the start
	// delay metric.
	sent func()
}

// play sends enc and returns when the last packet is out, ctx is done, or
// a write fails.
func (p *pacer) play(ctx context.Context, enc []byte) error {
	var b [10]byte
	_, _ = rand.Read(b[:]) // crypto/rand does not fail on Linux
	seq := binary.BigEndian.Uint16(b[0:2])
	ts := binary.BigEndian.Uint32(b[2:6]) // random initial values, as RFC 3550 asks
	ssrc := binary.BigEndian.Uint32(b[6:10])

	timer := time.NewTimer(0)
	defer timer.Stop()
	start := time.Now()
	for i := 0; i*packetSamples < len(enc); i++ {
		if d := time.Until(start.Add(time.Duration(i) * packetDuration)); d > 0 {
			timer.Reset(d)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-timer.C:
			}
		} else if err := ctx.Err(); err != nil {
			return err
		}
		chunk := enc[i*packetSamples : min(len(enc), (i+1)*packetSamples)]
		pkt := &rtp.Packet{
			Header: rtp.Header{
				Version: 2, Marker: i == 0, PayloadType: p.payloadType,
				SequenceNumber: seq + uint16(i), Timestamp: ts + uint32(i*packetSamples), SSRC: ssrc,
			},
			Payload: chunk,
		}
		if err := p.write(pkt); err != nil {
			return err
		}
		if i == 0 && p.sent != nil {
			p.sent()
		}
	}
	return nil
}
