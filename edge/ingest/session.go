package ingest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/base"
	"github.com/bluenviron/gortsplib/v4/pkg/description"
	"github.com/pion/rtp"

	"github.com/xiuhua/xiuhua/edge/decode"
)

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
	mu     sync.Mutex
	closed bool
	dec    videoDecoder
	track  *videoTrack
	path   *auPath
}

// runSession runs one connection. streamed reports whether any picture was
// decoded, which resets the back-off.
func (c *Camera) runSession(ctx context.Context) (streamed bool, err error) {
	s := &session{cam: c, stopWatch: make(chan struct{})}
	defer s.close()
	if err := s.open(ctx); err != nil {
		return false, fmt.Errorf("connect camera %q: %w", c.cfg.ID, err)
	}
	c.setState(StateStreaming)
	err = s.watch(ctx)
	return s.path.decodedAny.Load(), fmt.Errorf("camera %q: %w", c.cfg.ID, err)
}

func (s *session) open(ctx context.Context) error {
	cfg := s.cam.cfg
	u, err := base.ParseURL(cfg.URL)
	if err != nil {
		return errors.New("invalid URL")
	}
	if u.User == nil && cfg.Username != "" {
		u.User = url.UserPassword(cfg.Username, cfg.Password)
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
	if s.track, err = findVideoTrack(desc); err != nil {
		return err
	}
	dec, err := decode.New(s.track.codec)
	if err != nil {
		return err
	}
	s.dec = dec
	s.path = newAUPath(s.cam, s.track.codec, dec, s.track.params, s.cam.session.Add(1))
	if _, err := s.client.Setup(desc.BaseURL, s.track.media, 0, 0); err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	s.client.OnPacketRTP(s.track.media, s.track.format, s.onPacket)
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
			if idle := now.Sub(time.Unix(0, s.path.alive.Load())); idle > stall {
				return fmt.Errorf("stream stalled: no picture for %v", idle.Round(time.Millisecond))
			}
		}
	}
}

// onPacket runs on gortsplib's reader goroutine for every RTP packet:
// depacketize, then the access-unit path.
func (s *session) onPacket(pkt *rtp.Packet) {
	now := time.Now()
	c := s.cam
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	c.bytesReceived.add(uint64(pkt.MarshalSize()))

	au, err := s.track.depacketize(pkt)
	if err != nil {
		// Not errors: an access unit spans several packets, and joining
		// mid-unit leaves a tail to skip.
		if !partialAU(err) {
			c.decodeErrors.add(1)
			c.warnDecode(s.track.codec.String()+" depacketize error", err)
		}
		return
	}
	ticks, hasPTS := s.client.PacketPTS2(s.track.media, pkt)
	pts := time.Duration(ticks) * time.Second / time.Duration(s.track.format.ClockRate())
	s.path.handle(now, pts, hasPTS, au)
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
