package ingest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/base"
	"github.com/bluenviron/gortsplib/v4/pkg/description"
	"github.com/bluenviron/gortsplib/v4/pkg/format"
	"github.com/bluenviron/gortsplib/v4/pkg/format/rtph264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/pion/rtp"
	"gocv.io/x/gocv"

	"github.com/xiuhua/xiuhua/edge/decode"
)

// videoDecoder is what a session needs from edge/decode; an H.265 decoder
// will fit the same shape.
type videoDecoder interface {
	Decode(au [][]byte) (ok bool, err error)
	BGR() (gocv.Mat, error)
	Size() (width, height int)
	Close()
}

// session is one RTSP connection: DESCRIBE, SETUP, PLAY, then pictures until
// the connection fails, the stream stalls or ctx ends.
type session struct {
	cam    *Camera
	client *gortsplib.Client
	// started is set once client.Start2 succeeded, so close knows whether
	// there is a client to close.
	started bool

	// watcher closes the client when ctx ends, which unblocks DESCRIBE,
	// SETUP and PLAY; wg waits for it and the Wait goroutine.
	stopWatch chan struct{}
	wg        sync.WaitGroup

	// mu serialises the packet callback with close, so no packet can reach
	// a freed decoder. gortsplib calls back from its reader goroutine.
	mu      sync.Mutex
	closed  bool
	dec     videoDecoder
	rtpDec  *rtph264.Decoder
	waitKey bool // drop access units until the first random access one
	// sdpParams are the SPS and PPS from the SDP, put before the first
	// keyframe for cameras that never send them in band.
	sdpParams [][]byte
	sample    *sampler

	lastPicture atomic.Int64 // unix ns of the last decoded picture, or of PLAY
	decodedAny  atomic.Bool
}

// runSession runs one connection. streamed reports whether any picture was
// decoded, which resets the back-off.
func (c *Camera) runSession(ctx context.Context) (streamed bool, err error) {
	s := &session{cam: c, stopWatch: make(chan struct{}), waitKey: true, sample: newSampler(c.cfg.DetectFPS)}
	defer s.close()
	if err := s.open(ctx); err != nil {
		return false, fmt.Errorf("connect camera %q: %w", c.cfg.ID, err)
	}
	c.setState(StateStreaming)
	err = s.watch(ctx)
	return s.decodedAny.Load(), fmt.Errorf("camera %q: %w", c.cfg.ID, err)
}

func (s *session) open(ctx context.Context) error {
	cfg := s.cam.cfg
	u, err := base.ParseURL(cfg.URL)
	if err != nil {
		return errors.New("invalid URL")
	}
	transport := gortsplib.TransportTCP
	if cfg.Transport == "udp" {
		transport = gortsplib.TransportUDP
	}
	s.client = &gortsplib.Client{
		Scheme:    u.Scheme,
		Host:      u.Host,
		Transport: &transport,
		OnPacketsLost: func(n uint64) {
			s.cam.packetsLost.add(n)
			if ok, suppressed := s.cam.lossWarn.allow(time.Now()); ok {
				s.cam.log.Warn("RTP packets lost", "lost", n, "suppressed", suppressed, "total", s.cam.packetsLost.load())
			}
		},
		OnDecodeError: func(err error) {
			s.cam.decodeErrors.add(1)
			s.cam.warnDecode("RTP error", err)
		},
		OnTransportSwitch: func(err error) { s.cam.log.Info("RTSP transport switched", "reason", err) },
	}
	if err := s.client.Start2(); err != nil {
		return err
	}
	s.started = true

	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		select {
		case <-ctx.Done():
			s.client.Close()
		case <-s.stopWatch:
		}
	}()

	desc, _, err := s.client.Describe(u)
	if err != nil {
		return fmt.Errorf("describe: %w", err)
	}
	var forma *format.H264
	media := desc.FindFormat(&forma)
	if media == nil {
		return fmt.Errorf("no H.264 video track (tracks: %s)", listFormats(desc))
	}
	if s.rtpDec, err = forma.CreateDecoder(); err != nil {
		return fmt.Errorf("H.264 depacketizer: %w", err)
	}
	dec, err := decode.NewH264Decoder()
	if err != nil {
		return err
	}
	s.dec = dec
	// Many cameras send SPS and PPS only in the SDP, never in band. libav
	// refuses a packet of parameter sets alone, so they are put in front of
	// the first keyframe instead (see onPacket).
	if sps, pps := forma.SafeParams(); sps != nil && pps != nil {
		s.sdpParams = [][]byte{sps, pps}
	}
	if _, err := s.client.Setup(desc.BaseURL, media, 0, 0); err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	s.client.OnPacketRTP(media, forma, s.onPacket)
	s.lastPicture.Store(time.Now().UnixNano())
	if _, err := s.client.Play(nil); err != nil {
		return fmt.Errorf("play: %w", err)
	}
	return nil
}

