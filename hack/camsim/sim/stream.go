package sim

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/description"
	"github.com/bluenviron/gortsplib/v4/pkg/format"
	"github.com/pion/rtp"
)

// H.264 and H.265 over RTP and MPEG-TS all count time in 90 kHz ticks, so file
// timestamps become RTP timestamps without conversion.
const clockRate = 90000

// maxLag is how far behind schedule the streamer may fall (a suspended
// machine, a stalled disk) before it re-anchors its clock instead of
// sending the backlog in a burst no real camera would produce.
const maxLag = time.Second

// rtpEncoder is what rtph264.Encoder and rtph265.Encoder have in common.
type rtpEncoder interface {
	Encode(au [][]byte) ([]*rtp.Packet, error)
}

// fileStream plays one MPEG-TS file into a gortsplib ServerStream, looping
// forever at real-time pace. Every client of the path shares it, like the
// single encoder of a real camera.
type fileStream struct {
	name   string
	path   string
	log    *slog.Logger
	info   TrackInfo
	faults Faults
	stream *gortsplib.ServerStream
	media  *description.Media
	newEnc func() (rtpEncoder, error)

	mu      sync.Mutex // guards players
	players map[*gortsplib.ServerSession]*gortsplib.ServerConn
}

func newFileStream(srv *gortsplib.Server, st Stream, log *slog.Logger) (*fileStream, error) {
	info, err := Probe(st.File)
	if err != nil {
		return nil, fmt.Errorf("stream %q: %w", st.Name, err)
	}
	if err := st.Faults.Validate(); err != nil {
		return nil, fmt.Errorf("stream %q: %w", st.Name, err)
	}
	sdpSPS := info.SPS
	// gortsplib clients parse an H.265 SDP's SPS and refuse the whole
	// session when it is broken, so for H.265 the lie is only in band: a
	// camera that no client can ever play tests nothing.
	if st.Faults.BadSPS && info.Codec == CodecH264 {
		sdpSPS = lyingSPS(info.SPS)
	}
	fs := &fileStream{name: st.Name, path: st.File, log: log, info: info, faults: st.Faults,
		players: map[*gortsplib.ServerSession]*gortsplib.ServerConn{}}
	var forma format.Format
	switch info.Codec {
	case CodecH265:
		f := &format.H265{PayloadTyp: 96, VPS: info.VPS, SPS: sdpSPS, PPS: info.PPS}
		forma = f
		fs.newEnc = func() (rtpEncoder, error) { return f.CreateEncoder() }
	default:
		f := &format.H264{PayloadTyp: 96, PacketizationMode: 1, SPS: sdpSPS, PPS: info.PPS}
		forma = f
		fs.newEnc = func() (rtpEncoder, error) { return f.CreateEncoder() }
	}
	fs.media = &description.Media{Type: description.MediaTypeVideo, Formats: []format.Format{forma}}
	medias := []*description.Media{fs.media}
	if !st.Faults.NoSpeaker {
		medias = append(medias, backChannelMedia())
	}
	fs.stream = &gortsplib.ServerStream{Server: srv, Desc: &description.Session{Medias: medias}}
	if err := fs.stream.Initialize(); err != nil {
		return nil, fmt.Errorf("stream %q: %w", st.Name, err)
	}
	return fs, nil
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
	enc, err := fs.newEnc()
	if err != nil {
		return err
	}
	if fs.faults.DropEvery > 0 {
		var wg sync.WaitGroup
		defer wg.Wait() // after cancel below: defers run last-in first-out
		ctx2, cancel := context.WithCancel(ctx)
		defer cancel()
		ctx = ctx2
		wg.Go(func() { fs.dropLoop(ctx) })
	}
	var b [4]byte
	rand.Read(b[:])
	// A random initial timestamp, as RFC 3550 asks.
	rtpBase := binary.BigEndian.Uint32(b[:])
	clk := &clock{}
	mangle := &mangler{faults: fs.faults, codec: fs.info.Codec}
	started := time.Now()
	var offset int64
	for pass := 0; ; pass++ {
		length, err := fs.playOnce(ctx, enc, clk, mangle, started, offset, rtpBase)
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
func (fs *fileStream) playOnce(ctx context.Context, enc rtpEncoder, clk *clock, mangle *mangler,
	started time.Time, offset int64, rtpBase uint32) (int64, error) {
	var last, step int64 = -1, 0
	err := ReadAccessUnits(fs.path, func(pts, dts int64, au [][]byte) error {
		if err := clk.wait(ctx, offset+dts); err != nil {
			return err
		}
		if last >= 0 && dts > last {
			step = dts - last
		}
		last = dts
		// A stalled camera's clock runs on; its packets just never leave.
		if fs.faults.stalled(time.Since(started)) {
			return nil
		}
		pkts, err := enc.Encode(mangle.apply(au))
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

// addPlayer remembers a playing session so the drop fault can cut it.
func (fs *fileStream) addPlayer(ss *gortsplib.ServerSession, sc *gortsplib.ServerConn) {
	fs.mu.Lock()
	fs.players[ss] = sc
	fs.mu.Unlock()
}

func (fs *fileStream) removePlayer(ss *gortsplib.ServerSession) {
	fs.mu.Lock()
	delete(fs.players, ss)
	fs.mu.Unlock()
}

// dropLoop closes every playing client's session and connection every
// DropEvery until ctx ends.
func (fs *fileStream) dropLoop(ctx context.Context) {
	t := time.NewTicker(fs.faults.DropEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		fs.mu.Lock()
		players := fs.players
		fs.players = map[*gortsplib.ServerSession]*gortsplib.ServerConn{}
		fs.mu.Unlock()
		for ss, sc := range players {
			fs.log.Info("fault: dropping client", "stream", fs.name)
			ss.Close()
			if sc != nil {
				sc.Close()
			}
		}
	}
}

func ticksToDuration(ticks int64) time.Duration {
	return time.Duration(ticks) * time.Second / clockRate
}
