package sim

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"log/slog"
	"time"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/description"
	"github.com/bluenviron/gortsplib/v4/pkg/format"
	"github.com/bluenviron/gortsplib/v4/pkg/format/rtph264"
)

// H.264 over RTP and MPEG-TS both count time in 90 kHz ticks, so file
// timestamps become RTP timestamps without conversion.
const clockRate = 90000

// maxLag is how far behind schedule the streamer may fall (a suspended
// machine, a stalled disk) before it re-anchors its clock instead of
// sending the backlog in a burst no real camera would produce.
const maxLag = time.Second

// fileStream plays one MPEG-TS file into a gortsplib ServerStream, looping
// forever at real-time pace. Every client of the path shares it, like the
// single encoder of a real camera.
type fileStream struct {
	name   string
	path   string
	log    *slog.Logger
	stream *gortsplib.ServerStream
	media  *description.Media
	format *format.H264
}

func newFileStream(srv *gortsplib.Server, name, path string, log *slog.Logger) (*fileStream, error) {
	sps, pps, err := ParameterSets(path)
	if err != nil {
		return nil, fmt.Errorf("stream %q: %w", name, err)
	}
	forma := &format.H264{PayloadTyp: 96, PacketizationMode: 1, SPS: sps, PPS: pps}
	media := &description.Media{Type: description.MediaTypeVideo, Formats: []format.Format{forma}}
	st := &gortsplib.ServerStream{Server: srv, Desc: &description.Session{Medias: []*description.Media{media}}}
	if err := st.Initialize(); err != nil {
		return nil, fmt.Errorf("stream %q: %w", name, err)
	}
	return &fileStream{name: name, path: path, log: log, stream: st, media: media, format: forma}, nil
}

// clock maps stream time (90 kHz ticks since the start) to wall time.
type clock struct {
	start time.Time // wall time of tick 0; set by the first wait
}

// wait sleeps until stream time ticks is due, or returns ctx's error.
func (c *clock) wait(ctx context.Context, ticks int64) error {
	if c.start.IsZero() {
		// Anchor on the first access unit, not on when the file was
		// opened, so opening it does not put the stream behind schedule.
		c.start = time.Now().Add(-ticksToDuration(ticks))
	}
	due := c.start.Add(ticksToDuration(ticks))
	d := time.Until(due)
	if d < -maxLag {
		c.start = c.start.Add(-d)
		return nil
	}
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// run streams until ctx is done. Each pass over the file is shifted by the
// length of the passes before it, so RTP timestamps keep growing across the
// loop point like a camera's and clients never see time jump back.
func (fs *fileStream) run(ctx context.Context) error {
	enc, err := fs.format.CreateEncoder()
	if err != nil {
		return err
	}
	var b [4]byte
	rand.Read(b[:])
	// A random initial timestamp, as RFC 3550 asks.
	rtpBase := binary.BigEndian.Uint32(b[:])
	clk := &clock{}
	var offset int64
	for pass := 0; ; pass++ {
		length, err := fs.playOnce(ctx, enc, clk, offset, rtpBase)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("stream %q: %w", fs.name, err)
		}
		if length <= 0 {
			return fmt.Errorf("stream %q: %s has no playable H.264 access units", fs.name, fs.path)
		}
		offset += length
		fs.log.Debug("looping", "stream", fs.name, "pass", pass+1)
	}
}

// playOnce sends the whole file once and returns its length in ticks: the
// last DTS plus one frame interval, so the next pass starts one frame later.
func (fs *fileStream) playOnce(ctx context.Context, enc *rtph264.Encoder, clk *clock, offset int64, rtpBase uint32) (int64, error) {
	var last, step int64 = -1, 0
	err := ReadAccessUnits(fs.path, func(pts, dts int64, au [][]byte) error {
		if err := clk.wait(ctx, offset+dts); err != nil {
			return err
		}
		pkts, err := enc.Encode(au)
		if err != nil {
			return err
		}
		ntp := time.Now()
		for _, p := range pkts {
			p.Timestamp = rtpBase + uint32(offset+pts)
			if err := fs.stream.WritePacketRTPWithNTP(fs.media, p, ntp); err != nil {
				return err
			}
		}
		if last >= 0 && dts > last {
			step = dts - last
		}
		last = dts
		return nil
	})
	if err != nil {
		return 0, err
	}
	if last < 0 {
		return 0, nil
	}
	if step == 0 {
		step = clockRate / 10
	}
	return last + step, nil
}

func (fs *fileStream) close() { fs.stream.Close() }

func ticksToDuration(ticks int64) time.Duration {
	return time.Duration(ticks) * time.Second / clockRate
}