// watch returns when the connection fails, the stream stalls or ctx ends.
func (s *session) watch(ctx context.Context) error {
	ended := make(chan error, 1)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ended <- s.client.Wait()
	}()
	stall := s.cam.cfg.StallTimeout
	tick := time.NewTicker(max(stall/4, 10*time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-ended:
			return fmt.Errorf("stream ended: %w", err)
		case now := <-tick.C:
			if idle := now.Sub(time.Unix(0, s.lastPicture.Load())); idle > stall {
				return fmt.Errorf("stream stalled: no picture for %v", idle.Round(time.Millisecond))
			}
		}
	}
}

// onPacket runs on gortsplib's reader goroutine for every RTP packet:
// depacketize, decode every access unit, convert only sampled pictures.
func (s *session) onPacket(pkt *rtp.Packet) {
	now := time.Now()
	c := s.cam
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	c.bytesReceived.add(uint64(pkt.MarshalSize()))

	au, err := s.rtpDec.Decode(pkt)
	if err != nil {
		// Not errors: an access unit spans several packets, and joining
		// mid-unit leaves a tail to skip.
		if !errors.Is(err, rtph264.ErrMorePacketsNeeded) && !errors.Is(err, rtph264.ErrNonStartingPacketAndNoPrevious) {
			c.decodeErrors.add(1)
			c.warnDecode("H.264 depacketize error", err)
		}
		return
	}
	c.framesReceived.add(1)
	if s.waitKey {
		// Before the first IDR the decoder has no reference pictures; its
		// output would be garbage or errors.
		if !h264.IsRandomAccess(au) {
			return
		}
		s.waitKey = false
		if s.sdpParams != nil && !hasSPS(au) {
			au = append(append([][]byte{}, s.sdpParams...), au...)
		}
	}

	ok, err := s.dec.Decode(au)
	if err != nil {
		c.decodeErrors.add(1)
		c.warnDecode("H.264 decode error", err)
		return
	}
	if !ok {
		return
	}
	c.framesDecoded.add(1)
	s.lastPicture.Store(now.UnixNano())
	if s.decodedAny.CompareAndSwap(false, true) {
		w, h := s.dec.Size()
		c.log.Info("first picture", "width", w, "height", h)
	}
	if !s.sample.take(now) {
		return
	}
	img, err := s.dec.BGR()
	if err != nil {
		c.decodeErrors.add(1)
		c.warnDecode("BGR conversion error", err)
		return
	}
	c.deliver(Frame{CameraID: c.cfg.ID, Seq: c.seq.Add(1), Captured: now, Image: img})
}

// close tears the session down in dependency order: stop the watcher, close
// the client (which waits for its reader, so no callback runs after), then
// free the decoder.
func (s *session) close() {
	close(s.stopWatch)
	if s.started {
		s.client.Close()
	}
	s.wg.Wait()
	s.mu.Lock()
	s.closed = true
	if s.dec != nil {
		s.dec.Close()
	}
	s.mu.Unlock()
}

func listFormats(desc *description.Session) string {
	var names []string
	for _, m := range desc.Medias {
		for _, f := range m.Formats {
			names = append(names, string(m.Type)+"/"+f.Codec())
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// hasSPS reports whether an access unit carries its own sequence parameter
// set.
func hasSPS(au [][]byte) bool {
	for _, nalu := range au {
		if len(nalu) > 0 && h264.NALUType(nalu[0]&0x1f) == h264.NALUTypeSPS {
			return true
		}
	}
	return false
}
